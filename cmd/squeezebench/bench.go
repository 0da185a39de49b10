package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"

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
	if *batch > 0 && *eval {
		cfg.EvalBatch = *batch
	} else if *batch > 0 {
		cfg.Batch = *batch
	}
	if *steps < 1 || *warmup < 0 || *parallel < 1 {
		return fmt.Errorf("-steps and -parallel must be at least 1 and -warmup not negative")
	}
	if cfg.Workers == 0 && *parallel > 1 {
		cfg.Workers = max(1, runtime.GOMAXPROCS(0) / *parallel)
	}
	splits, err := dataset.Load(*data)
	if err != nil {
		return err
	}
	if *memProfile != "" {
		defer writeMemProfile(*memProfile)
	}
	setup := runner.BenchSetup{Warmup: *warmup, Steps: *steps, Parallel: *parallel, Eval: *eval}
	var profErr error
	if *cpuProfile != "" { // the timed steps alone
		setup.Timed = func() func() {
			stop, err := startCPUProfile(*cpuProfile)
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
	if *eval {
		images := total
		if *asJSON {
			if *parallel == 1 {
				return json.NewEncoder(os.Stdout).Encode(rs[0])
			}
			return json.NewEncoder(os.Stdout).Encode(map[string]any{
				"parallel": *parallel, "workers": cfg.Workers, "total_images_per_s": images, "runs": rs})
		}
		for _, r := range rs {
			fmt.Println(r)
		}
		if *parallel > 1 {
			fmt.Printf("%d evaluations at once, %d workers each: %.0f images/s in total\n", *parallel, cfg.Workers, images)
		}
		return nil
	}
	if *parallel == 1 {
		if *asJSON {
			return json.NewEncoder(os.Stdout).Encode(rs[0])
		}
		fmt.Println(rs[0])
		return nil
	}
	if *asJSON {
		var ms []float64
		for _, r := range rs {
			ms = append(ms, r.MsPerStep)
		}
		return json.NewEncoder(os.Stdout).Encode(map[string]any{
			"parallel": *parallel, "workers": cfg.Workers, "ms_per_step": ms, "total_steps_per_s": total, "runs": rs})
	}
	for _, r := range rs {
		fmt.Println(r)
	}
	fmt.Printf("%d trainings at once, %d workers each: %.2f steps/s in total\n", *parallel, cfg.Workers, total)
	return nil
}
