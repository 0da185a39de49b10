package main

import (
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"gorgonia.org/tensor"

	"squeezebench/experiments"
	"squeezebench/flow"
	"squeezebench/internal/numfmt"
)

func runDescribe(args []string) error {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	cf := addCellFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	arch, err := cfg.Cell.Arch(experiments.ImageShape, cfg.Sizes)
	if err != nil {
		return err
	}
	m, err := flow.New(arch, tensor.Float32, 1)
	if err != nil {
		return err
	}
	fmt.Printf("cell %s, preset %s (hidden %d/%d/%d/%d, %d gated layers), input %s\n\n", cfg.Cell, cfg.Preset,
		cfg.Sizes.VarDeq, cfg.Sizes.Stage[0], cfg.Sizes.Stage[1], cfg.Sizes.Stage[2], cfg.Sizes.GatedLayers, experiments.ImageShape)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "layer\tkind\tin\tout\tparameters\tMFLOPs/image\t")
	for _, r := range m.Describe() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%.2f\t\n", r.Name, r.Kind, r.In, r.Out, numfmt.Thousands(int64(r.Params)), float64(r.FLOPs)/1e6)
	}
	fmt.Fprintf(w, "total\t\t\t\t%s\t%.2f\t\n", numfmt.Thousands(int64(m.NumParams())), float64(m.FLOPs())/1e6)
	return w.Flush()
}
