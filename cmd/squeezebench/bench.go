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
	memProfile := fs.String("memprofile", "", "write an allocation profile to this file at the end")
	parallel := fs.Int("parallel", 1, "trainings timed at once (each with GOMAXPROCS/parallel workers unless -workers is set)")
	eval := fs.Bool("eval", false, "time evaluation instead: forward-only passes over a batch of test images (-batch: the preset's eval batch), images/s")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	if *steps < 1 || *warmup < 0 || *parallel < 1 {
		return fmt.Errorf("-steps and -parallel must be at least 1 and -warmup not negative")
	}
	setup := runner.BenchSetup{Warmup: *warmup, Steps: *steps, Parallel: *parallel, Eval: *eval}
	cfg = setup.Configure(cfg, *batch)
	splits, err := dataset.Load(*data)
	if err != nil {
		return err
	}
	if *memProfile != "" {
		defer func() {
			if err := runner.WriteMemProfile(*memProfile); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}()
	}
	var profErr error
	if *cpuProfile != "" { // the timed steps alone
		setup.Timed = func() func() {
			stop, err := runner.StartCPUProfile(*cpuProfile)
			if err != nil {
				profErr = err
				return func() {}
			}
			return stop
		}
	}
	rs, total, err := runner.RunBench(cfg, splits, setup)
	if err == nil {
		err = profErr
	}
	if err != nil {
		return err
	}
	rep := runner.BenchReport{Setup: setup, Workers: cfg.Workers, Runs: rs, Total: total}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep.JSON())
	}
	fmt.Print(rep)
	return nil
}
