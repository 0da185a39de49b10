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
	cf.precision = fs.String("precision", "fp32", "fp32, or bf16: the coupling networks' convolutions in bfloat16 with float32 sums on AMX (an opt-in, within seed noise of fp32 in the two cells compared: small model one epoch, results/reference/bf16; tutorial model two epochs, results/reference/bf16-tutorial)")
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
	if cfg.Precision != "" && cfg.Engine == "stock" {
		return cfg, fmt.Errorf("-precision %s needs -engine fast: the stock ops have no bfloat16 path", *cf.precision)
	}
	return cfg, nil
}
