// Package experiments reads experiment files: TOML documents that name an ablation's grid (the
// variant axes and any settings it varies, minus exclusions), its seeds, the data set, the model
// preset with any overrides, the training budget, the evaluation and the compute split. Load or
// Parse checks a file completely before any training (unknown keys, unknown axes and variants,
// impossible values, every settings combination, then runner.Config.Validate and a memory
// estimate on every job), with errors that name the file, the line and the field and say what was
// expected; WithOverrides applies command-line -set key=value the same way.
//
// Jobs expands an experiment into its (cell, seed) runs, the one job type the pool trains: each
// with a fully resolved runner.Config, and a structural twin's job (its cell is the same model as
// an earlier one's) pointing at the job that trains that model.
//
// The experiments shipped in this directory (ablation, bf16, bf16-tutorial, extended, fashion,
// fashion-mixing, long, smoke, tutorial, tutorial-coupling, tutorial-split, tutorial-squeeze) are embedded, so the binary runs them
// without the repository:
// Builtin("ablation"), BuiltinNames, or Open, which takes a file path or a built-in name.
// ablation.toml documents the format: every key is commented there.
package experiments
