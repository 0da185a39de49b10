package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/runner/pool"
	"squeezebench/variants"
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
	dryRun := fs.Bool("dry-run", false, "print the cells, jobs and twins and the wall time estimated from a short measurement of every model, and train nothing")
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
	}
	k, n, err := parseShard(*shard)
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
	opt := pool.Options{Parallel: e.Parallel, Shard: k, Shards: n, CheckpointEvery: e.CheckpointEvery, ClaimTimeout: *claimTimeout, Out: os.Stdout, Live: isTerminal(os.Stdout)}
	if *parallel > 0 {
		opt.Parallel = *parallel
		if err := e.Config.CheckMemory(experiments.ImageShape, opt.Parallel, runner.MachineMemory()); err != nil {
			return fmt.Errorf("-parallel %d: %w", opt.Parallel, err)
		}
	}
	if *ckptEvery >= 0 {
		opt.CheckpointEvery = *ckptEvery
	}
	if *dryRun {
		return dryRunAblate(e, dir, *data, opt.Parallel, k, n)
	}
	// Everything is checked before anything is written: the results directory, the experiment
	// copy it holds, and the data, whose identity must be that of the runs already there.
	if err := runner.CheckWritableDir(dir); err != nil {
		return fmt.Errorf("-results: %w", err)
	}
	if err := checkExperimentCopy(dir, e, *replace); err != nil {
		return err
	}
	jobs := e.Jobs()
	loaded, order, err := loadData(e, jobs, *data)
	if err != nil {
		return err
	}
	var more []*dataset.Splits
	for _, id := range order[1:] {
		more = append(more, loaded[id])
	}
	if err := pool.RecordData(dir, loaded[order[0]], more...); err != nil {
		return err
	}
	if err := pool.WriteExperiment(dir, e.Source); err != nil {
		return err
	}
	for _, id := range order {
		fmt.Println(loaded[id])
	}
	mine := pool.Shard(jobs, k, n)
	part := ""
	if n > 0 {
		part = fmt.Sprintf(", shard %d/%d: %d of them", k, n, len(mine))
	}
	twins := ""
	if tw := e.Twins(); len(tw) > 0 {
		twins = fmt.Sprintf(" (%d cells are twins of others: their jobs are served by their models' runs)", len(tw))
	}
	fmt.Printf("experiment %s (%s): %d cells x %d seeds = %d jobs%s%s; %d at once; results in %s\n",
		e.Name, e.File, len(e.Cells()), len(e.Seeds), len(jobs), twins, part, opt.Parallel, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		signal.Stop(sigs) // a second signal kills the process as usual
		fmt.Fprintln(os.Stderr, "\nstopping: no new jobs start; running ones stop after their current step and save a checkpoint (signal again to kill)")
		cancel()
	}()
	start := time.Now()
	reports := pool.Run(ctx, dir, jobs, loaded, opt)
	signal.Stop(sigs)
	close(sigs) // ends the goroutine: nothing prints after a normal end
	fmt.Printf("\n%s: %d jobs in %s\n", e.Name, len(reports), time.Since(start).Round(time.Second))
	pool.WriteSummary(os.Stdout, reports)
	fmt.Println()
	reportErr := writeReport(dir, "") // on whatever results there are, partial ones too
	return ablateOutcome(reports, "squeezebench ablate "+shellJoin(args), reportErr)
}

// loadData loads the data sets the jobs train on, in the order the jobs first name them. -data
// (dir) replaces the one data set of an experiment (a grid varying the data set refuses it): data
// that is another known set is an error; other data is used, the jobs' configurations say so,
// and so does the report.
func loadData(e *experiments.Experiment, jobs []experiments.Job, dir string) (pool.Data, []dataset.ID, error) {
	var order []dataset.ID
	names := map[dataset.ID]string{}
	for _, j := range jobs {
		if _, ok := names[j.Config.Data]; !ok {
			names[j.Config.Data] = e.DatasetOf(j.Cell)
			order = append(order, j.Config.Data)
		}
	}
	if dir != "" && len(order) > 1 {
		return nil, nil, fmt.Errorf("-data %s: the grid varies the data set (%d of them); -data replaces only an experiment's one data set", dir, len(order))
	}
	sets := pool.Data{}
	for i, id := range order {
		s, err := dataset.LoadSet(names[id], dir)
		if err != nil {
			return nil, nil, err
		}
		got := s.ID()
		switch {
		case got == id:
		case got.Known():
			return nil, nil, fmt.Errorf("-data %s holds %s, but the experiment is of %s (dataset = %q)", s.Source, got.Name, names[id], names[id])
		default:
			fmt.Fprintf(os.Stderr, "squeezebench ablate: the data in %s is %s, not the experiment's %s: the runs are of these data, and the report says so\n",
				s.Source, got, id)
			for k := range jobs {
				jobs[k].Config.Data = got
			}
			order[i] = got
		}
		sets[got] = s
	}
	return sets, order, nil
}

// dryRunAblate prints what an ablation would do and cost, writing nothing.
func dryRunAblate(e *experiments.Experiment, dir, data string, parallel, k, n int) error {
	jobs := pool.Shard(e.Jobs(), k, n)
	twins := e.Twins()
	fmt.Printf("experiment %s (%s): %d cells x %d seeds = %d jobs", e.Name, e.File, len(e.Cells()), len(e.Seeds), len(e.Jobs()))
	if n > 0 {
		fmt.Printf(", shard %d/%d: %d of them", k, n, len(jobs))
	}
	fmt.Printf("; results in %s\n\ncells:\n", dir)
	model := e.ModelOf()
	for _, c := range e.Cells() {
		note := ""
		if m := model[c.String()]; m != c.String() {
			note = "  (same model as " + m + ": not trained, its runs serve this cell)"
		}
		fmt.Printf("  %s%s\n", c.Slug(), note)
	}
	if len(twins) > 0 {
		fmt.Printf("\n%d cells are structural twins of others (equal model fingerprints). They cost nothing (their models train once) and\n", len(twins))
		fmt.Printf("never count as evidence; to leave them out of the grid altogether, add before [grid]:\n  exclude = [%s]\n", suggestExclusions(e, twins))
	}
	sets, _, err := loadData(e, jobs, data)
	if err != nil {
		return err
	}
	fmt.Printf("\nmeasuring every model to train (a few steps and evaluation passes, %d at once)...\n", parallel)
	est, err := pool.EstimateRuns(dir, jobs, sets, parallel)
	if err != nil {
		return err
	}
	for _, c := range est.Cells {
		fmt.Printf("  %-70s %3d runs  %6.1f steps/s  %6.0f images/s (all at once)  ~%s per run\n", c.Cell, c.Runs, c.StepsPerSec, c.ImagesPerSec,
			(time.Duration(c.SecondsPerRun) * time.Second).Round(time.Second))
	}
	fmt.Printf("\n%d runs to train (done and twin jobs left out): %d steps and %d evaluation passes;\n", est.Runs, est.Steps, est.Passes)
	fmt.Printf("estimated wall time with %d at once: %s (training %s, evaluation %s). Nothing was written.\n",
		parallel, est.Total().Round(time.Minute), est.Train.Round(time.Minute), est.Eval.Round(time.Minute))
	return nil
}

// suggestExclusions is the exclusions that remove exactly the twins' later cells: one, on the
// axes they share, when that matches nothing else; else one per cell.
func suggestExclusions(e *experiments.Experiment, twins [][2]variants.Cell) string {
	shared := variants.Cell{}
	for _, a := range variants.Axes() {
		v := twins[0][1].Get(a)
		same := len(e.Grid[a]) > 1
		for _, t := range twins {
			same = same && t[1].Get(a) == v
		}
		if same {
			shared[a] = v
		}
	}
	count := 0
	for _, c := range e.Cells() {
		all := true
		for a, v := range shared {
			all = all && c.Get(a) == v
		}
		if all {
			count++
		}
	}
	if len(shared) > 0 && count == len(twins) {
		return "{ " + exclusionOf(shared, e.Grid, shared) + " }"
	}
	var out []string
	for _, t := range twins {
		out = append(out, "{ "+exclusionOf(t[1], e.Grid, nil)+" }")
	}
	return strings.Join(out, ", ")
}

// exclusionOf is the exclusion that names cell c on the grid's varied axes (only those of only,
// when given).
func exclusionOf(c variants.Cell, grid map[variants.Axis][]string, only variants.Cell) string {
	var parts []string
	for _, a := range variants.Axes() {
		if _, in := only[a]; only != nil && !in {
			continue
		}
		if len(grid[a]) > 1 {
			parts = append(parts, fmt.Sprintf("%s = %q", a, c.Get(a)))
		}
	}
	return strings.Join(parts, ", ")
}

// checkExperimentCopy refuses a results directory whose experiment.toml is another experiment's:
// the report would believe it. With replace it may be overwritten.
func checkExperimentCopy(dir string, e *experiments.Experiment, replace bool) error {
	path := filepath.Join(dir, pool.ExperimentFile)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && bytes.Equal(old, e.Source) || replace:
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("%s holds another experiment than %s (the report reads that copy): use another -results directory, or -replace-experiment to replace it", path, e.File)
}

// ablateOutcome is the command's error: failed runs, runs held by other live processes, an
// interruption, or a report that could not be written all end it non-zero.
func ablateOutcome(reports []pool.Report, resume string, reportErr error) error {
	var failed, interrupted, claimed []string
	for _, r := range reports {
		switch {
		case r.Status == pool.StatusClaimed:
			claimed = append(claimed, fmt.Sprintf("%s (%s)", pool.Name(r.Job), r.Note))
		case r.Status == runner.StatusInterrupted || r.Status == pool.StatusNotStarted:
			interrupted = append(interrupted, pool.Name(r.Job))
		case r.Failed():
			failed = append(failed, fmt.Sprintf("%s (%s: %v)", pool.Name(r.Job), r.Status, r.Err))
		}
	}
	if len(interrupted) > 0 {
		fmt.Printf("\ninterrupted: %d of %d jobs are not finished (their checkpoints keep the steps done). Resume with:\n  %s\n",
			len(interrupted), len(reports), resume)
	}
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d jobs failed (result.json and train.log in their run directories say why; the next invocation re-runs them: %s):\n  %s",
			len(failed), len(reports), resume, strings.Join(failed, "\n  ")))
	}
	if len(claimed) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d jobs were not run here because other live processes train them; when they finish, run again to complete the report:\n  %s",
			len(claimed), len(reports), strings.Join(claimed, "\n  ")))
	}
	if reportErr != nil {
		errs = append(errs, fmt.Errorf("the report could not be written: %w", reportErr))
	}
	if len(interrupted) > 0 {
		errs = append(errs, fmt.Errorf("interrupted"))
	}
	return errors.Join(errs...)
}

// parseShard reads "K/N" (1 <= K <= N); empty is no sharding (0, 0).
func parseShard(s string) (k, n int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("-shard %q: want K/N with 1 <= K <= N, e.g. 2/4", s)
	}
	return k, n, nil
}

// shellJoin quotes args for a shell where needed.
func shellJoin(args []string) string {
	var out []string
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

// isTerminal reports whether f is a character device (a terminal), where a live status block
// beats a stream of lines; CI and Slurm logs get plain lines.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
