package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
)

var (
	mnistOnce sync.Once
	mnist     *dataset.Splits
	mnistErr  error
)

func loadMNIST(t *testing.T) *dataset.Splits {
	t.Helper()
	mnistOnce.Do(func() { mnist, mnistErr = dataset.Load("") })
	if mnistErr != nil {
		t.Fatalf("loading MNIST: %v", mnistErr)
	}
	return mnist
}

// smokeJobs is n smoke jobs of steps steps: the two couplings alternating, seeds 1, 1, 2, 2, ...
func smokeJobs(t *testing.T, n, steps int) []experiments.Job {
	t.Helper()
	cells := []variants.Cell{{}, {variants.Coupling: "rowwise"}}
	var jobs []experiments.Job
	for i := 0; i < n; i++ {
		cfg, err := runner.Preset("smoke")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Cell, cfg.Seed, cfg.Steps, cfg.ValEvery = cells[i%2], uint64(1+i/2), steps, steps
		cfg.Workers, cfg.LogEvery = 1, 1
		// Evaluation and sampling cost more than the steps: keep them tiny (-race is slow).
		cfg.ValImages, cfg.TestImages, cfg.ImportanceSamples, cfg.EvalBatch, cfg.SampleImages = 16, 16, 1, 16, 0
		jobs = append(jobs, experiments.Job{Index: i, Cell: cfg.Cell, Seed: cfg.Seed, Config: cfg, Primary: i})
	}
	return jobs
}

// runDir is the run directory of job j in the results directory dir.
func runDir(dir string, j experiments.Job) string { return filepath.Join(dir, j.RunDir()) }

func statuses(reports []Report) string {
	var s []string
	for _, r := range reports {
		st := r.Status
		if r.Trained {
			st += "*"
		}
		s = append(s, st)
	}
	return strings.Join(s, " ")
}

// Skip-if-done, a changed configuration re-run with the old result moved aside, and a pool
// that trains at most Parallel runs at once.
func TestAblateSkipsDoneAndRerunsChanged(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 3, 4)
	var mu sync.Mutex
	active, most := map[string]bool{}, 0
	opt := Options{Parallel: 2, afterStep: func(j experiments.Job, step int, _ *flow.Model) error {
		mu.Lock()
		active[Name(j)] = step < j.Config.Steps
		n := 0
		for _, a := range active {
			if a {
				n++
			}
		}
		most = max(most, n)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		return nil
	}}
	var out strings.Builder
	opt.Out = &out
	if got := statuses(Run(context.Background(), dir, jobs, One(data), opt)); got != "ok* ok* ok*" {
		t.Fatalf("first run: %s\n%s", got, out.String())
	}
	if most > 2 {
		t.Errorf("%d runs trained at once, want at most 2", most)
	}
	for _, j := range jobs {
		for _, f := range []string{"result.json", "metrics.csv", "train.log"} {
			if _, err := os.Stat(filepath.Join(runDir(dir, j), f)); err != nil {
				t.Error(err)
			}
		}
		for _, f := range []string{"claim", "checkpoint.bin"} {
			if _, err := os.Stat(filepath.Join(runDir(dir, j), f)); err == nil {
				t.Errorf("%s left in %s", f, runDir(dir, j))
			}
		}
	}
	if !strings.Contains(out.String(), "[1/3 "+Name(jobs[0])+"] ") {
		t.Errorf("progress lines lack the job prefix:\n%s", out.String())
	}
	if got := statuses(Run(context.Background(), dir, jobs, One(data), opt)); got != "done done done" {
		t.Errorf("second run: %s, want every job done", got)
	}
	old := jobs[1].Config.Hash()
	jobs[1].Config.Steps = 5
	reps := Run(context.Background(), dir, jobs, One(data), opt)
	if got := statuses(reps); got != "done ok* done" {
		t.Errorf("after changing job 2: %s, want only it re-run", got)
	}
	if r, err := runner.ReadResult(filepath.Join(runDir(dir, jobs[1]), "result.json")); err != nil || r.ConfigHash != jobs[1].Config.Hash() || r.Steps != 5 {
		t.Errorf("job 2's result: %+v, %v", r, err)
	}
	if r, err := runner.ReadResult(filepath.Join(runDir(dir, jobs[1]), "replaced-"+old, "result.json")); err != nil || r.ConfigHash != old {
		t.Errorf("the replaced result was not kept aside: %v", err)
	}
	if !strings.Contains(reps[1].Note, "another configuration") {
		t.Errorf("note %q", reps[1].Note)
	}
}

// A diverging run is recorded and the others go on; the next invocation re-runs it only.
func TestAblateFailureIsolation(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 3, 3)
	poison := func(j experiments.Job, step int, m *flow.Model) error {
		if j.Index == 1 && step == 2 {
			m.Params[0].Value.Data().([]float32)[0] = float32(math.NaN())
		}
		return nil
	}
	reps := Run(context.Background(), dir, jobs, One(data), Options{Parallel: 2, afterStep: poison})
	if got := statuses(reps); got != "ok* diverged* ok*" {
		t.Fatalf("statuses %s", got)
	}
	if !reps[1].Failed() || reps[0].Failed() {
		t.Error("Failed() is wrong")
	}
	var r runner.Result
	b, _ := os.ReadFile(filepath.Join(runDir(dir, jobs[1]), "result.json"))
	if err := json.Unmarshal(b, &r); err != nil || r.Status != runner.StatusDiverged || !strings.Contains(r.Error, "diverged") {
		t.Errorf("result.json of the diverged run: %+v, %v", r, err)
	}
	var sum strings.Builder
	WriteSummary(&sum, reps)
	if !strings.Contains(sum.String(), "diverged") || strings.Count(sum.String(), "\n") != 4 {
		t.Errorf("summary:\n%s", sum.String())
	}
	reps = Run(context.Background(), dir, jobs, One(data), Options{Parallel: 2})
	if got := statuses(reps); got != "done ok* done" {
		t.Errorf("second invocation: %s, want only the diverged job re-run", got)
	}
	if !strings.Contains(reps[1].Note, "diverged") {
		t.Errorf("note %q, want it to say the previous run diverged", reps[1].Note)
	}
}

// Interrupting stops the pool between jobs and the runs between steps; the next invocation
// resumes from the checkpoints and gives exactly the numbers of an uninterrupted ablation.
func TestAblateInterruptAndResume(t *testing.T) {
	data := loadMNIST(t)
	clean := smokeJobs(t, 3, 4)
	want := Run(context.Background(), t.TempDir(), clean, One(data), Options{Parallel: 1})
	dir := t.TempDir()
	jobs := smokeJobs(t, 3, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reps := Run(ctx, dir, jobs, One(data), Options{Parallel: 1, afterStep: func(j experiments.Job, step int, _ *flow.Model) error {
		if j.Index == 1 && step == 2 {
			cancel()
		}
		return nil
	}})
	if got := statuses(reps); got != "ok* interrupted* not-started" {
		t.Fatalf("interrupted ablation: %s", got)
	}
	if _, err := os.Stat(filepath.Join(runDir(dir, jobs[1]), "checkpoint.bin")); err != nil {
		t.Fatalf("the interrupted run saved no checkpoint: %v", err)
	}
	reps = Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1})
	if got := statuses(reps); got != "done ok* ok*" {
		t.Fatalf("resumed ablation: %s", got)
	}
	if !strings.HasPrefix(reps[1].Note, "continued: the previous run was interrupted") {
		t.Errorf("the resumed job's note: %q", reps[1].Note)
	}
	log, _ := os.ReadFile(filepath.Join(runDir(dir, jobs[1]), "train.log"))
	if !strings.Contains(string(log), "resuming from the checkpoint at step 2 ") {
		t.Errorf("train.log does not show the resume:\n%s", log)
	}
	for i := range jobs {
		a, b := want[i].Result, reps[i].Result
		if a.TrainBPD != b.TrainBPD || a.ValBPD != b.ValBPD || a.TestBPD != b.TestBPD {
			t.Errorf("job %d: %v/%v/%v, uninterrupted %v/%v/%v", i, b.TrainBPD, b.ValBPD, b.TestBPD, a.TrainBPD, a.ValBPD, a.TestBPD)
		}
	}
}

// Two pools (as two shard processes would) on one results directory train every job exactly
// once between them, whether they split the jobs by shard or both take all of them.
func TestConcurrentAblationsOneDir(t *testing.T) {
	data := loadMNIST(t)
	for _, sharded := range []bool{true, false} {
		t.Run(fmt.Sprintf("sharded=%v", sharded), func(t *testing.T) {
			jobs := smokeJobs(t, 4, 4)
			dir := t.TempDir()
			var reps [2][]Report
			var wg sync.WaitGroup
			for p := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					opt := Options{Parallel: 1}
					if sharded {
						opt.Shard, opt.Shards = p+1, 2
					}
					reps[p] = Run(context.Background(), dir, jobs, One(data), opt)
				}()
			}
			wg.Wait()
			trained := map[int]int{}
			for p := range 2 {
				for _, r := range reps[p] {
					if r.Trained {
						trained[r.Job.Index]++
					}
					if r.Failed() {
						t.Errorf("pool %d: job %s %s: %v", p, Name(r.Job), r.Status, r.Err)
					}
				}
			}
			for _, j := range jobs {
				if trained[j.Index] != 1 {
					t.Errorf("job %s trained %d times", Name(j), trained[j.Index])
				}
				log, _ := os.ReadFile(filepath.Join(runDir(dir, j), "train.log"))
				if n := strings.Count(string(log), " parameters, "); n != 1 {
					t.Errorf("job %s: train.log shows %d trainings", Name(j), n)
				}
			}
			if sharded && (len(reps[0]) != 2 || len(reps[1]) != 2 || reps[0][0].Job.Index != 0 || reps[1][0].Job.Index != 1) {
				t.Errorf("shards 1/2 and 2/2 got %d and %d jobs", len(reps[0]), len(reps[1]))
			}
		})
	}
}

func TestClaims(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "claim")
	release, owner, err := acquireClaim(path, time.Minute)
	if err != nil || owner != nil {
		t.Fatalf("first claim: %v, %v", owner, err)
	}
	if _, owner, err := acquireClaim(path, time.Minute); err != nil || owner == nil || owner.PID != os.Getpid() {
		t.Errorf("second claim while held: owner %v, %v; want the first owner", owner, err)
	}
	release()
	if _, err := os.Stat(path); err == nil {
		t.Error("release left the claim")
	}
	write := func(c claim, age time.Duration) {
		b, _ := json.Marshal(c)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		os.Chtimes(path, old, old)
	}
	cases := []struct {
		name  string
		c     claim
		age   time.Duration
		stale bool
	}{
		{"dead pid on this host", claim{Host: hostname(), PID: 1 << 30}, 0, true},
		{"live pid on this host", claim{Host: hostname(), PID: os.Getpid(), Start: processStart(os.Getpid())}, 0, false},
		// The pid is alive but belongs to a later process than the claim's owner (pid reuse).
		{"pid reused by another process", claim{Host: hostname(), PID: os.Getpid(), Start: processStart(os.Getpid()) + 1}, 0, true},
		{"fresh claim of another host", claim{Host: "elsewhere", PID: 1 << 30}, 0, false},
		{"old claim of another host", claim{Host: "elsewhere", PID: 1}, 2 * time.Minute, true},
	}
	for _, tc := range cases {
		write(tc.c, tc.age)
		release, owner, err := acquireClaim(path, time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := owner == nil; got != tc.stale {
			t.Errorf("%s: taken over %v, want %v", tc.name, got, tc.stale)
		}
		if release != nil {
			release()
		}
		os.Remove(path)
	}
}

func TestShardJobs(t *testing.T) {
	var jobs []experiments.Job
	for i := range 7 {
		jobs = append(jobs, experiments.Job{Index: i, Primary: i})
	}
	seen := map[int]int{}
	for k := 1; k <= 3; k++ {
		for _, j := range Shard(jobs, k, 3) {
			if j.Index%3 != k-1 {
				t.Errorf("shard %d/3 has job %d", k, j.Index)
			}
			seen[j.Index]++
		}
	}
	for i := range 7 {
		if seen[i] != 1 {
			t.Errorf("job %d is in %d shards", i, seen[i])
		}
	}
}

// A killed process not yet reaped by its parent (a zombie) holds no claim.
func TestZombieIsDead(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	if !processAlive(cmd.Process.Pid) {
		t.Error("a running process counts as dead")
	}
	cmd.Process.Kill()
	time.Sleep(100 * time.Millisecond)
	if processAlive(cmd.Process.Pid) {
		t.Error("a killed, unreaped process counts as alive")
	}
	cmd.Wait()
}

// A twin job is not trained: its primary's result serves it, with the twin's own cell and
// configuration hash and same_model_as naming the primary's cell; shards keep them together.
func TestTwinsAreTrainedOnce(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 2, 4)
	// Job 1 (rowwise, seed 1) is declared the twin of job 0 (channelwise, seed 1): the runner
	// takes the declaration as given (experiments finds real twins by fingerprint).
	jobs[1].Primary = 0
	trained := map[string]bool{}
	var mu sync.Mutex
	opt := Options{Parallel: 2, afterStep: func(j experiments.Job, _ int, _ *flow.Model) error {
		mu.Lock()
		trained[Name(j)] = true
		mu.Unlock()
		return nil
	}}
	reports := Run(context.Background(), dir, jobs, One(data), opt)
	if got := statuses(reports); got != "ok* same-model" {
		t.Fatalf("statuses %q, want %q", got, "ok* same-model")
	}
	if trained[Name(jobs[1])] || !trained[Name(jobs[0])] {
		t.Errorf("trained %v: want only the primary", trained)
	}
	prim, err := runner.ReadResult(filepath.Join(runDir(dir, jobs[0]), "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	twin, err := runner.ReadResult(filepath.Join(runDir(dir, jobs[1]), "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if twin.SameModelAs != prim.Cell() || twin.Cell() != jobs[1].Config.Cell.String() || twin.ConfigHash != jobs[1].Config.Hash() ||
		twin.TestBPD != prim.TestBPD || twin.ValBPD != prim.ValBPD || twin.Status != runner.StatusOK {
		t.Errorf("twin result %+v; primary %+v", twin, prim)
	}
	if _, err := runner.ReadMetrics(filepath.Join(runDir(dir, jobs[1]), "metrics.csv")); err != nil {
		t.Errorf("twin's metrics.csv: %v", err)
	}
	// Again: the primary is done, the twin still serves.
	if got := statuses(Run(context.Background(), dir, jobs, One(data), opt)); got != "done same-model" {
		t.Errorf("second run: statuses %q, want %q", got, "done same-model")
	}
	for k := 1; k <= 2; k++ {
		sh := Shard(jobs, k, 2)
		if len(sh) != 0 && len(sh) != 2 {
			t.Errorf("shard %d/2 holds %d of the twin pair, want both or neither", k, len(sh))
		}
	}
}

// Jobs in cell-major order (as Experiment.Jobs lists them) start seed by seed, so a stopped
// experiment holds whole seeds; the reports stay in job order.
func TestRunStartsSeedBySeed(t *testing.T) {
	data := loadMNIST(t)
	// smoke is channelwise 1, rowwise 1, channelwise 2, rowwise 2; jobs lists them cell by cell.
	smoke := smokeJobs(t, 4, 4)
	jobs := []experiments.Job{smoke[0], smoke[2], smoke[1], smoke[3]}
	for i := range jobs {
		jobs[i].Index, jobs[i].Primary = i, i
	}
	var mu sync.Mutex
	var started []string
	opt := Options{Parallel: 1, afterStep: func(j experiments.Job, step int, _ *flow.Model) error {
		if step == 1 {
			mu.Lock()
			started = append(started, Name(j))
			mu.Unlock()
		}
		return nil
	}}
	reports := Run(context.Background(), t.TempDir(), jobs, One(data), opt)
	want := []string{Name(smoke[0]), Name(smoke[1]), Name(smoke[2]), Name(smoke[3])}
	if strings.Join(started, " | ") != strings.Join(want, " | ") {
		t.Errorf("started %v, want seed by seed %v", started, want)
	}
	for i, r := range reports {
		if r.Job.Index != i || r.Status != runner.StatusOK {
			t.Errorf("report %d: job %d, %s (%v); want job %d ok", i, r.Job.Index, r.Status, r.Err, i)
		}
	}
}

// Past Options.StartBy no job starts: a finished one is still reported done, the others are left
// not started (no claim, no run files) for the next call, and the outcome says how to go on.
func TestRunStartsNoJobAfterStartBy(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 2, 4)
	if got := statuses(Run(context.Background(), dir, jobs[:1], One(data), Options{Parallel: 1})); got != "ok*" {
		t.Fatalf("first job: %s", got)
	}
	reports := Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1, StartBy: time.Now()})
	if got := statuses(reports); got != "done not-started" {
		t.Fatalf("past StartBy: %s, want done not-started", got)
	}
	if !errors.Is(reports[1].Err, ErrStartBy) {
		t.Errorf("not started because %v, want ErrStartBy", reports[1].Err)
	}
	if _, err := os.Stat(runDir(dir, jobs[1])); err == nil {
		t.Errorf("the job not started left its run directory %s", runDir(dir, jobs[1]))
	}
	err := Outcome(reports, "squeezebench ablate -experiment x", nil)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 jobs were not started") || !strings.Contains(err.Error(), "squeezebench ablate -experiment x") {
		t.Errorf("outcome %v, want the jobs not started and the command that goes on", err)
	}
	if got := statuses(Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1, StartBy: time.Now().Add(time.Hour)})); got != "done ok*" {
		t.Errorf("before StartBy: %s, want done ok*", got)
	}
}
