package experiments_test

import (
	"strings"
	"testing"

	"squeezebench/experiments"
	"squeezebench/runner"
)

// RunConfig applies the overrides, validates the configuration with or without them, and checks
// it against the machine's memory.
func TestRunConfig(t *testing.T) {
	base, err := runner.Preset("smoke")
	if err != nil {
		t.Fatal(err)
	}
	base.Seed, base.Workers, base.Engine, base.Precision = 3, 1, "fast", "bf16"
	cfg, err := experiments.RunConfig(base, []experiments.Override{{Key: "training.steps", Value: "7"}}, 1<<40)
	if err != nil || cfg.Steps != 7 || cfg.Epochs != 0 || cfg.Seed != 3 || cfg.Workers != 1 {
		t.Errorf("training.steps=7: steps %d, epochs %d, seed %d, workers %d, %v", cfg.Steps, cfg.Epochs, cfg.Seed, cfg.Workers, err)
	}
	// The run's own flags survive the overrides (train -precision bf16 -steps N once trained float32).
	if cfg.Engine != "fast" || cfg.Precision != "bf16" || cfg.Cell.String() != base.Cell.String() {
		t.Errorf("training.steps=7: engine %q, precision %q, cell %v; want the flags' fast, bf16, %v", cfg.Engine, cfg.Precision, cfg.Cell, base.Cell)
	}
	if _, err := experiments.RunConfig(base, nil, 1<<40); err != nil {
		t.Errorf("the preset alone: %v", err)
	}
	bad := base
	bad.Workers = -1
	if _, err := experiments.RunConfig(bad, nil, 1<<40); err == nil || !strings.Contains(err.Error(), "workers") {
		t.Errorf("workers -1 without overrides: %v", err)
	}
	if _, err := experiments.RunConfig(base, []experiments.Override{{Key: "training.batch", Value: "0"}}, 1<<40); err == nil {
		t.Error("training.batch=0 accepted")
	}
	if _, err := experiments.RunConfig(base, nil, 1<<10); err == nil || !strings.Contains(err.Error(), "more than the 90%") {
		t.Errorf("a machine of 1 KB: %v", err)
	}
}
