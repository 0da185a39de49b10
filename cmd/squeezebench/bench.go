package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"squeezebench/dataset"
	"squeezebench/runner"
)

func runBench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cf := addCellFlags(fs)
	batch := fs.Int("batch", 0, "batch size (default: the preset's)")
	steps := fs.Int("steps", 10, "timed steps")
	warmup := fs.Int("warmup", 2, "untimed steps first")
	asJSON := fs.Bool("json", false, "print one JSON object")
	data := fs.String("data", "", "MNIST-format IDX directory (default: the GoMNIST module's)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed steps to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	if *batch > 0 {
		cfg.Batch = *batch
	}
	if *steps < 1 || *warmup < 0 {
		return fmt.Errorf("-steps must be at least 1 and -warmup not negative")
	}
	splits, err := dataset.Load(*data)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	r, err := runner.Bench(cfg, splits, *warmup, *steps)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Println(r)
	return nil
}
