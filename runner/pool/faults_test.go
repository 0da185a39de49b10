package pool

// The pool's share of the fault-injection suite (runner/faults_test.go has the run's): result files
// that cannot be a finished run's, files left by a killed process, interruptions.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/flow"
	"squeezebench/runner"
)

// A result.json of status ok and the right configuration hash but values no finished run can
// have is set aside with its reason and the run is trained again; it never counts as done.
func TestImplausibleResultsAreRedone(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 1, 4)
	if got := statuses(Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1})); got != "ok*" {
		t.Fatalf("first run: %s", got)
	}
	path := filepath.Join(runDir(dir, jobs[0]), "result.json")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"test_bpd null":    func(m map[string]any) { m["test_bpd"] = nil },
		"test_bpd missing": func(m map[string]any) { delete(m, "test_bpd") },
		"test_bpd 0":       func(m map[string]any) { m["test_bpd"] = 0 },
		"test_bpd -5":      func(m map[string]any) { m["test_bpd"] = -5 },
		"test_bpd 1e300":   func(m map[string]any) { m["test_bpd"] = 1e300 },
		"val_bpd 9":        func(m map[string]any) { m["val_bpd"] = 9 },
		"no status":        func(m map[string]any) { delete(m, "status") },
		"steps 0":          func(m map[string]any) { m["steps"] = 0 },
	} {
		var m map[string]any
		json.Unmarshal(good, &m)
		edit(m)
		b, _ := json.Marshal(m)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.ReadResult(path); !errors.Is(err, runner.ErrImplausible) {
			t.Errorf("%s: ReadResult gives %v, want runner.ErrImplausible", name, err)
		}
		var out strings.Builder
		reps := Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1, Out: &out})
		if got := statuses(reps); got != "ok*" {
			t.Errorf("%s: %s, want the run trained again", name, got)
		}
		if !strings.Contains(out.String(), "set aside") {
			t.Errorf("%s: the output does not say the file was set aside:\n%s", name, out.String())
		}
		whys, _ := filepath.Glob(filepath.Join(runDir(dir, jobs[0]), runner.RejectedDir, "result.json.*.why"))
		if len(whys) == 0 {
			t.Errorf("%s: the implausible result.json was not kept in %s", name, runner.RejectedDir)
		}
		os.RemoveAll(filepath.Join(runDir(dir, jobs[0]), runner.RejectedDir))
		if r, err := runner.ReadResult(path); err != nil || r.TestBPD <= 0 {
			t.Errorf("%s: after the re-run: %v, %+v", name, err, r)
		}
	}
}

// Temporary files left by a process killed while writing are removed when the run is next
// claimed.
func TestTempFilesOfAKilledProcessAreRemoved(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 1, 4)
	os.MkdirAll(runDir(dir, jobs[0]), 0o755)
	for _, f := range []string{".checkpoint.bin.tmp123", ".result.json.tmp456"} {
		os.WriteFile(filepath.Join(runDir(dir, jobs[0]), f), []byte("half"), 0o644)
	}
	if got := statuses(Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1})); got != "ok*" {
		t.Fatalf("run: %s", got)
	}
	if left, _ := filepath.Glob(filepath.Join(runDir(dir, jobs[0]), ".*tmp*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// An interrupted job does not count as trained in the progress line.
func TestInterruptedJobsAreNotCountedAsTrained(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 1, 6)
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder
	opt := Options{Parallel: 1, Out: &out, afterStep: func(_ experiments.Job, step int, _ *flow.Model) error {
		if step == 2 {
			cancel()
		}
		return nil
	}}
	if got := statuses(Run(ctx, dir, jobs, One(data), opt)); got != "interrupted*" {
		t.Fatalf("statuses %s", got)
	}
	if !strings.Contains(out.String(), "1 of 1 jobs finished (0 trained, 0 failed)") {
		t.Errorf("progress line:\n%s", out.String())
	}
}

// A results directory holds runs of one data set: resuming it with other data is refused before
// anything trains, naming both, and data.json stays as it was.
func TestOtherDataInAResumedDirectory(t *testing.T) {
	mnist := loadMNIST(t)
	other := mnistWithOnePixelChanged(t)
	if other.ID() == mnist.ID() || other.ID().Name != dataset.Custom {
		t.Fatalf("the changed data has identity %v", other.ID())
	}
	dir := t.TempDir()
	if err := RecordData(dir, mnist); err != nil {
		t.Fatal(err)
	}
	if err := RecordData(dir, mnist); err != nil {
		t.Errorf("the same data again: %v", err)
	}
	err := RecordData(dir, other)
	if err == nil || !strings.Contains(err.Error(), "trained on mnist") || !strings.Contains(err.Error(), "custom data set") {
		t.Errorf("other data: %v, want a refusal naming both", err)
	}
	rec, err := ReadDataRecord(dir)
	if err != nil || rec.ID != mnist.ID() || !rec.Known {
		t.Errorf("data.json after the refusal: %+v, %v; want MNIST's, unchanged", rec, err)
	}
}

// mnistWithOnePixelChanged writes MNIST's files decompressed, with one training pixel changed,
// and loads them.
func mnistWithOnePixelChanged(t *testing.T) *dataset.Splits {
	t.Helper()
	mnist := loadMNIST(t)
	dir := t.TempDir()
	for _, f := range mnist.Info.Files {
		raw, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f.Path)
		if strings.HasPrefix(name, "train-images") {
			plain, err := gunzipBytes(raw)
			if err != nil {
				t.Fatal(err)
			}
			plain[len(plain)-1] ^= 1
			raw, name = plain, strings.TrimSuffix(name, ".gz")
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func gunzipBytes(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// A result of the job's configuration but of another model (its variant's layout changed since:
// the configuration hash names the cell, not its layout) is not taken as done: it is moved aside
// and the run trained again.
func TestResultOfAnotherModelIsRedone(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := smokeJobs(t, 1, 4)
	if got := statuses(Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1})); got != "ok*" {
		t.Fatalf("first run: %s", got)
	}
	path := filepath.Join(runDir(dir, jobs[0]), runner.ResultFile)
	r, err := runner.ReadResult(path)
	if err != nil || r.Model == "" || r.Model != fingerprint(jobs[0]) {
		t.Fatalf("result %+v, %v: want the model's fingerprint recorded", r, err)
	}
	b, _ := os.ReadFile(path)
	var m map[string]any
	json.Unmarshal(b, &m)
	m["model"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	b, _ = json.Marshal(m)
	os.WriteFile(path, b, 0o644)
	reps := Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1})
	if got := statuses(reps); got != "ok*" || !strings.Contains(reps[0].Note, "another model") {
		t.Errorf("result of another model: %s (%s), want it trained again", got, reps[0].Note)
	}
	if _, err := os.Stat(filepath.Join(runDir(dir, jobs[0]), "replaced-"+jobs[0].Config.Hash()+"-0123456789ab", runner.ResultFile)); err != nil {
		t.Errorf("the other model's result was not kept: %v", err)
	}
}

// A job with a finished run of its configuration in a reuse directory gets a copy of that run
// (the same bytes, and copied-from naming it) instead of being trained; a run there of another
// configuration is not taken, and that job is trained.
func TestReuseCopiesFinishedRuns(t *testing.T) {
	data := loadMNIST(t)
	other, dir := t.TempDir(), t.TempDir()
	jobs := smokeJobs(t, 2, 3)
	if got := statuses(Run(context.Background(), other, jobs[:1], One(data), Options{Parallel: 1})); got != "ok*" {
		t.Fatalf("the other experiment's run: %s", got)
	}
	changed := jobs[1]
	changed.Config.Steps, changed.Config.ValEvery = 5, 5 // another configuration than the one trained in other
	if reps := Run(context.Background(), other, []experiments.Job{changed}, One(data), Options{Parallel: 1}); statuses(reps) != "ok*" {
		t.Fatalf("the other experiment's second run: %s: %v", statuses(reps), reps[0].Err)
	}
	os.WriteFile(filepath.Join(runDir(other, jobs[0]), runner.CheckpointFile), []byte("left by an interruption"), 0o644)
	// Here the job was begun and interrupted: its checkpoint is obsolete once the copy is done.
	os.MkdirAll(runDir(dir, jobs[0]), 0o755)
	os.WriteFile(filepath.Join(runDir(dir, jobs[0]), runner.CheckpointFile), []byte("an interrupted run's"), 0o644)
	reps := Run(context.Background(), dir, jobs, One(data), Options{Parallel: 1, Reuse: []string{other}})
	if got := statuses(reps); got != "done ok*" {
		t.Fatalf("statuses %q, want the first job copied (done) and the second trained", got)
	}
	src, dst := runDir(other, jobs[0]), runDir(dir, jobs[0])
	if !strings.Contains(reps[0].Note, "copied from "+src) {
		t.Errorf("note %q, want it to name %s", reps[0].Note, src)
	}
	for _, f := range []string{runner.ResultFile, runner.MetricsFile, runner.LogFile} {
		want, _ := os.ReadFile(filepath.Join(src, f))
		got, err := os.ReadFile(filepath.Join(dst, f))
		if err != nil || !bytes.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: copied %d bytes (%v), want the %d of the source", f, len(got), err, len(want))
		}
	}
	if b, err := os.ReadFile(filepath.Join(dst, runner.CopiedFromFile)); err != nil || strings.TrimSpace(string(b)) != src {
		t.Errorf("%s = %q, %v; want %s", runner.CopiedFromFile, b, err, src)
	}
	if _, err := os.Stat(filepath.Join(dst, runner.CheckpointFile)); err == nil {
		t.Error("a checkpoint is left beside the copied run (the source's copied, or the interrupted run's kept)")
	}
	if Reusable([]string{other}, jobs[1]) != "" || Reusable([]string{dir, other}, jobs[1]) != dir {
		t.Error("Reusable: want no match for another configuration, and the first directory that has it")
	}
}
