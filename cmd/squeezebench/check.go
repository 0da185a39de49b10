package main

import (
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
	"squeezebench/variants/varianttest"
)

func runCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	size := fs.Int("size", 8, "side of the square test image (divisible by 4; the Jacobian is side² × side²)")
	samples := fs.Int("samples", 2, "random inputs per cell")
	seed := fs.Uint64("seed", 1, "seed of the random weights and inputs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := flow.Shape{C: 1, H: *size, W: *size}
	sizes := flow.Sizes{VarDeq: 3, Stage: [3]int{4, 5, 6}, GatedLayers: 1}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "cell\tdims\tmax |x - reverse(forward(x))|\tmax log-det error\tmax |ldj_fwd + ldj_rev|\tlog-det\tresult\n")
	failed := 0
	for _, cell := range variants.AllCells() {
		res, err := varianttest.CheckFlow(flowtest.Checker{Samples: *samples, Seed: *seed}, cell, in, sizes)
		if err != nil {
			return fmt.Errorf("cell %s: %w", cell, err)
		}
		verdict := "ok"
		if !res.OK() {
			verdict, failed = "FAIL", failed+1
		}
		fmt.Fprintf(w, "%s\t%d\t%.2e\t%.2e\t%.2e\t%.3f\t%s\n", cell, res.Dims, res.MaxInvErr, res.MaxLDJErr, res.MaxRevErr, res.LogDet, verdict)
	}
	w.Flush()
	fmt.Printf("\nfloat64, all weights random (incl. the zero-initialised output convs), %d inputs per cell, %s input;\n", *samples, in)
	fmt.Printf("Jacobian by five-point central differences (h = 1e-5); tolerances: inverse 1e-9, log-det 1e-6.\n")
	if failed > 0 {
		return fmt.Errorf("%d of %d cells failed", failed, len(variants.AllCells()))
	}
	return nil
}
