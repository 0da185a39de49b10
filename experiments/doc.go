// Package experiments reads experiment files: TOML documents that name an ablation's grid of
// variant cells, its seeds, the model preset with any overrides, the training budget, the
// evaluation and the compute split. Load or Parse checks a file completely before any training
// (unknown keys, unknown axes and variants, impossible values, and then runner.Config.Validate on
// every job), with errors that name the file, the line and the field and say what was expected.
// Jobs expands an experiment into its (cell, seed) runs, each with a fully resolved
// runner.Config.
//
// The experiments shipped in this directory (ablation, smoke, extended, tutorial) are embedded,
// so the binary runs them without the repository: Builtin("ablation"), BuiltinNames, or Open,
// which takes a file path or a built-in name. ablation.toml documents the format: every key is
// commented there.
package experiments
