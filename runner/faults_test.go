package runner

// The fault-injection suite: corrupt checkpoints, implausible result files, other data in a
// resumed directory, a full disk while checkpointing, files left by a killed process. Each test
// asserts the clear error and that nothing already computed is lost.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	want, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
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
	if _, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{Checkpoint: ckpt, CheckpointEvery: 3, AfterStep: crash}); !errors.Is(err, errKilled) {
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
		got, err := Train(context.Background(), cfg, data, &log, Options{Checkpoint: ckpt, CheckpointEvery: 3})
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

// The configuration hash includes the data: a run of other data is another configuration (and
// TestRunRefusesOtherData: a run refuses data other than its configuration's).
func TestHashIncludesTheData(t *testing.T) {
	cfg := smokeConfig(t, variants.Cell{}, 4)
	o := cfg
	o.Data = dataset.ID{Name: dataset.Custom, SHA256: strings.Repeat("ab", 32)}
	if o.Hash() == cfg.Hash() {
		t.Error("the configuration hash does not change with the data")
	}
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
	want, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
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
	_, err = Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{Checkpoint: ckpt, CheckpointEvery: 3, AfterStep: full})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "checkpoint.bin") {
		t.Fatalf("disk full: %v, want an error naming the file and the full disk", err)
	}
	if c, err := readCheckpoint(ckpt); err != nil || c.Step != 3 {
		t.Fatalf("the previous checkpoint: %v, step %v; want it intact at step 3", err, c)
	}
	os.Remove(filler)
	var log bytes.Buffer
	got, err := Train(context.Background(), cfg, data, &log, Options{Checkpoint: ckpt, CheckpointEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming from the checkpoint at step 3") {
		t.Errorf("the run did not resume from step 3:\n%s", log.String())
	}
	sameNumbers(t, "resumed after the disk was full", want, got)
}
