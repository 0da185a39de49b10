package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/runner/pool"
)

func runAblate(args []string) error {
	fs := flag.NewFlagSet("ablate", flag.ContinueOnError)
	expRef := fs.String("experiment", "", "experiment file, or the name of a built-in one ("+strings.Join(experiments.BuiltinNames(), ", ")+") (required)")
	resultsDir := fs.String("results", "", "results directory (default results/<experiment name>)")
	parallel := fs.Int("parallel", 0, "runs trained at once (default: the experiment's compute.parallel)")
	fs.IntVar(parallel, "workers", 0, "the same as -parallel (the pool's workers; goroutines per run are the experiment's compute.workers)")
	shard := fs.String("shard", "", "K/N: run only the jobs whose index % N == K-1 (for several processes or machines on one results directory)")
	ckptEvery := fs.Int("checkpoint-every", -1, "steps between checkpoints (default: the experiment's compute.checkpoint_every)")
	claimTimeout := fs.Duration("claim-timeout", pool.DefaultClaimTimeout, "a claim on a run not refreshed for this long is stale (its owner died or lost the filesystem)")
	data := fs.String("data", "", "directory with the four MNIST-format IDX files (default: the experiment's data set: MNIST from $SQUEEZEBENCH_DATA or the GoMNIST module, Fashion-MNIST from "+dataset.FashionDir+")")
	var sets setFlag
	fs.Var(&sets, "set", setUsage)
	var reuse listFlag
	fs.Var(&reuse, "reuse", "another experiment's results directory (repeatable): a job with a finished run of the same configuration there is copied from it (copied-from names the source), not trained again")
	dryRun := fs.Bool("dry-run", false, "print the cells, jobs and twins and the wall time estimated from a short measurement of every model, and train nothing")
	startFor := fs.Duration("stop-starting-after", 0, "start no job after this long (e.g. 2h; 0: no limit): running ones finish, the rest are left for the next call, so a sitting of known length ends on finished runs")
	replace := fs.Bool("replace-experiment", false, "the results directory holds another experiment.toml: replace it (runs of other configurations are then set aside as they are re-run)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *expRef == "" {
		return fmt.Errorf("-experiment FILE|NAME is required (built in: %s)", strings.Join(experiments.BuiltinNames(), ", "))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := setFlags(fs)
	switch {
	case (set["parallel"] || set["workers"]) && *parallel < 1:
		return fmt.Errorf("-parallel %d: want the runs trained at once, at least 1", *parallel)
	case set["checkpoint-every"] && *ckptEvery < 0:
		return fmt.Errorf("-checkpoint-every %d: want steps between checkpoints, at least 0 (0: only when interrupted)", *ckptEvery)
	case *claimTimeout <= 0:
		return fmt.Errorf("-claim-timeout %s: want a positive duration", *claimTimeout)
	case *startFor < 0:
		return fmt.Errorf("-stop-starting-after %s: want a duration, at least 0 (0: no limit)", *startFor)
	}
	k, n, err := pool.ParseShard(*shard)
	if err != nil {
		return err
	}
	e, err := experiments.Open(*expRef)
	if err != nil {
		return err
	}
	if e, err = experiments.WithOverrides(e, sets); err != nil {
		return err
	}
	dir := *resultsDir
	if dir == "" {
		dir = e.ResultsDir()
	}
	if err := checkReuse(reuse, dir); err != nil {
		return err
	}
	opt := pool.Options{Shard: k, Shards: n, ClaimTimeout: *claimTimeout, Out: os.Stdout, Live: isTerminal(os.Stdout), Reuse: reuse}
	if opt, err = opt.WithExperiment(e, *parallel, *ckptEvery, runner.MachineMemory()); err != nil {
		return err
	}
	if *dryRun {
		return pool.DryRun(os.Stdout, e, dir, *data, opt, warn)
	}
	// Everything is checked before anything is written: the results directory, the experiment
	// copy it holds, and the data, whose identity must be that of the runs already there.
	jobs := e.Jobs()
	loaded, order, err := pool.Prepare(dir, e, jobs, *data, *replace, warn)
	if err != nil {
		return err
	}
	for _, id := range order {
		fmt.Println(loaded[id])
	}
	fmt.Println(pool.Banner(e, jobs, opt, dir))

	ctx, stop := pool.Interruptible(context.Background(), func() {
		fmt.Fprintln(os.Stderr, "\nstopping: no new jobs start; running ones stop after their current step and save a checkpoint (signal again to kill)")
	})
	start := time.Now()
	if *startFor > 0 {
		opt.StartBy = start.Add(*startFor)
	}
	reports := pool.Run(ctx, dir, jobs, loaded, opt)
	stop() // nothing prints after a normal end
	fmt.Printf("\n%s: %d jobs in %s\n", e.Name, len(reports), time.Since(start).Round(time.Second))
	pool.WriteSummary(os.Stdout, reports)
	fmt.Println()
	reportErr := writeReport(dir, "") // on whatever results there are, partial ones too
	return pool.Outcome(reports, pool.ResumeCommand(args), reportErr)
}

// listFlag collects a repeated flag's values.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// checkReuse refuses -reuse directories that are not results directories, or are dir itself.
func checkReuse(dirs []string, dir string) error {
	for _, d := range dirs {
		if filepath.Clean(d) == filepath.Clean(dir) {
			return fmt.Errorf("-reuse %s: that is the results directory itself", d)
		}
		if st, err := os.Stat(filepath.Join(d, "runs")); err != nil || !st.IsDir() {
			return fmt.Errorf("-reuse %s: want a results directory (with runs/ in it)", d)
		}
	}
	return nil
}

// warn prints a warning of the ablate command.
func warn(msg string) { fmt.Fprintln(os.Stderr, "squeezebench ablate: "+msg) }

// isTerminal reports whether f is a character device (a terminal), where a live status block
// beats a stream of lines; CI and Slurm logs get plain lines.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
