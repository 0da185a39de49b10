package main

import (
	"flag"
	"fmt"
	"strings"

	"squeezebench/runner"
	"squeezebench/variants"
)

// cellFlags adds one flag per registered axis (-squeeze, -split, -coupling, -mixing, and any axis
// added later, named after it), -preset, -engine and -workers.
type cellFlags struct {
	axes      map[variants.Axis]*string
	preset    *string
	engine    *string
	workers   *int
	precision *string
}

func addCellFlags(fs *flag.FlagSet) *cellFlags {
	cf := &cellFlags{axes: map[variants.Axis]*string{}}
	for _, a := range variants.Axes() {
		cf.axes[a] = fs.String(string(a), variants.Default(a),
			fmt.Sprintf("%s variant (%s)", a, strings.Join(variants.Names(a), ", ")))
	}
	cf.preset = fs.String("preset", "small", "model size and schedule ("+strings.Join(runner.PresetNames(), ", ")+")")
	cf.engine = fs.String("engine", "fast", `compute engine: "fast" (kernel ops) or "stock" (gorgonia's ops, the reference)`)
	cf.workers = fs.Int("workers", 0, "goroutines per run (0: all cores)")
	cf.precision = fs.String("precision", "fp32", "fp32, or bf16: the convolutions in bfloat16 with float32 sums on AMX (an opt-in of issue 13: trust it as far as an equal-budget comparison with fp32 shows)")
	return cf
}

func (cf *cellFlags) cell() (variants.Cell, error) {
	c := variants.Cell{}
	for a, v := range cf.axes {
		c[a] = *v
	}
	_, err := c.Resolve()
	return c, err
}

func (cf *cellFlags) config() (runner.Config, error) {
	cfg, err := runner.Preset(*cf.preset)
	if err != nil {
		return cfg, err
	}
	cfg.Cell, err = cf.cell()
	cfg.Engine, cfg.Workers = *cf.engine, *cf.workers
	if err != nil {
		return cfg, err
	}
	if cfg.Precision, err = runner.ParsePrecision(*cf.precision); err != nil {
		return cfg, fmt.Errorf("-precision: %w", err)
	}
	return cfg, nil
}
