package pool

import (
	"fmt"
	"path/filepath"
	"time"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
)

// Estimate is what the jobs will cost on this machine, from short measurements of every model to
// train: its training steps and evaluation passes at the pool's runs at once.
type Estimate struct {
	Runs        int           // runs to train (twins and results already there excluded)
	Reused      int           // runs to copy from the reuse directories instead
	Steps       int           // their training steps
	Passes      int           // their evaluation passes (one image, one importance sample)
	Train, Eval time.Duration // the time both take at the measured rates
	Cells       []CellRate    // the measured rates, per model
}

// CellRate is one model's measured rates with Parallel runs at once.
type CellRate struct {
	Cell          string
	Runs          int
	StepsPerSec   float64 // training steps per second, all runs at once together
	ImagesPerSec  float64 // evaluation images per second, all runs at once together
	SecondsPerRun float64
}

// Total is the estimated wall time.
func (e *Estimate) Total() time.Duration { return e.Train + e.Eval }

// passes is the evaluation passes one run of cfg makes: at every evaluation the training and
// validation subsets with EvalSamples samples, at the end both and the test images with
// ImportanceSamples.
func passes(cfg runner.Config, sizes dataset.Sizes) int {
	total := cfg.Steps
	if total == 0 {
		total = cfg.Epochs * (sizes.Train / cfg.Batch)
	}
	evals := 0
	for step := 1; step <= total; step++ {
		if cfg.EvaluatesAt(step, total) {
			evals++
		}
	}
	sub := cfg.ValImages
	if sub == 0 {
		sub = sizes.Val
	}
	test := cfg.TestImages
	if test == 0 {
		test = sizes.Test
	}
	return evals*2*sub*cfg.EvalSamples + (2*sub+test)*cfg.ImportanceSamples
}

// EstimateRuns measures every distinct model among the jobs that still need training (not
// twins, not already done in dir) for a few steps and evaluation passes, with parallel runs at
// once, and estimates the wall time of training them all. Jobs with a finished run in one of the
// reuse directories cost nothing (they are copied) and are counted in Estimate.Reused.
func EstimateRuns(dir string, jobs []experiments.Job, sets Data, parallel int, reuse []string) (*Estimate, error) {
	est := &Estimate{}
	byCell := map[string]*CellRate{}
	var order []string
	configs := map[string]runner.Config{}
	for _, j := range jobs {
		if j.Twin() || Done(dir, j) {
			continue
		}
		if Reusable(reuse, j) != "" {
			est.Reused++
			continue
		}
		name := j.Cell.String()
		r := byCell[name]
		if r == nil {
			r = &CellRate{Cell: name}
			byCell[name], configs[name] = r, j.Config
			order = append(order, name)
		}
		r.Runs++
		est.Runs++
	}
	for _, name := range order {
		r, cfg := byCell[name], configs[name]
		data, ok := sets[cfg.Data]
		if !ok {
			return nil, fmt.Errorf("no data loaded for %s", cfg.Data)
		}
		sizes := dataset.Sizes{Train: data.Train.N, Val: data.Val.N, Test: data.Test.N}
		_, stepsPerSec, err := runner.BenchParallel(cfg, data, 2, 5, parallel)
		if err != nil {
			return nil, err
		}
		_, imagesPerSec, err := runner.BenchEval(cfg, data, 1, 2, parallel)
		if err != nil {
			return nil, err
		}
		r.StepsPerSec, r.ImagesPerSec = stepsPerSec, imagesPerSec
		total := cfg.Steps
		if total == 0 {
			total = cfg.Epochs * (sizes.Train / cfg.Batch)
		}
		p := passes(cfg, sizes)
		est.Steps += r.Runs * total
		est.Passes += r.Runs * p
		train := float64(r.Runs*total) / stepsPerSec
		eval := float64(r.Runs*p) / imagesPerSec
		est.Train += time.Duration(train * float64(time.Second))
		est.Eval += time.Duration(eval * float64(time.Second))
		r.SecondsPerRun = (train + eval) / float64(r.Runs) * float64(parallel)
		est.Cells = append(est.Cells, *r)
	}
	return est, nil
}

// Reusable is the first of the results directories dirs that holds a finished run of job j (in
// its run directory: the same hash and model), or "".
func Reusable(dirs []string, j experiments.Job) string {
	for _, d := range dirs {
		if Done(d, j) {
			return d
		}
	}
	return ""
}

// Done reports whether job j has a usable result of its configuration in the results directory.
func Done(dir string, j experiments.Job) bool {
	r, err := runner.ReadResult(filepath.Join(dir, j.RunDir(), runner.ResultFile))
	return err == nil && usable(r, j)
}
