package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"squeezebench/report"
)

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("results", filepath.Join("results", "ablation"), "results directory of an experiment (as written by squeezebench ablate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return writeReport(*dir)
}

// writeReport regenerates the report of a results directory and says what it wrote.
func writeReport(dir string) error {
	w, err := report.Generate(dir, report.Options{})
	if err != nil {
		return err
	}
	fmt.Printf("report: %d of %d expected runs usable; wrote %s (and %d more files) in %s\n",
		w.Usable, w.Expected, "REPORT.md", len(w.Files)-1, dir)
	return nil
}
