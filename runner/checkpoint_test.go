package runner

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/variants"
)

// smallTrain is data with only n training images, so that a few steps cross epoch boundaries
// (new permutation, learning-rate decay).
func smallTrain(t *testing.T, n int) *dataset.Splits {
	full := loadMNIST(t)
	tr := *full.Train
	tr.N = n
	tr.Images = tr.Images[:n*tr.H*tr.W]
	tr.Labels = tr.Labels[:n]
	s := *full
	s.Train = &tr
	return &s
}

func checkpointConfig(t *testing.T) Config {
	cfg := smokeConfig(t, variants.Cell{variants.Coupling: "rowwise"}, 11)
	cfg.Batch, cfg.LogEvery, cfg.ValEvery, cfg.Workers = 16, 3, 4, 1
	cfg.LRGamma = 0.5 // make the per-epoch decay matter
	return cfg
}

// sameNumbers fails unless two outcomes agree exactly in every number a run reports (times aside).
func sameNumbers(t *testing.T, what string, a, b *Outcome) {
	t.Helper()
	ra, rb := a.Result, b.Result
	if ra.TrainBPD != rb.TrainBPD || ra.ValBPD != rb.ValBPD || ra.TestBPD != rb.TestBPD || ra.Steps != rb.Steps || ra.Status != rb.Status {
		t.Errorf("%s: train/val/test %v/%v/%v steps %d %s, uninterrupted %v/%v/%v steps %d %s", what,
			rb.TrainBPD, rb.ValBPD, rb.TestBPD, rb.Steps, rb.Status, ra.TrainBPD, ra.ValBPD, ra.TestBPD, ra.Steps, ra.Status)
	}
	if len(a.Metrics) != len(b.Metrics) {
		t.Fatalf("%s: %d metrics rows, uninterrupted %d", what, len(b.Metrics), len(a.Metrics))
	}
	eq := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	for i, m := range a.Metrics {
		n := b.Metrics[i]
		if m.Step != n.Step || !eq(m.MinibatchBPD, n.MinibatchBPD) || !eq(m.TrainEvalBPD, n.TrainEvalBPD) || !eq(m.GradNorm, n.GradNorm) || !eq(m.ValBPD, n.ValBPD) || m.LR != n.LR || m.Epoch != n.Epoch {
			t.Errorf("%s: metrics row %d is %+v, uninterrupted %+v", what, i, n, m)
		}
	}
	if !bytes.Equal(a.Samples, b.Samples) {
		t.Errorf("%s: the samples differ", what)
	}
}

var errKilled = errors.New("killed (test)")

// TestCheckpointResumeIsExact stops runs (by cancellation, as SIGINT does, and by a crash after
// a periodic checkpoint, as SIGKILL does) at steps inside and at the end of an epoch, resumes
// them from their checkpoints and expects every number of the uninterrupted run.
func TestCheckpointResumeIsExact(t *testing.T) {
	checkResumeIsExact(t, checkpointConfig(t))
}

// A glow cell's ActNorms are initialised from the first minibatch of a fresh run only: a resumed
// run that initialised them again (from its own first batch after the checkpoint, over the
// trained values) would not end with the uninterrupted run's numbers.
func TestCheckpointResumeIsExactWithActNorm(t *testing.T) {
	cfg := checkpointConfig(t)
	cfg.Cell = variants.Cell{variants.Coupling: "rowwise", variants.Mixing: "glow"}
	checkResumeIsExact(t, cfg)
}

func checkResumeIsExact(t *testing.T, cfg Config) {
	t.Helper()
	data := smallTrain(t, 64) // 4 steps per epoch: epochs start at steps 1, 5, 9
	want, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		every, stop int
		cancel      bool // stop by cancelling (a checkpoint at stop) or by an error (none)
		resumeAt    int
	}{
		{"interrupt mid-epoch", 0, 6, true, 6},
		{"interrupt at the end of an epoch", 0, 8, true, 8},
		{"interrupt mid-metrics-row", 0, 7, true, 7},
		{"kill after a periodic checkpoint", 3, 8, false, 6},
		{"kill before any checkpoint", 5, 2, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "checkpoint.bin")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opt := Options{Checkpoint: path, CheckpointEvery: tc.every, AfterStep: func(step int, _ *flow.Model) error {
				if step == tc.stop {
					if tc.cancel {
						cancel()
						return nil
					}
					return errKilled
				}
				return nil
			}}
			o, err := Train(ctx, cfg, data, &bytes.Buffer{}, opt)
			if tc.cancel && (!errors.Is(err, ErrInterrupted) || o.Result.Status != StatusInterrupted) {
				t.Fatalf("cancelled run: %v, status %q; want interrupted", err, o.Result.Status)
			}
			if !tc.cancel && !errors.Is(err, errKilled) {
				t.Fatalf("killed run: %v", err)
			}
			var log bytes.Buffer
			got, err := Train(context.Background(), cfg, data, &log, Options{Checkpoint: path, CheckpointEvery: tc.every})
			if err != nil {
				t.Fatal(err)
			}
			resumed := strings.Contains(log.String(), "resuming from the checkpoint at step ")
			if tc.resumeAt > 0 && !strings.Contains(log.String(), "resuming from the checkpoint at step "+itoa(tc.resumeAt)+" ") || tc.resumeAt == 0 && resumed {
				t.Errorf("want a resume at step %d, log:\n%s", tc.resumeAt, log.String())
			}
			sameNumbers(t, tc.name, want, got)
		})
	}
}

// A checkpoint of another configuration is not used: the run starts afresh.
func TestCheckpointOfAnotherConfigIsIgnored(t *testing.T) {
	data := smallTrain(t, 64)
	cfg := checkpointConfig(t)
	path := filepath.Join(t.TempDir(), "checkpoint.bin")
	other := cfg
	other.Seed = 7
	if _, err := Train(context.Background(), other, data, &bytes.Buffer{}, Options{Checkpoint: path, CheckpointEvery: 2, AfterStep: func(step int, _ *flow.Model) error {
		if step == 5 {
			return errKilled
		}
		return nil
	}}); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	want, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	got, err := Train(context.Background(), cfg, data, &log, Options{Checkpoint: path})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "ignoring the checkpoint") {
		t.Errorf("want the checkpoint ignored, log:\n%s", log.String())
	}
	sameNumbers(t, "other config's checkpoint", want, got)
}

func itoa(n int) string { return strconv.Itoa(n) }

// A resumed run's progress lines give the rate of its own sitting: a checkpoint that recorded
// 1,000 s of training for its steps (an earlier sitting on a slow machine) does not show in the
// resumed run's ms/step.
func TestResumedProgressRateIsThisSittings(t *testing.T) {
	cfg := checkpointConfig(t)
	cfg.LogEvery = 1
	data := smallTrain(t, 64)
	path := filepath.Join(t.TempDir(), "checkpoint.bin")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := func(step int, _ *flow.Model) error {
		if step == 4 {
			cancel()
		}
		return nil
	}
	if _, err := Train(ctx, cfg, data, &bytes.Buffer{}, Options{Checkpoint: path, AfterStep: stop}); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("want an interrupted run, got %v", err)
	}
	c, err := readCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	c.TrainTime = 1000
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, sealed(buf.Bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := Train(context.Background(), cfg, data, &log, Options{Checkpoint: path}); err != nil {
		t.Fatal(err)
	}
	rates := regexp.MustCompile(`(\d+) ms/step`).FindAllStringSubmatch(log.String(), -1)
	if len(rates) == 0 {
		t.Fatalf("no progress line in:\n%s", log.String())
	}
	for _, r := range rates {
		if ms, _ := strconv.Atoi(r[1]); ms >= 10000 { // the checkpoint's 1,000 s over 4 steps would show as 250,000 ms/step at first
			t.Errorf("resumed progress shows %s ms/step: the earlier sitting's time counted\n%s", r[1], log.String())
		}
	}
}
