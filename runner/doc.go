// Package runner trains flows: one (cell, seed) run with its result.json, metrics.csv and
// samples.png (Train, WriteOutcome), the presets that size them, and — as the ablation grows —
// the pool of workers that fans an experiment's runs out, resumes them and shards them.
package runner
