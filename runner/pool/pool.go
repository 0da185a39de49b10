package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/flow"
	"squeezebench/runner"
)

// Options say how Run runs the jobs.
type Options struct {
	Parallel int // runs trained at once (at least 1)
	// Shard K of Shards (1-based) runs the jobs whose model's job has Index % Shards == K-1;
	// Shards 0: all jobs.
	Shard, Shards int
	// CheckpointEvery is the steps between checkpoints (0: only when interrupted).
	CheckpointEvery int
	ClaimTimeout    time.Duration // 0: DefaultClaimTimeout
	Out             io.Writer     // progress lines; nil: io.Discard
	// StartBy, unless zero, is when the pool stops starting jobs: running ones finish, a job not
	// begun by then is left for the next call (StatusNotStarted, ErrStartBy), so a sitting of a
	// known length ends on finished runs instead of interrupted ones.
	StartBy time.Time
	// Live keeps a status block (a line per running job, a bar of finished jobs) at the bottom of
	// Out, a terminal, instead of printing every progress line (they still go to each train.log).
	Live bool
	// Reuse are other experiments' results directories: a job that is not done here but has a
	// finished run of its configuration in one of them (the same run directory, hash and model)
	// gets a copy of that run (runner.CopyRun) instead of being trained again.
	Reuse []string

	afterStep func(job experiments.Job, step int, m *flow.Model) error // tests: faults, interruptions
}

// Job outcomes besides the run statuses (ok, failed, diverged, interrupted).
const (
	StatusDone       = "done"        // a result of the same configuration was there: not run again
	StatusSameModel  = "same-model"  // a twin: its model's result, copied
	StatusClaimed    = "claimed"     // another live process trains it
	StatusNotStarted = "not-started" // interrupted before it started
)

// ErrStartBy is why a job was not started: Options.StartBy had passed.
var ErrStartBy = errors.New("not started: the time to start jobs (-stop-starting-after) had passed")

// ClaimFile, in a run directory, says which process trains the run.
const ClaimFile = "claim"

// Report is what became of one job.
type Report struct {
	Job     experiments.Job
	Dir     string         // the run directory
	Status  string         // a run status, or StatusDone, StatusSameModel, StatusClaimed, StatusNotStarted
	Result  *runner.Result // the result.json written or found (nil for claimed and not-started jobs)
	Err     error          // why the job failed, was interrupted or could not be run
	Note    string         // e.g. who holds the claim, or why it was re-run
	Trained bool           // this call trained it (from scratch or from a checkpoint)
}

// Failed reports whether the job needs another invocation: it failed, diverged, was interrupted
// or never started.
func (r Report) Failed() bool {
	switch r.Status {
	case runner.StatusOK, StatusDone, StatusClaimed, StatusSameModel:
		return false
	}
	return true
}

// Data is the loaded data sets of an experiment, by identity: a job trains on its configuration's.
type Data map[dataset.ID]*dataset.Splits

// One is the Data of an experiment of one data set.
func One(s *dataset.Splits) Data { return Data{s.ID(): s} }

// Name is how progress lines and the summary name a job: "<cell slug> seed <n>".
func Name(j experiments.Job) string { return fmt.Sprintf("%s seed %d", j.Cell.Slug(), j.Seed) }

// Shard is the jobs of shard k of n (1-based): those whose model's job (Primary) has
// Index % n == k-1, so a twin goes to the shard that trains its model.
func Shard(jobs []experiments.Job, k, n int) []experiments.Job {
	if n <= 0 {
		return jobs
	}
	var out []experiments.Job
	for _, j := range jobs {
		if j.Primary%n == k-1 {
			out = append(out, j)
		}
	}
	return out
}

// Run trains the jobs of an experiment (those of the shard, when one is given) into the results
// directory dir, at most opt.Parallel at once, sharing data read-only. A job whose result.json
// holds status ok and the job's configuration hash is skipped; a result of another
// configuration is moved to replaced-<hash>/ and the job re-run; a failed, diverged or
// interrupted result is re-run (resuming from its checkpoint when there is one of the same
// configuration), unless one of opt.Reuse holds a finished run of it, which is copied. A twin's
// job (Job.Twin) is not trained: its model's result serves it. A failing run is recorded and the
// others go on. When ctx is cancelled, no new job starts and running
// ones stop after their current step, saving a checkpoint. Jobs start seed by seed (seedMajor);
// the reports are in job order.
func Run(ctx context.Context, dir string, jobs []experiments.Job, data Data, opt Options) []Report {
	jobs = Shard(jobs, opt.Shard, opt.Shards)
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.ClaimTimeout == 0 {
		opt.ClaimTimeout = DefaultClaimTimeout
	}
	trainable := 0
	for _, j := range jobs {
		if !j.Twin() {
			trainable++
		}
	}
	out := &lockedWriter{w: opt.Out, live: opt.Live, jobs: trainable}
	reports := make([]Report, len(jobs))
	var g errgroup.Group
	g.SetLimit(max(opt.Parallel, 1))
	var mu sync.Mutex
	finished, trained, failed := 0, 0, 0
	for _, i := range seedMajor(jobs) {
		job := jobs[i]
		runDir := filepath.Join(dir, job.RunDir())
		if job.Twin() {
			continue // written from its model's result below
		}
		if ctx.Err() != nil {
			reports[i] = Report{Job: job, Dir: runDir, Status: StatusNotStarted, Err: ctx.Err()}
			continue
		}
		label := fmt.Sprintf("[%d/%d %s]", i+1, len(jobs), Name(job))
		g.Go(func() error {
			var r Report
			if ctx.Err() != nil { // cancelled while waiting for a worker
				r = Report{Job: job, Dir: runDir, Status: StatusNotStarted, Err: ctx.Err()}
			} else {
				r = runJob(ctx, job, runDir, data, opt, out, label)
			}
			reports[i] = r
			mu.Lock()
			finished++
			if r.Trained && r.Status != runner.StatusInterrupted {
				trained++
			}
			if r.Status == runner.StatusFailed || r.Status == runner.StatusDiverged {
				failed++
			}
			line := label + " " + r.summary() + fmt.Sprintf("  — %d of %d jobs finished (%d trained, %d failed)", finished, trainable, trained, failed)
			mu.Unlock()
			out.finished(label)
			out.line(line)
			return nil
		})
	}
	g.Wait()
	byIndex := map[int]int{} // job Index -> position in jobs
	for i, job := range jobs {
		byIndex[job.Index] = i
	}
	for i, job := range jobs {
		if !job.Twin() {
			continue
		}
		runDir := filepath.Join(dir, job.RunDir())
		p, ok := byIndex[job.Primary]
		if !ok {
			reports[i] = Report{Job: job, Dir: runDir, Status: runner.StatusFailed, Err: fmt.Errorf("the job that trains its model (job %d) is not among the jobs", job.Primary)}
			continue
		}
		reports[i] = writeTwin(job, runDir, reports[p])
		out.line(fmt.Sprintf("[%s] %s", Name(job), reports[i].summary()))
	}
	return reports
}

// seedMajor is the order the pool starts jobs in: every cell of the first seed, then of the next,
// each seed's in job order. An experiment stopped part-way (a long one spans sittings) then holds
// whole seeds, the unit of replication, so its interim report compares cells over them; in job
// order (cell by cell) it would hold whole cells, and no contrast until the last cell began.
func seedMajor(jobs []experiments.Job) []int {
	rank := map[uint64]int{} // seed -> its place among the jobs' seeds
	for _, j := range jobs {
		if _, ok := rank[j.Seed]; !ok {
			rank[j.Seed] = len(rank)
		}
	}
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rank[jobs[order[a]].Seed] < rank[jobs[order[b]].Seed] })
	return order
}

// writeTwin gives a twin job its model's result (runner.CopyTwin). A twin whose model's run did
// not end ok is left as it is, with the reason.
func writeTwin(job experiments.Job, dir string, prep Report) Report {
	rep := Report{Job: job, Dir: dir}
	primary := Name(prep.Job)
	if prep.Result == nil || (prep.Status != runner.StatusOK && prep.Status != StatusDone) {
		rep.Status = prep.Status // claimed, failed, diverged, interrupted, not started: as its model's run
		if rep.Status == runner.StatusInterrupted {
			rep.Status = StatusNotStarted
		}
		rep.Err = fmt.Errorf("the same model as %s, which is %s: its result will serve this job", primary, prep.Status)
		return rep
	}
	if r, _ := runner.ReadResult(filepath.Join(dir, runner.ResultFile)); usable(r, job) &&
		r.SameModelAs == prep.Result.Cell() && r.TestBPD == prep.Result.TestBPD {
		rep.Status, rep.Result, rep.Note = StatusSameModel, r, "same model as "+primary
		return rep
	}
	r, err := runner.CopyTwin(prep.Dir, dir, *prep.Result, job.Config)
	if err != nil {
		rep.Status, rep.Err = runner.StatusFailed, err
		return rep
	}
	rep.Status, rep.Result, rep.Note = StatusSameModel, &r, "same model as "+primary
	return rep
}

// usable reports whether r is a finished result of job: status ok, the job's configuration hash
// and, when the result records one, the fingerprint of the job's model.
func usable(r *runner.Result, job experiments.Job) bool {
	return r != nil && r.Status == runner.StatusOK && r.ConfigHash == job.Config.Hash() && r.OfModel(fingerprint(job))
}

// fingerprint is the fingerprint of job's model ("" when it cannot be laid out).
func fingerprint(job experiments.Job) string {
	fp, err := job.Cell.Fingerprint(experiments.ImageShape, job.Config.Sizes)
	if err != nil {
		return ""
	}
	return fp
}

// summary is the report's progress line: status, test bpd, note and error.
func (r Report) summary() string {
	line := r.Status
	if r.Result != nil && (r.Status == runner.StatusOK || r.Status == StatusDone || r.Status == StatusSameModel) {
		line += fmt.Sprintf(": test %.4f bpd", r.Result.TestBPD)
	}
	if r.Note != "" {
		line += " (" + r.Note + ")"
	}
	if r.Err != nil && r.Status != StatusNotStarted || r.Err != nil && r.Job.Twin() {
		line += ": " + r.Err.Error()
	}
	return line
}

// runJob does one job: skip it, or claim and train it and write its files.
func runJob(ctx context.Context, job experiments.Job, dir string, data Data, opt Options, out *lockedWriter, label string) Report {
	rep := Report{Job: job, Dir: dir}
	hash := job.Config.Hash()
	resultPath := filepath.Join(dir, runner.ResultFile)
	if r, _ := runner.ReadResult(resultPath); usable(r, job) {
		rep.Status, rep.Result = StatusDone, r
		return rep
	}
	if !opt.StartBy.IsZero() && !time.Now().Before(opt.StartBy) {
		rep.Status, rep.Err = StatusNotStarted, ErrStartBy
		return rep
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		rep.Status, rep.Err = runner.StatusFailed, err
		return rep
	}
	release, owner, err := acquireClaim(filepath.Join(dir, ClaimFile), opt.ClaimTimeout)
	if err != nil {
		rep.Status, rep.Err = runner.StatusFailed, err
		return rep
	}
	if owner != nil {
		rep.Status, rep.Note = StatusClaimed, "trained by "+owner.String()
		return rep
	}
	defer release()
	runner.RemoveTempFiles(dir) // left by a process killed while writing: the claim makes them ours
	// Look again: another process may have finished it between the first look and the claim.
	prev, perr := runner.ReadResult(resultPath)
	if errors.Is(perr, runner.ErrImplausible) {
		where, err := runner.SetAside(resultPath, perr.Error())
		if err != nil {
			rep.Status, rep.Err = runner.StatusFailed, err
			return rep
		}
		out.line(fmt.Sprintf("%s the result.json there is unusable (%v): set aside as %s; training again", label, perr, where))
		perr = nil
	}
	switch {
	case usable(prev, job):
		rep.Status, rep.Result = StatusDone, prev
		return rep
	case prev != nil && (prev.ConfigHash != hash || !prev.OfModel(fingerprint(job))):
		what, tag := "configuration ("+prev.ConfigHash+")", prev.ConfigHash
		if prev.ConfigHash == hash {
			what, tag = fmt.Sprintf("model (fingerprint %.12s…: the variant's layout changed)", prev.Model), prev.ConfigHash+"-"+prev.Model[:min(12, len(prev.Model))]
		}
		moved, err := runner.MoveAside(dir, tag)
		if err != nil {
			rep.Status, rep.Err = runner.StatusFailed, err
			return rep
		}
		rep.Note = fmt.Sprintf("the result there was of another %s, moved to %s", what, moved)
	case prev != nil && prev.Status == runner.StatusInterrupted:
		rep.Note = "continued: the previous run was interrupted" // from its checkpoint, if it saved one (train says which step)
	case prev != nil:
		rep.Note = fmt.Sprintf("re-run: the previous run ended %s", prev.Status)
	case perr != nil && !errors.Is(perr, fs.ErrNotExist):
		rep.Status, rep.Err = runner.StatusFailed, perr
		return rep
	}
	if rep.Note != "" {
		out.line(label + " " + rep.Note)
	}
	if from := Reusable(opt.Reuse, job); from != "" {
		return copyRun(rep, from)
	}
	splits, ok := data[job.Config.Data]
	if !ok {
		rep.Status, rep.Err = runner.StatusFailed, fmt.Errorf("no data loaded for %s", job.Config.Data)
		return rep
	}
	return train(ctx, rep, splits, opt, out, label)
}

// copyRun gives a claimed job the finished run of its configuration in the results directory
// from.
func copyRun(rep Report, from string) Report {
	src := filepath.Join(from, rep.Job.RunDir())
	if err := runner.CopyRun(src, rep.Dir); err != nil {
		rep.Status, rep.Err = runner.StatusFailed, err
		return rep
	}
	r, err := runner.ReadResult(filepath.Join(rep.Dir, runner.ResultFile))
	if err != nil || !usable(r, rep.Job) {
		rep.Status, rep.Err = runner.StatusFailed, fmt.Errorf("the copy of %s is not a finished run of this job: %v", src, err)
		return rep
	}
	rep.Status, rep.Result, rep.Note = StatusDone, r, "copied from "+src
	os.Remove(filepath.Join(rep.Dir, runner.CheckpointFile)) // an interrupted run's here: finished now
	return rep
}

// train trains a claimed job and writes its files.
func train(ctx context.Context, rep Report, data *dataset.Splits, opt Options, out *lockedWriter, label string) Report {
	job, dir := rep.Job, rep.Dir
	logFile, err := os.OpenFile(filepath.Join(dir, runner.LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		rep.Status, rep.Err = runner.StatusFailed, err
		return rep
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "--- %s: %s (pid %d on %s)\n", time.Now().Format(time.DateTime), Name(job), os.Getpid(), hostname())
	log := &prefixWriter{prefix: label + " ", out: out, file: logFile}
	ckpt := filepath.Join(dir, runner.CheckpointFile)
	topt := runner.Options{Checkpoint: ckpt, CheckpointEvery: opt.CheckpointEvery}
	if opt.afterStep != nil {
		topt.AfterStep = func(step int, m *flow.Model) error { return opt.afterStep(job, step, m) }
	}
	o, trainErr := runner.Train(ctx, job.Config, data, log, topt)
	log.flush()
	rep.Trained, rep.Status, rep.Err = true, o.Result.Status, trainErr
	if trainErr != nil {
		fmt.Fprintf(logFile, "--- ended %s: %v\n", o.Result.Status, trainErr)
	}
	if err := runner.WriteOutcome(dir, o, data.Train.H, data.Train.W); err != nil {
		rep.Status, rep.Err = runner.StatusFailed, errors.Join(trainErr, err)
		return rep
	}
	r := o.Result
	rep.Result = &r
	if r.Status == runner.StatusOK || r.Status == runner.StatusDiverged {
		os.Remove(ckpt) // finished, or would diverge again from it: a later run starts afresh
	}
	return rep
}
