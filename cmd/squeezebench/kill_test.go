package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killExperiment is the smoke experiment, long enough to be killed in the middle of a run, with a
// checkpoint every 4 steps.
const killExperiment = `name = "kill"
seeds = 1
[grid]
coupling = ["channelwise", "rowwise"]
[model]
preset = "smoke"
[training]
steps = 80
batch = 16
log_every = 4
[evaluation]
val_every = 20
val_images = 32
test_images = 32
importance_samples = 2
eval_batch = 16
sample_images = 4
[compute]
workers = 1
parallel = 1
checkpoint_every = 4
`

// TestSIGKILLResumesExactly kills `ablate` with SIGKILL in the middle of its first run, runs it
// again, and compares every result and metrics row with an uninterrupted ablation, number for number.
func TestSIGKILLResumesExactly(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "kill.toml")
	if err := os.WriteFile(exp, []byte(killExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	clean, killed := t.TempDir(), t.TempDir()
	if out, err := run(t, "ablate", "-experiment", exp, "-results", clean); err != nil {
		t.Fatalf("uninterrupted ablation: %v\n%s", err, out)
	}

	cmd := exec.Command(binary, "ablate", "-experiment", exp, "-results", killed)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(killed, "runs", "tutorial_channel_channelwise", "seed-1")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(first, "checkpoint.bin")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint appeared within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // a few more steps past the checkpoint, to be thrown away
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(first, "result.json")); err == nil {
		t.Skip("the first run finished before the kill landed: nothing to resume (machine too fast for this timing)")
	}

	out, err := run(t, "ablate", "-experiment", exp, "-results", killed)
	if err != nil {
		t.Fatalf("resumed ablation: %v\n%s", err, out)
	}
	for _, cell := range []string{"tutorial_channel_channelwise", "tutorial_channel_rowwise"} {
		a := filepath.Join(clean, "runs", cell, "seed-1")
		b := filepath.Join(killed, "runs", cell, "seed-1")
		ra, rb := readResult(t, a), readResult(t, b)
		for _, k := range []string{"train_bpd", "val_bpd", "test_bpd", "steps", "config_hash", "status"} {
			if ra[k] != rb[k] {
				t.Errorf("%s %s: uninterrupted %v, killed and resumed %v", cell, k, ra[k], rb[k])
			}
		}
		ma, mb := readMetrics(t, a), readMetrics(t, b)
		if len(ma) != len(mb) {
			t.Fatalf("%s: %d metrics rows vs %d", cell, len(ma), len(mb))
		}
		for i := range ma {
			if strings.Join(ma[i][:6], ",") != strings.Join(mb[i][:6], ",") { // all but elapsed_s
				t.Errorf("%s metrics row %d: %v vs %v", cell, i, ma[i], mb[i])
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(first, "train.log"))
	if !strings.Contains(string(log), "resum") {
		t.Errorf("the killed run's log does not show a resume:\n%s", log)
	}
}

func readResult(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func readMetrics(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
