package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
)

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	cf := addCellFlags(fs)
	seed := fs.Uint64("seed", 1, "seed: initialisation, data order, dequantization noise")
	out := fs.String("out", "", "directory for result.json, metrics.csv and samples.png (required)")
	data := fs.String("data", "", "directory with the four MNIST-format IDX files (default: the -dataset's default location)")
	set := fs.String("dataset", "mnist", "data set: "+strings.Join(dataset.KnownNames(), " or ")+" (-data overrides where it is read from)")
	steps := fs.Int("steps", 0, "training steps (overrides the preset's budget)")
	epochs := fs.Int("epochs", 0, "training epochs (overrides the preset's budget)")
	batch := fs.Int("batch", 0, "batch size (overrides the preset's)")
	valEvery := fs.Int("val-every", -1, "steps between validations (overrides the preset's)")
	testImages := fs.Int("test-images", -1, "test images for the final importance-sampled bpd (0: all)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	var sets setFlag
	fs.Var(&sets, "set", setUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := runner.StartCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *out == "" {
		return fmt.Errorf("-out DIR is required")
	}
	// The budget and evaluation flags are -set of their experiment keys: validated as in a file.
	given := setFlags(fs)
	for _, f := range []struct {
		flag, key string
		v         int
	}{{"steps", "training.steps", *steps}, {"epochs", "training.epochs", *epochs}, {"batch", "training.batch", *batch},
		{"val-every", "evaluation.val_every", *valEvery}, {"test-images", "evaluation.test_images", *testImages}} {
		if given[f.flag] {
			sets = append(sets, experiments.Override{Key: f.key, Value: fmt.Sprint(f.v)})
		}
	}
	if given["steps"] && given["epochs"] {
		return fmt.Errorf("-steps and -epochs are two budgets: give one")
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	cfg.Seed = *seed
	if cfg, err = experiments.RunConfig(cfg, sets, runner.MachineMemory()); err != nil {
		return err
	}
	// The output is checked before anything trains: a run is never lost to an unwritable -out.
	if err := runner.CheckWritableDir(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	splits, err := dataset.LoadSet(*set, *data)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, splits)
	cfg.Data = splits.ID() // the run is of the data it trains on, recorded in result.json
	o, trainErr := runner.Train(context.Background(), cfg, splits, os.Stderr, runner.Options{})
	if err := runner.WriteOutcome(*out, o, splits.Train.H, splits.Train.W); err != nil {
		return err
	}
	if trainErr != nil {
		return fmt.Errorf("%w (result.json in %s records it)", trainErr, *out)
	}
	r := o.Result
	fmt.Printf("%s seed %d: train %.4f, val %.4f, test %.4f bpd; %d steps, %.0f ms/step, %.0f s; wrote %s\n",
		r.Cell(), r.Config.Seed, r.TrainBPD, r.ValBPD, r.TestBPD, r.Steps, r.MsPerStep, r.WallSeconds, *out)
	return nil
}

// setFlags is the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
