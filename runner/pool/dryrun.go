package pool

import (
	"fmt"
	"io"
	"strings"
	"time"

	"squeezebench/experiments"
)

// DryRun prints to w what an ablation of e into dir would do (cells, twins, jobs) and cost (the
// estimate from a short measurement of every model to train), writing nothing. opt gives the runs
// at once (Parallel), the shard and the directories of runs to reuse.
func DryRun(w io.Writer, e *experiments.Experiment, dir, data string, opt Options, warn func(string)) error {
	parallel, k, n := opt.Parallel, opt.Shard, opt.Shards
	jobs := Shard(e.Jobs(), k, n)
	twins := e.Twins()
	fmt.Fprintf(w, "experiment %s (%s): %d cells x %d seeds = %d jobs", e.Name, e.File, len(e.Cells()), len(e.Seeds), len(e.Jobs()))
	if n > 0 {
		fmt.Fprintf(w, ", shard %d/%d: %d of them", k, n, len(jobs))
	}
	fmt.Fprintf(w, "; results in %s\n\ncells:\n", dir)
	model := e.ModelOf()
	for _, c := range e.Cells() {
		note := ""
		if m := model[c.String()]; m != c.String() {
			note = "  (same model as " + m + ": not trained, its runs serve this cell)"
		}
		fmt.Fprintf(w, "  %s%s\n", c.Slug(), note)
	}
	if len(twins) > 0 {
		fmt.Fprintf(w, "\n%d cells are structural twins of others (equal model fingerprints). They cost nothing (their models train once) and\n", len(twins))
		fmt.Fprintf(w, "never count as evidence; to leave them out of the grid altogether, add before [grid]:\n  exclude = [%s]\n", e.TwinExclusions())
	}
	sets, _, err := LoadData(e, jobs, data, warn)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmeasuring every model to train (a few steps and evaluation passes, %d at once)...\n", parallel)
	est, err := EstimateRuns(dir, jobs, sets, parallel, opt.Reuse)
	if err != nil {
		return err
	}
	for _, c := range est.Cells {
		fmt.Fprintf(w, "  %-70s %3d runs  %6.1f steps/s  %6.0f images/s (all at once)  ~%s per run\n", c.Cell, c.Runs, c.StepsPerSec, c.ImagesPerSec,
			(time.Duration(c.SecondsPerRun) * time.Second).Round(time.Second))
	}
	if est.Reused > 0 {
		fmt.Fprintf(w, "\n%d runs to copy from %s (finished runs of the same configurations, not trained again)", est.Reused, strings.Join(opt.Reuse, ", "))
	}
	fmt.Fprintf(w, "\n%d runs to train (done and twin jobs left out): %d steps and %d evaluation passes;\n", est.Runs, est.Steps, est.Passes)
	fmt.Fprintf(w, "estimated wall time with %d at once: %s (training %s, evaluation %s). Nothing was written.\n",
		parallel, est.Total().Round(time.Minute), est.Train.Round(time.Minute), est.Eval.Round(time.Minute))
	return nil
}
