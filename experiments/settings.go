package experiments

import (
	"fmt"
	"strings"

	"squeezebench/runner"
)

// WithSettings is cfg (a preset's configuration with a cell, a seed and compute settings) with the
// overrides of experiment-file keys of the model, training and evaluation tables and the data
// set, validated as in a file: what `train -set` does. Grid, seeds, compute and name keys are
// refused: one run takes those from elsewhere.
func WithSettings(cfg runner.Config, sets []Override) (runner.Config, error) {
	if len(sets) == 0 {
		return cfg, nil
	}
	for _, o := range sets {
		if k, _, _ := strings.Cut(o.Key, "."); k == "grid" || k == "seeds" || k == "compute" || k == "name" {
			return cfg, fmt.Errorf("-set %s: one run takes its cell, seed and engine from its own flags (-squeeze, -seed, -engine, ...)", o)
		}
	}
	base, err := Parse("train", []byte(fmt.Sprintf("[model]\npreset = %q\n", cfg.Preset)))
	if err != nil {
		return cfg, err
	}
	e, err := WithOverrides(base, sets)
	if err != nil {
		return cfg, err
	}
	// What the run's own flags set (cell, seed, engine, workers, precision) stays theirs.
	out := e.Config
	out.Cell, out.Seed, out.Engine, out.Workers, out.Precision = cfg.Cell, cfg.Seed, cfg.Engine, cfg.Workers, cfg.Precision
	return out, nil
}

// RunConfig is what `train` trains: cfg with the overrides sets (WithSettings), validated
// (runner.Config.Validate: a configuration without overrides is not checked by WithSettings) and
// checked against machine bytes of memory for one run on ImageShape (runner.Config.CheckMemory).
func RunConfig(cfg runner.Config, sets []Override, machine int64) (runner.Config, error) {
	cfg, err := WithSettings(cfg, sets)
	if err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, cfg.CheckMemory(ImageShape, 1, machine)
}
