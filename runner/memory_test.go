package runner

import (
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants"
)

// The estimate covers the measured peak RSS of training steps (bench, workers 1) without being
// far above it: a training part of 1.0 to 1.6 times the measured growth per image, base included.
func TestMemoryEstimateMatchesMeasurements(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	for _, m := range []struct {
		preset string
		batch  int
		rssMB  float64
	}{{"small", 16, 134}, {"small", 64, 221}, {"small", 256, 660}, {"tutorial", 32, 788}, {"tutorial", 128, 2624}} {
		cfg, err := Preset(m.preset)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Cell, cfg.Batch = variants.Cell{}, m.batch
		est, err := MemoryEstimate(cfg, in)
		if err != nil {
			t.Fatal(err)
		}
		train := float64(est.Parts["training.batch"]+memoryBase+est.Parts["model.stage / model.vardeq / model.gated_layers (parameters)"]) / (1 << 20)
		if r := train / m.rssMB; r < 1.0 || r > 1.6 {
			t.Errorf("%s batch %d: training estimate %.0f MB, measured %.0f MB (ratio %.2f)", m.preset, m.batch, train, m.rssMB, r)
		}
	}
}

// Settings that cannot fit are refused with the setting to lower; the shipped sizes pass.
func TestCheckMemory(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	const machine = 24 << 30
	cfg, _ := Preset("small")
	if err := cfg.CheckMemory(in, 2, machine); err != nil {
		t.Errorf("small preset, 2 at once: %v", err)
	}
	tut, _ := Preset("tutorial")
	if err := tut.CheckMemory(in, 2, machine); err != nil {
		t.Errorf("tutorial preset, 2 at once: %v", err)
	}
	big := cfg
	big.Batch, big.SampleImages = 50000, 100000
	err := big.CheckMemory(in, 1, machine)
	if err == nil || !strings.Contains(err.Error(), "lower evaluation.sample_images") {
		t.Errorf("batch 50000, 100000 samples: %v", err)
	}
	huge := cfg
	huge.Sizes.Stage = [3]int{100000, 12, 16}
	if err := huge.CheckMemory(in, 1, machine); err == nil || !strings.Contains(err.Error(), "model.stage") {
		t.Errorf("a stage of 100,000 hidden channels: %v", err)
	}
	if err := cfg.CheckMemory(in, 200, machine); err == nil || !strings.Contains(err.Error(), "or compute.parallel") {
		t.Errorf("200 small runs at once: %v", err)
	}
}
