package main

import (
	"fmt"
	"strings"

	"squeezebench/experiments"
	"squeezebench/runner"
)

// setFlag collects repeated -set key=value flags.
type setFlag []experiments.Override

func (s *setFlag) String() string {
	var out []string
	for _, o := range *s {
		out = append(out, o.String())
	}
	return strings.Join(out, " ")
}

func (s *setFlag) Set(v string) error {
	o, err := experiments.ParseOverride(v)
	if err != nil {
		return err
	}
	*s = append(*s, o)
	return nil
}

const setUsage = "set a key of the experiment file, e.g. -set training.steps=200 -set seeds=2 -set grid.split='[\"checkerboard\"]' (repeatable; validated like the file)"

// overriddenConfig is the preset's configuration with the overrides of experiment-file keys
// (model, training, evaluation, dataset): cell, seed and the compute flags stay train's own.
func overriddenConfig(cfg runner.Config, sets setFlag) (runner.Config, error) {
	if len(sets) == 0 {
		return cfg, nil
	}
	for _, o := range sets {
		if k, _, _ := strings.Cut(o.Key, "."); k == "grid" || k == "seeds" || k == "compute" || k == "name" {
			return cfg, fmt.Errorf("-set %s: train takes one cell, seed and engine from its own flags (-squeeze, -seed, -engine, ...)", o)
		}
	}
	base, err := experiments.Parse("train", []byte(fmt.Sprintf("[model]\npreset = %q\n", cfg.Preset)))
	if err != nil {
		return cfg, err
	}
	e, err := experiments.WithOverrides(base, sets)
	if err != nil {
		return cfg, err
	}
	out := e.Config
	out.Cell, out.Seed, out.Engine, out.Workers = cfg.Cell, cfg.Seed, cfg.Engine, cfg.Workers
	return out, nil
}
