package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"squeezebench/dataset"
	"squeezebench/flow"
)

// AblationJob is one run of an ablation: a configuration and the directory its results go to.
type AblationJob struct {
	Index  int    // position among all jobs of the experiment (shards select by it)
	Name   string // how progress lines and the summary name it
	Dir    string // the run directory: result.json, metrics.csv, samples.png, train.log, checkpoint.bin, claim
	Config Config
	// TwinOf, when set, is the job that trains this job's model: its cell is the same model (a
	// structural twin) and it has the same seed. A twin is not trained: the primary's result is
	// copied into its directory, saying so.
	TwinOf *AblationJob
}

// Twin reports whether the job's model is trained by another job.
func (j AblationJob) Twin() bool { return j.TwinOf != nil }

// primary is the Index of the job that trains j's model.
func (j AblationJob) primary() int {
	if j.TwinOf != nil {
		return j.TwinOf.Index
	}
	return j.Index
}

// AblateOptions say how Ablate runs the jobs.
type AblateOptions struct {
	Parallel int // runs trained at once (at least 1)
	// Shard K of Shards (1-based) runs the jobs with Index % Shards == K-1; Shards 0: all jobs.
	Shard, Shards int
	// CheckpointEvery is the steps between checkpoints (0: only when interrupted).
	CheckpointEvery int
	ClaimTimeout    time.Duration // 0: DefaultClaimTimeout
	Out             io.Writer     // progress lines; nil: io.Discard
	// Live keeps a status block (a line per running job, a bar of finished jobs) at the bottom of
	// Out, a terminal, instead of printing every progress line (they still go to each train.log).
	Live bool

	afterStep func(job AblationJob, step int, m *flow.Model) error // tests: faults, interruptions
}

// Job outcomes besides the run statuses (ok, failed, diverged, interrupted).
const (
	StatusDone       = "done"        // a result of the same configuration was there: not run again
	StatusSameModel  = "same-model"  // a twin: its primary's result, copied
	StatusClaimed    = "claimed"     // another live process trains it
	StatusNotStarted = "not-started" // interrupted before it started
)

// JobReport is what became of one job.
type JobReport struct {
	Job     AblationJob
	Status  string  // a run status, or StatusDone, StatusClaimed, StatusNotStarted
	Result  *Result // the result.json written or found (nil for claimed and not-started jobs)
	Err     error   // why the job failed, was interrupted or could not be run
	Note    string  // e.g. who holds the claim, or why it was re-run
	Trained bool    // this call trained it (from scratch or from a checkpoint)
}

// Failed reports whether the job needs another invocation: it failed, diverged, was interrupted
// or never started.
func (r JobReport) Failed() bool {
	switch r.Status {
	case StatusOK, StatusDone, StatusClaimed, StatusSameModel:
		return false
	}
	return true
}

// ShardJobs is the jobs of shard k of n (1-based): those whose primary has Index % n == k-1, so a
// twin goes to the shard that trains its model.
func ShardJobs(jobs []AblationJob, k, n int) []AblationJob {
	if n <= 0 {
		return jobs
	}
	var out []AblationJob
	for _, j := range jobs {
		if j.primary()%n == k-1 {
			out = append(out, j)
		}
	}
	return out
}

// Ablate trains the jobs (those of the shard, when one is given) with at most opt.Parallel at
// once, sharing data read-only. A job whose result.json holds status ok and the job's
// configuration hash is skipped; a result of another configuration is moved to
// replaced-<hash>/ and the job re-run; a failed, diverged or interrupted result is re-run
// (resuming from its checkpoint when there is one of the same configuration). A failing run is
// recorded and the others go on. When ctx is cancelled, no new job starts and running ones stop
// after their current step, saving a checkpoint. The reports are in job order.
func Ablate(ctx context.Context, jobs []AblationJob, data *dataset.Splits, opt AblateOptions) []JobReport {
	jobs = ShardJobs(jobs, opt.Shard, opt.Shards)
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
	reports := make([]JobReport, len(jobs))
	var g errgroup.Group
	g.SetLimit(max(opt.Parallel, 1))
	var mu sync.Mutex
	finished, trained, failed := 0, 0, 0
	byIndex := map[int]int{} // job Index -> position in jobs
	for i, job := range jobs {
		byIndex[job.Index] = i
	}
	for i, job := range jobs {
		if job.Twin() {
			continue // written from its primary's result below
		}
		if ctx.Err() != nil {
			reports[i] = JobReport{Job: job, Status: StatusNotStarted, Err: ctx.Err()}
			continue
		}
		label := fmt.Sprintf("[%d/%d %s]", i+1, len(jobs), job.Name)
		g.Go(func() error {
			var r JobReport
			if ctx.Err() != nil { // cancelled while waiting for a worker
				r = JobReport{Job: job, Status: StatusNotStarted, Err: ctx.Err()}
			} else {
				r = runJob(ctx, job, data, opt, out, label)
			}
			reports[i] = r
			mu.Lock()
			finished++
			if r.Trained && r.Status != StatusInterrupted {
				trained++
			}
			if r.Status == StatusFailed || r.Status == StatusDiverged {
				failed++
			}
			line := label + " " + r.summary()
			line += fmt.Sprintf("  — %d of %d jobs finished (%d trained, %d failed)", finished, trainable, trained, failed)
			mu.Unlock()
			out.finished(label)
			out.line(line)
			return nil
		})
	}
	g.Wait()
	for i, job := range jobs {
		if !job.Twin() {
			continue
		}
		p, ok := byIndex[job.TwinOf.Index]
		if !ok {
			reports[i] = JobReport{Job: job, Status: StatusFailed, Err: fmt.Errorf("the job that trains its model, %s, is not among the jobs", job.TwinOf.Name)}
			continue
		}
		reports[i] = writeTwin(job, jobs[p], reports[p])
		out.line(fmt.Sprintf("[%s] %s", job.Name, reports[i].summary()))
	}
	return reports
}

// writeTwin gives a twin job its primary's result: result.json with the twin's cell, configuration
// and hash and same_model_as naming the primary's cell, and the primary's metrics.csv and
// samples.png. A twin whose primary did not end ok is left as it is, with the reason.
func writeTwin(job, primary AblationJob, prep JobReport) JobReport {
	rep := JobReport{Job: job}
	if prep.Result == nil || (prep.Status != StatusOK && prep.Status != StatusDone) {
		rep.Status = prep.Status // claimed, failed, diverged, interrupted, not started: as its primary
		if rep.Status == StatusInterrupted {
			rep.Status = StatusNotStarted
		}
		rep.Err = fmt.Errorf("the same model as %s, which is %s: its result will serve this job", primary.Name, prep.Status)
		return rep
	}
	hash := job.Config.Hash()
	if r, _ := ReadResult(filepath.Join(job.Dir, "result.json")); r != nil && r.Status == StatusOK && r.ConfigHash == hash &&
		r.SameModelAs == prep.Result.Cell && r.TestBPD == prep.Result.TestBPD {
		rep.Status, rep.Result, rep.Note = StatusSameModel, r, "same model as "+primary.Name
		return rep
	}
	r := *prep.Result
	tw := newResult(job.Config)
	r.Variants, r.Cell, r.Config, r.ConfigHash = tw.Variants, tw.Cell, tw.Config, tw.ConfigHash
	r.SameModelAs = prep.Result.Cell
	if err := os.MkdirAll(job.Dir, 0o755); err != nil {
		rep.Status, rep.Err = StatusFailed, err
		return rep
	}
	for _, f := range []string{"metrics.csv", "samples.png"} {
		b, err := os.ReadFile(filepath.Join(primary.Dir, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			err = WriteFileAtomic(filepath.Join(job.Dir, f), b)
		}
		if err != nil {
			rep.Status, rep.Err = StatusFailed, err
			return rep
		}
	}
	if err := writeResult(job.Dir, r); err != nil {
		rep.Status, rep.Err = StatusFailed, err
		return rep
	}
	rep.Status, rep.Result, rep.Note = StatusSameModel, &r, "same model as "+primary.Name
	return rep
}

// summary is the report's progress line: status, test bpd, note and error.
func (r JobReport) summary() string {
	line := r.Status
	if r.Result != nil && (r.Status == StatusOK || r.Status == StatusDone || r.Status == StatusSameModel) {
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
func runJob(ctx context.Context, job AblationJob, data *dataset.Splits, opt AblateOptions, out *lockedWriter, label string) JobReport {
	rep := JobReport{Job: job}
	hash := job.Config.Hash()
	if err := os.MkdirAll(job.Dir, 0o755); err != nil {
		rep.Status, rep.Err = StatusFailed, err
		return rep
	}
	if r, _ := ReadResult(filepath.Join(job.Dir, "result.json")); r != nil && r.Status == StatusOK && r.ConfigHash == hash {
		rep.Status, rep.Result = StatusDone, r
		return rep
	}
	release, owner, err := acquireClaim(filepath.Join(job.Dir, "claim"), opt.ClaimTimeout)
	if err != nil {
		rep.Status, rep.Err = StatusFailed, err
		return rep
	}
	if owner != nil {
		rep.Status, rep.Note = StatusClaimed, "trained by "+owner.String()
		return rep
	}
	defer release()
	removeTempFiles(job.Dir) // left by a process killed while writing: the claim makes them ours
	// Look again: another process may have finished it between the first look and the claim.
	prev, perr := ReadResult(filepath.Join(job.Dir, "result.json"))
	if errors.Is(perr, ErrImplausible) {
		where, err := SetAside(filepath.Join(job.Dir, "result.json"), perr.Error())
		if err != nil {
			rep.Status, rep.Err = StatusFailed, err
			return rep
		}
		out.line(fmt.Sprintf("%s the result.json there is unusable (%v): set aside as %s; training again", label, perr, where))
		perr = nil
	}
	switch {
	case prev != nil && prev.Status == StatusOK && prev.ConfigHash == hash:
		rep.Status, rep.Result = StatusDone, prev
		return rep
	case prev != nil && prev.ConfigHash != hash:
		moved, err := moveAside(job.Dir, prev.ConfigHash)
		if err != nil {
			rep.Status, rep.Err = StatusFailed, err
			return rep
		}
		rep.Note = fmt.Sprintf("the result there was of another configuration (%s), moved to %s", prev.ConfigHash, moved)
	case prev != nil:
		rep.Note = fmt.Sprintf("re-run: the previous run ended %s", prev.Status)
	case perr != nil && !errors.Is(perr, fs.ErrNotExist):
		rep.Status, rep.Err = StatusFailed, perr
		return rep
	}
	if rep.Note != "" {
		out.line(label + " " + rep.Note)
	}
	logFile, err := os.OpenFile(filepath.Join(job.Dir, "train.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		rep.Status, rep.Err = StatusFailed, err
		return rep
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "--- %s: %s (pid %d on %s)\n", time.Now().Format(time.DateTime), job.Name, os.Getpid(), hostname())
	log := &prefixWriter{prefix: label + " ", out: out, file: logFile}
	ckpt := filepath.Join(job.Dir, "checkpoint.bin")
	topt := Options{Checkpoint: ckpt, CheckpointEvery: opt.CheckpointEvery}
	if opt.afterStep != nil {
		topt.AfterStep = func(step int, m *flow.Model) error { return opt.afterStep(job, step, m) }
	}
	o, trainErr := TrainWith(ctx, job.Config, data, log, topt)
	log.flush()
	rep.Trained, rep.Status, rep.Err = true, o.Result.Status, trainErr
	if trainErr != nil {
		fmt.Fprintf(logFile, "--- ended %s: %v\n", o.Result.Status, trainErr)
	}
	if err := WriteOutcome(job.Dir, o, data.Train.H, data.Train.W); err != nil {
		rep.Status, rep.Err = StatusFailed, errors.Join(trainErr, err)
		return rep
	}
	r := o.Result
	rep.Result = &r
	if o.Result.Status == StatusOK || o.Result.Status == StatusDiverged {
		os.Remove(ckpt) // finished, or would diverge again from it: a later run starts afresh
	}
	return rep
}

// ReadResult reads a run's result.json and validates it (Result.Validate): a file that does not
// parse, or whose values cannot be those of a finished run, is an error wrapping ErrImplausible.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrImplausible, err)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// removeTempFiles removes the temporary files of WriteFileAtomic left in dir by a process that
// was killed mid-write (.checkpoint.bin.tmp123, .result.json.tmp456, ...).
func removeTempFiles(dir string) {
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	for _, f := range left {
		os.Remove(f)
	}
}

// moveAside moves the files of a run of another configuration into replaced-<hash>/, so that
// results of two configurations are never mixed and none is lost.
func moveAside(dir, hash string) (string, error) {
	to := filepath.Join(dir, "replaced-"+hash)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return "", err
	}
	for _, f := range []string{"result.json", "metrics.csv", "samples.png", "train.log", "checkpoint.bin"} {
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(to, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return to, nil
}

// lockedWriter writes whole lines from many goroutines. Live, it keeps a status block at the
// bottom of a terminal instead of printing every progress line: one line per running job with its
// latest step, and a bar of finished jobs; other lines scroll above it.
type lockedWriter struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	jobs  int               // jobs in this invocation, for the bar
	done  int               // jobs finished
	state map[string]string // running job label -> its latest progress line
	order []string          // running job labels, in start order
	drawn int               // lines of the status block on screen
}

func (l *lockedWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearLocked()
	io.WriteString(l.w, strings.TrimRight(s, "\n")+"\n")
	l.drawLocked()
}

// progress records a job's progress line: shown in its status line when live, printed otherwise.
func (l *lockedWriter) progress(label, s string) {
	if !l.live {
		l.line(label + " " + s)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == nil {
		l.state = map[string]string{}
	}
	if _, ok := l.state[label]; !ok {
		l.order = append(l.order, label)
	}
	l.state[label] = strings.TrimSpace(s)
	l.clearLocked()
	l.drawLocked()
}

// finished drops a job's status line and counts it.
func (l *lockedWriter) finished(label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done++
	delete(l.state, label)
	for i, k := range l.order {
		if k == label {
			l.order = append(l.order[:i], l.order[i+1:]...)
			break
		}
	}
}

func (l *lockedWriter) clearLocked() {
	if l.live && l.drawn > 0 {
		fmt.Fprintf(l.w, "\x1b[%dA\x1b[J", l.drawn) // up, then erase to the end of the screen
		l.drawn = 0
	}
}

func (l *lockedWriter) drawLocked() {
	if !l.live {
		return
	}
	for _, k := range l.order {
		fmt.Fprintf(l.w, "%s %s\n", k, l.state[k])
	}
	const width = 30
	filled := 0
	if l.jobs > 0 {
		filled = width * l.done / l.jobs
	}
	fmt.Fprintf(l.w, "[%s%s] %d of %d jobs finished\n", strings.Repeat("#", filled), strings.Repeat(".", width-filled), l.done, l.jobs)
	l.drawn = len(l.order) + 1
}

// prefixWriter sends each complete line to out with a prefix and to file as it is.
type prefixWriter struct {
	prefix string
	out    *lockedWriter
	file   io.Writer
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.file.Write(b)
	p.buf.Write(b)
	for {
		i := bytes.IndexByte(p.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		text := strings.TrimLeft(string(p.buf.Next(i+1)), " ")
		if strings.HasPrefix(text, "step ") {
			p.out.progress(strings.TrimSpace(p.prefix), text)
		} else {
			p.out.line(p.prefix + text)
		}
	}
}

func (p *prefixWriter) flush() {
	if p.buf.Len() > 0 {
		p.out.line(p.prefix + p.buf.String())
		p.buf.Reset()
	}
}

// WriteSummary prints the table of the jobs: cell, seed, status, test and validation bpd,
// ms/step and wall time.
func WriteSummary(w io.Writer, reports []JobReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cell\tseed\tstatus\ttest bpd\tval bpd\tms/step\twall\t")
	for _, r := range reports {
		cfg := r.Job.Config
		test, val, ms, wall := "-", "-", "-", "-"
		if res := r.Result; res != nil {
			if res.Status == StatusOK {
				test, val = fmt.Sprintf("%.4f", res.TestBPD), fmt.Sprintf("%.4f", res.ValBPD)
			}
			if res.MsPerStep > 0 {
				ms = fmt.Sprintf("%.0f", res.MsPerStep)
			}
			wall = (time.Duration(res.WallSeconds * float64(time.Second))).Round(time.Second).String()
		}
		status := r.Status
		switch r.Status {
		case StatusDone:
			status = "ok (done before)"
		case StatusSameModel:
			status = "ok (" + r.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", cfg.Cell.Slug(), cfg.Seed, status, test, val, ms, wall)
	}
	tw.Flush()
}
