package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"squeezebench/report"
	"squeezebench/report/stats"
	"squeezebench/runner"
)

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("results", filepath.Join("results", "ablation"), "results directory of an experiment (as written by squeezebench ablate)")
	ref := fs.String("reference", "", `results directory to compare with in "Agreement with the reference" (default: results/reference/<experiment> beside the results, when it exists; "-": none)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return writeReport(*dir, *ref)
}

// writeReport regenerates the report of a results directory and says what it wrote.
func writeReport(dir, ref string) error {
	w, err := report.Generate(dir, report.Options{Reference: ref})
	if err != nil {
		return err
	}
	fmt.Printf("report: %d of %d expected runs usable; wrote %s (and %d more files) in %s\n",
		w.Usable, w.Expected, "REPORT.md", len(w.Files)-1, dir)
	return nil
}

func runPlan(args []string) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	dir := fs.String("results", filepath.Join("results", "reference", "ablation"), "results directory whose seed-level spread the plan starts from")
	effect := fs.Float64("effect", report.PlanEffect, "the difference to detect, in bpd")
	power := fs.Float64("power", stats.Power80, "the power to detect it with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !(*effect > 0) || !(*power > 0 && *power < 1) {
		return fmt.Errorf("-effect %v -power %v: want an effect > 0 bpd and a power in (0, 1)", *effect, *power)
	}
	d, err := report.Load(*dir)
	if err != nil {
		return err
	}
	p := report.Analyze(d).Plan(*effect, *power)
	fmt.Printf("%s: seeds to detect %s bpd with %s power at each family's adjusted level, from the seed-level sd of %s;\n",
		d.Experiment.Name, strconv.FormatFloat(*effect, 'g', -1, 64), strconv.FormatFloat(*power, 'g', -1, 64), *dir)
	fmt.Printf("one seed costs %s here (one run of every distinct model, %d at once, at the recorded wall times).\n\n", p.PerSeed, p.Parallel)
	fmt.Print(p.Table())
	return nil
}

func runCompare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	out := fs.String("out", "", "write the Markdown comparison to this file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("want two results directories, A and B; got %q", fs.Args())
	}
	md, err := report.CompareDirs(fs.Arg(0), fs.Arg(1), func(msg string) { fmt.Fprintln(os.Stderr, "squeezebench compare: "+msg) })
	if err != nil {
		return err
	}
	if *out == "" {
		fmt.Print(md)
		return nil
	}
	return runner.WriteFileAtomic(*out, []byte(md))
}
