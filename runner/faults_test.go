package runner

// The fault-injection suite: corrupt checkpoints, implausible result files, other data in a
// resumed directory, a full disk while checkpointing, files left by a killed process. Each test
// asserts the clear error and that nothing already computed is lost.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/variants"
)

// A checkpoint with any byte changed is never resumed from: it is set aside with its reason and
// the run trains from scratch, ending with exactly the numbers of an uninterrupted run.
func TestCorruptCheckpointIsNeverResumed(t *testing.T) {
	data := smallTrain(t, 64)
	cfg := checkpointConfig(t)
	want, err := Train(cfg, data, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint.bin")
	crash := func(step int, _ *flow.Model) error {
		if step == 7 {
			return errKilled
		}
		return nil
	}
	if _, err := TrainWith(context.Background(), cfg, data, &bytes.Buffer{}, Options{Checkpoint: ckpt, CheckpointEvery: 3, AfterStep: crash}); !errors.Is(err, errKilled) {
		t.Fatalf("crash: %v", err)
	}
	good, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	// Bytes across the file: the header, the checksum, and the payload (weights, Adam state,
	// streams and metrics are all in it).
	for _, at := range []int{0, 10, len(checkpointMagic) + 3, len(checkpointMagic) + 70, len(good) / 5, len(good) / 3, len(good) / 2, 2 * len(good) / 3, len(good) - 9, len(good) - 1} {
		bad := append([]byte(nil), good...)
		bad[at] ^= 0x10
		if err := os.WriteFile(ckpt, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		var log bytes.Buffer
		got, err := TrainWith(context.Background(), cfg, data, &log, Options{Checkpoint: ckpt, CheckpointEvery: 3})
		if err != nil {
			t.Fatalf("byte %d flipped: %v", at, err)
		}
		if strings.Contains(log.String(), "resuming") || !strings.Contains(log.String(), "unusable") || !strings.Contains(log.String(), "set aside") {
			t.Errorf("byte %d flipped: the log does not say the checkpoint was set aside:\n%s", at, log.String())
		}
		sameNumbers(t, fmt.Sprintf("byte %d flipped", at), want, got)
		rejected, _ := filepath.Glob(filepath.Join(dir, RejectedDir, "checkpoint.bin.*.why"))
		if len(rejected) == 0 {
			t.Fatalf("byte %d flipped: nothing in %s", at, RejectedDir)
		}
		why, _ := os.ReadFile(rejected[len(rejected)-1])
		if !strings.Contains(string(why), "corrupt") {
			t.Errorf("byte %d flipped: the reason given is %q", at, why)
		}
		os.RemoveAll(filepath.Join(dir, RejectedDir))
	}
}

// A result.json of status ok and the right configuration hash but values no finished run can
// have is set aside with its reason and the run is trained again; it never counts as done.
func TestImplausibleResultsAreRedone(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := ablationJobs(t, dir, 1, 4)
	if got := statuses(Ablate(context.Background(), jobs, data, AblateOptions{Parallel: 1})); got != "ok*" {
		t.Fatalf("first run: %s", got)
	}
	path := filepath.Join(jobs[0].Dir, "result.json")
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
		if _, err := ReadResult(path); !errors.Is(err, ErrImplausible) {
			t.Errorf("%s: ReadResult gives %v, want ErrImplausible", name, err)
		}
		var out strings.Builder
		reps := Ablate(context.Background(), jobs, data, AblateOptions{Parallel: 1, Out: &out})
		if got := statuses(reps); got != "ok*" {
			t.Errorf("%s: %s, want the run trained again", name, got)
		}
		if !strings.Contains(out.String(), "set aside") {
			t.Errorf("%s: the output does not say the file was set aside:\n%s", name, out.String())
		}
		whys, _ := filepath.Glob(filepath.Join(jobs[0].Dir, RejectedDir, "result.json.*.why"))
		if len(whys) == 0 {
			t.Errorf("%s: the implausible result.json was not kept in %s", name, RejectedDir)
		}
		os.RemoveAll(filepath.Join(jobs[0].Dir, RejectedDir))
		if r, err := ReadResult(path); err != nil || r.TestBPD <= 0 {
			t.Errorf("%s: after the re-run: %v, %+v", name, err, r)
		}
	}
}

// A results directory holds runs of one data set: resuming it with other data is refused before
// anything trains, naming both; a run refuses data other than its configuration's.
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
	// The configuration hash includes the data: a run of other data is another configuration.
	cfg := smokeConfig(t, variants.Cell{}, 4)
	o := cfg
	o.Data = other.ID()
	if o.Hash() == cfg.Hash() {
		t.Error("the configuration hash does not change with the data")
	}
	if _, err := Train(cfg, other, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "loaded data") {
		t.Errorf("training an MNIST configuration on other data: %v", err)
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

// mountTmpfs mounts a tmpfs of the given size at a new directory, or skips the test saying why
// (it needs root and a kernel that lets this process mount).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): the disk-full test needs root and mount rights", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	return dir
}

// fill writes a file into dir until the filesystem is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return path
		}
	}
}

// A full disk while a checkpoint is written fails the run with the error, and keeps the previous
// checkpoint intact: once there is room, the run resumes from it and ends with the numbers of an
// uninterrupted run.
func TestDiskFullDuringCheckpoint(t *testing.T) {
	data := smallTrain(t, 64)
	cfg := checkpointConfig(t)
	want, err := Train(cfg, data, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	dir := mountTmpfs(t, "4m")
	ckpt := filepath.Join(dir, "checkpoint.bin")
	var filler string
	full := func(step int, _ *flow.Model) error {
		if step == 4 { // after the checkpoint of step 3, before that of step 6
			filler = fill(t, dir)
		}
		return nil
	}
	_, err = TrainWith(context.Background(), cfg, data, &bytes.Buffer{}, Options{Checkpoint: ckpt, CheckpointEvery: 3, AfterStep: full})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "checkpoint.bin") {
		t.Fatalf("disk full: %v, want an error naming the file and the full disk", err)
	}
	if c, err := readCheckpoint(ckpt); err != nil || c.Step != 3 {
		t.Fatalf("the previous checkpoint: %v, step %v; want it intact at step 3", err, c)
	}
	os.Remove(filler)
	var log bytes.Buffer
	got, err := TrainWith(context.Background(), cfg, data, &log, Options{Checkpoint: ckpt, CheckpointEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming from the checkpoint at step 3") {
		t.Errorf("the run did not resume from step 3:\n%s", log.String())
	}
	sameNumbers(t, "resumed after the disk was full", want, got)
}

// Temporary files left by a process killed while writing are removed when the run is next
// claimed.
func TestTempFilesOfAKilledProcessAreRemoved(t *testing.T) {
	data := loadMNIST(t)
	dir := t.TempDir()
	jobs := ablationJobs(t, dir, 1, 4)
	os.MkdirAll(jobs[0].Dir, 0o755)
	for _, f := range []string{".checkpoint.bin.tmp123", ".result.json.tmp456"} {
		os.WriteFile(filepath.Join(jobs[0].Dir, f), []byte("half"), 0o644)
	}
	if got := statuses(Ablate(context.Background(), jobs, data, AblateOptions{Parallel: 1})); got != "ok*" {
		t.Fatalf("run: %s", got)
	}
	if left, _ := filepath.Glob(filepath.Join(jobs[0].Dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// An interrupted job does not count as trained in the progress line.
func TestInterruptedJobsAreNotCountedAsTrained(t *testing.T) {
	data := loadMNIST(t)
	jobs := ablationJobs(t, t.TempDir(), 1, 6)
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder
	opt := AblateOptions{Parallel: 1, Out: &out, afterStep: func(_ AblationJob, step int, _ *flow.Model) error {
		if step == 2 {
			cancel()
		}
		return nil
	}}
	if got := statuses(Ablate(ctx, jobs, data, opt)); got != "interrupted*" {
		t.Fatalf("statuses %s", got)
	}
	if !strings.Contains(out.String(), "1 of 1 jobs finished (0 trained, 0 failed)") {
		t.Errorf("progress line:\n%s", out.String())
	}
}
