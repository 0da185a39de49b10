package pool

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
)

// What an ablate invocation needs around Run: the data sets its jobs train on, the results
// directory's experiment copy, the shard, its options, the line it starts with, and its outcome
// as an error with the command that resumes it.

// Prepare readies the results directory dir for the jobs of e, checking everything before
// anything is written: dir is writable, the experiment copy it holds is e's (CheckExperimentCopy,
// with replace), and the data (LoadData from dataDir) is that of the runs already there
// (RecordData, which writes data.json when dir has none); then it writes the experiment copy
// (WriteExperiment). It returns the loaded data sets and their order, as LoadData.
func Prepare(dir string, e *experiments.Experiment, jobs []experiments.Job, dataDir string, replace bool, warn func(string)) (Data, []dataset.ID, error) {
	if err := runner.CheckWritableDir(dir); err != nil {
		return nil, nil, fmt.Errorf("-results: %w", err)
	}
	if err := CheckExperimentCopy(dir, e, replace); err != nil {
		return nil, nil, err
	}
	loaded, order, err := LoadData(e, jobs, dataDir, warn)
	if err != nil {
		return nil, nil, err
	}
	var more []*dataset.Splits
	for _, id := range order[1:] {
		more = append(more, loaded[id])
	}
	if err := RecordData(dir, loaded[order[0]], more...); err != nil {
		return nil, nil, err
	}
	if err := WriteExperiment(dir, e.Source); err != nil {
		return nil, nil, err
	}
	return loaded, order, nil
}

// WithExperiment is opt with e's compute settings, the runs trained at once (compute.parallel)
// and the steps between checkpoints (compute.checkpoint_every), where the command does not give
// its own: parallel > 0 replaces e's, and is checked against machine bytes of memory
// (runner.Config.CheckMemory); checkpointEvery >= 0 replaces e's.
func (opt Options) WithExperiment(e *experiments.Experiment, parallel, checkpointEvery int, machine int64) (Options, error) {
	opt.Parallel, opt.CheckpointEvery = e.Parallel, e.CheckpointEvery
	if parallel > 0 {
		opt.Parallel = parallel
		if err := e.Config.CheckMemory(experiments.ImageShape, opt.Parallel, machine); err != nil {
			return opt, fmt.Errorf("-parallel %d: %w", opt.Parallel, err)
		}
	}
	if checkpointEvery >= 0 {
		opt.CheckpointEvery = checkpointEvery
	}
	return opt, nil
}

// Banner is the line an ablation of e's jobs into dir starts with: its cells, seeds and jobs, the
// twins among the cells, the part of them opt's shard runs, and the runs at once.
func Banner(e *experiments.Experiment, jobs []experiments.Job, opt Options, dir string) string {
	part := ""
	if opt.Shards > 0 {
		part = fmt.Sprintf(", shard %d/%d: %d of them", opt.Shard, opt.Shards, len(Shard(jobs, opt.Shard, opt.Shards)))
	}
	twins := ""
	if tw := e.Twins(); len(tw) > 0 {
		twins = fmt.Sprintf(" (%d cells are twins of others: their jobs are served by their models' runs)", len(tw))
	}
	return fmt.Sprintf("experiment %s (%s): %d cells x %d seeds = %d jobs%s%s; %d at once; results in %s",
		e.Name, e.File, len(e.Cells()), len(e.Seeds), len(jobs), twins, part, opt.Parallel, dir)
}

// ResumeCommand is the command line of an ablation with the arguments args, quoted for a shell:
// what Outcome tells to run again.
func ResumeCommand(args []string) string { return "squeezebench ablate " + shellJoin(args) }

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

// LoadData loads the data sets the jobs train on, in the order the jobs first name them. -data
// (dir) replaces the one data set of an experiment (a grid varying the data set refuses it): data
// that is another known set is an error; other data is used (warn says so), the jobs'
// configurations say so, and so does the report.
func LoadData(e *experiments.Experiment, jobs []experiments.Job, dir string, warn func(string)) (Data, []dataset.ID, error) {
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
	sets := Data{}
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
			warn(fmt.Sprintf("the data in %s is %s, not the experiment's %s: the runs are of these data, and the report says so", s.Source, got, id))
			for k := range jobs {
				jobs[k].Config.Data = got
			}
			order[i] = got
		}
		sets[got] = s
	}
	return sets, order, nil
}

// CheckExperimentCopy refuses a results directory whose experiment.toml is another experiment's:
// the report would believe it. A copy that differs only where no run does (comments, the
// description, how many run at once) is e's, and Prepare rewrites it. With replace it may be
// overwritten.
func CheckExperimentCopy(dir string, e *experiments.Experiment, replace bool) error {
	path := filepath.Join(dir, ExperimentFile)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && bytes.Equal(old, e.Source) || replace:
		return nil
	case err != nil:
		return err
	}
	if prev, perr := experiments.Parse(path, old); perr == nil && experiments.SameRuns(prev, e) {
		return nil
	}
	return fmt.Errorf("%s holds another experiment than %s (the report reads that copy): use another -results directory, or -replace-experiment to replace it", path, e.File)
}

// Outcome is the pool's end in an error, for the command's exit status: failed runs, runs held by other live processes, an
// interruption, or a report that could not be written all end it non-zero.
func Outcome(reports []Report, resume string, reportErr error) error {
	var failed, interrupted, claimed, deferred []string
	for _, r := range reports {
		switch {
		case r.Status == StatusNotStarted && errors.Is(r.Err, ErrStartBy):
			deferred = append(deferred, Name(r.Job))
		case r.Status == StatusClaimed:
			claimed = append(claimed, fmt.Sprintf("%s (%s)", Name(r.Job), r.Note))
		case r.Status == runner.StatusInterrupted || r.Status == StatusNotStarted:
			interrupted = append(interrupted, Name(r.Job))
		case r.Failed():
			failed = append(failed, fmt.Sprintf("%s (%s: %v)", Name(r.Job), r.Status, r.Err))
		}
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
	if len(deferred) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d jobs were not started: the time to start jobs (-stop-starting-after) had passed; go on with:\n  %s",
			len(deferred), len(reports), resume))
	}
	if len(interrupted) > 0 {
		errs = append(errs, fmt.Errorf("interrupted: %d of %d jobs are not finished (their checkpoints keep the steps done); resume with:\n  %s",
			len(interrupted), len(reports), resume))
	}
	return errors.Join(errs...)
}

// ParseShard reads "K/N" (1 <= K <= N); empty is no sharding (0, 0).
func ParseShard(s string) (k, n int, err error) {
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
