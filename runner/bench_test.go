package runner

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// -batch is the timed passes' batch, and parallel runs share the cores unless -workers says.
func TestBenchSetupConfigure(t *testing.T) {
	cfg, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	got := BenchSetup{Parallel: 1}.Configure(cfg, 7)
	if got.Batch != 7 || got.EvalBatch != cfg.EvalBatch || got.Workers != 0 {
		t.Errorf("training, batch 7: batch %d, eval batch %d, workers %d", got.Batch, got.EvalBatch, got.Workers)
	}
	got = BenchSetup{Parallel: 1, Eval: true}.Configure(cfg, 7)
	if got.EvalBatch != 7 || got.Batch != cfg.Batch {
		t.Errorf("eval, batch 7: batch %d, eval batch %d", got.Batch, got.EvalBatch)
	}
	if got := (BenchSetup{Parallel: 1}).Configure(cfg, 0); got.Batch != cfg.Batch || got.EvalBatch != cfg.EvalBatch {
		t.Errorf("batch 0 changed the batches: %d, %d", got.Batch, got.EvalBatch)
	}
	want := max(1, runtime.GOMAXPROCS(0)/2)
	if got := (BenchSetup{Parallel: 2}).Configure(cfg, 0); got.Workers != want {
		t.Errorf("2 at once: %d workers each, want %d", got.Workers, want)
	}
	if got := (BenchSetup{Parallel: 1 << 20}).Configure(cfg, 0); got.Workers != 1 {
		t.Errorf("more at once than cores: %d workers each, want 1", got.Workers)
	}
	cfg.Workers = 3
	if got := (BenchSetup{Parallel: 2}).Configure(cfg, 0); got.Workers != 3 {
		t.Errorf("2 at once with 3 workers given: %d workers", got.Workers)
	}
}

func TestBenchReport(t *testing.T) {
	a := BenchResult{Mode: "train", Cell: "a", MsPerStep: 10}
	b := BenchResult{Mode: "train", Cell: "b", MsPerStep: 20}
	one := BenchReport{Setup: BenchSetup{Parallel: 1}, Workers: 4, Runs: []BenchResult{a}, Total: 100}
	if got := one.String(); got != a.String()+"\n" {
		t.Errorf("one run:\n%s", got)
	}
	if js, _ := json.Marshal(one.JSON()); !strings.HasPrefix(string(js), `{"mode":"train","cell":"a",`) {
		t.Errorf("one run's JSON is not its figures: %s", js)
	}

	two := BenchReport{Setup: BenchSetup{Parallel: 2}, Workers: 1, Runs: []BenchResult{a, b}, Total: 150}
	want := a.String() + "\n" + b.String() + "\n2 trainings at once, 1 workers each: 150.00 steps/s in total\n"
	if got := two.String(); got != want {
		t.Errorf("two trainings:\n got %q\nwant %q", got, want)
	}
	var m map[string]any
	js, _ := json.Marshal(two.JSON())
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if m["parallel"] != 2.0 || m["workers"] != 1.0 || m["total_steps_per_s"] != 150.0 || len(m["runs"].([]any)) != 2 ||
		len(m["ms_per_step"].([]any)) != 2 || m["ms_per_step"].([]any)[1] != 20.0 {
		t.Errorf("two trainings' JSON: %s", js)
	}

	two.Setup.Eval = true
	want = a.String() + "\n" + b.String() + "\n2 evaluations at once, 1 workers each: 150 images/s in total\n"
	if got := two.String(); got != want {
		t.Errorf("two evaluations:\n got %q\nwant %q", got, want)
	}
	m = nil
	js, _ = json.Marshal(two.JSON())
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["ms_per_step"]; ok || m["total_images_per_s"] != 150.0 || m["parallel"] != 2.0 {
		t.Errorf("two evaluations' JSON: %s", js)
	}
}
