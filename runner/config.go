package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/variants"
)

// Config is everything that determines one training run. Two runs with equal configs (and the same
// code, backend and threads) give the same numbers.
type Config struct {
	Cell   variants.Cell `json:"cell"`
	Seed   uint64        `json:"seed"`
	Preset string        `json:"preset"`
	Sizes  flow.Sizes    `json:"sizes"`
	Batch  int           `json:"batch"`
	// Budget: Steps if set, else Epochs of the training set.
	Steps  int `json:"steps,omitempty"`
	Epochs int `json:"epochs,omitempty"`
	// Optimisation (the tutorial's: Adam 1e-3, clip 1.0, StepLR gamma 0.99 per epoch).
	LR       float64 `json:"lr"`
	LRGamma  float64 `json:"lr_gamma"`
	ClipNorm float64 `json:"clip_norm"`
	// Data is the data set the run trains and is evaluated on, by content: part of the hash, so a
	// result of other data is never taken for this configuration's.
	Data dataset.ID `json:"data"`
	// Evaluation. Every evaluation measures the bpd of the first ValImages training images and of
	// the first ValImages validation images with one estimator (EvalSamples importance samples):
	// like with like, so their difference is a generalisation gap. At the end, the training
	// subset, the validation subset and TestImages test images are measured with
	// ImportanceSamples samples each.
	ValEvery int `json:"val_every"` // steps between evaluations (0: only at the end)
	// EvalSteps are further steps to evaluate at (e.g. log-spaced epochs), besides every
	// ValEvery steps and the last.
	EvalSteps         []int `json:"eval_steps,omitempty"`
	ValImages         int   `json:"val_images"`   // images of each subset (0: the whole validation set, and as many training images)
	EvalSamples       int   `json:"eval_samples"` // importance samples at the evaluations during training
	TestImages        int   `json:"test_images"`  // 0: the whole test set
	ImportanceSamples int   `json:"importance_samples"`
	EvalBatch         int   `json:"eval_batch"`
	SampleImages      int   `json:"sample_images"`
	LogEvery          int   `json:"log_every"`
	// Compute: "fast" (kernel ops, the default) or "stock" (gorgonia's ops, the oracle), and the
	// goroutines one run uses (0: GOMAXPROCS). Neither changes the model, only float rounding.
	Engine  string `json:"engine,omitempty"`
	Workers int    `json:"workers,omitempty"`
	// Precision of the fast engine's convolutions: "" (float32) or "bf16" (bfloat16 with
	// float32 sums on AMX: issue 13's opt-in, to be trusted only as far as an equal-budget
	// comparison with float32 shows). Part of the hash, absent for float32.
	Precision string `json:"precision,omitempty"`
}

// ParsePrecision turns a precision as users write it ("fp32" or "bf16") into Config.Precision's
// form ("" or "bf16").
func ParsePrecision(s string) (string, error) {
	switch s {
	case "fp32":
		return "", nil
	case "bf16":
		return "bf16", nil
	}
	return "", fmt.Errorf(`want "fp32" or "bf16" (the coupling networks' convolutions in bfloat16 with float32 sums on AMX), got %q`, s)
}

// FlowEngine is the flow.Engine the config asks for.
func (c Config) FlowEngine() flow.Engine {
	return flow.Engine{Stock: c.Engine == "stock", Workers: c.Workers, BF16: c.Precision == "bf16"}
}

// Presets are the named model sizes and schedules.
var presets = map[string]Config{
	// Tutorial 11: 16/32/48/64 hidden channels, 3 gated layers, batch 128, 200 epochs,
	// validation every 5 epochs, test bpd with 8 importance samples on the full test set.
	"tutorial": {Sizes: flow.TutorialSizes, Batch: 128, Epochs: 200, ValEvery: 5 * 390, TestImages: 10000, EvalBatch: 64, LogEvery: 50},
	// A quarter of the hidden channels and one gated layer: the ablation's default model.
	"small": {Sizes: flow.Sizes{VarDeq: 4, Stage: [3]int{8, 12, 16}, GatedLayers: 1}, Batch: 64, Steps: 800, ValEvery: 200, ValImages: 1000, TestImages: 2000, EvalBatch: 100, LogEvery: 20},
	// Tiny and short, for tests; a learning rate of 1e-2 takes it below the 8-bit ceiling in
	// three or four steps, so a run of a few steps is a usable result.
	"smoke": {Sizes: flow.Sizes{VarDeq: 2, Stage: [3]int{2, 3, 4}, GatedLayers: 1}, Batch: 16, Steps: 30, ValEvery: 15, ValImages: 64, TestImages: 64, EvalBatch: 32, LogEvery: 5, LR: 1e-2},
}

// PresetNames lists the presets.
func PresetNames() []string {
	var out []string
	for n := range presets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Preset returns the named preset with the tutorial's optimiser and evaluation settings.
func Preset(name string) (Config, error) {
	c, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	c.Preset = name
	c.Cell = variants.Cell{}
	c.Data, _ = dataset.KnownID("mnist")
	if c.LR == 0 {
		c.LR = 1e-3
	}
	c.LRGamma, c.ClipNorm = 0.99, 1.0
	c.ImportanceSamples = 8
	c.EvalSamples = 1
	c.SampleImages = 64
	return c, nil
}

// Validate reports the first impossible value, naming the field.
func (c Config) Validate() error {
	checks := []struct {
		ok    bool
		field string
		want  string
	}{
		{c.Batch >= 1, "batch", "at least 1"},
		{c.Steps > 0 || c.Epochs > 0, "steps/epochs", "a positive training budget"},
		{c.Steps >= 0 && c.Epochs >= 0, "steps/epochs", "not negative"},
		{c.Steps == 0 || c.Epochs == 0, "steps/epochs", "one budget, steps or epochs, not both"},
		{c.SampleImages >= 0 && c.LogEvery >= 0, "sample_images/log_every", "not negative"},
		{c.LR > 0 && !math.IsInf(c.LR, 0), "lr", "a positive finite number"},
		{c.LRGamma > 0 && c.LRGamma <= 1, "lr_gamma", "in (0, 1]"},
		{c.ClipNorm >= 0 && !math.IsInf(c.ClipNorm, 0), "clip_norm", "0 (off) or a positive finite number"},
		{c.ValEvery >= 0 && c.ValImages >= 0 && c.TestImages >= 0, "val_every/val_images/test_images", "not negative"},
		{c.ImportanceSamples >= 1, "importance_samples", "at least 1"},
		{c.EvalSamples >= 1, "eval_samples", "at least 1"},
		{slices.IsSorted(c.EvalSteps) && (len(c.EvalSteps) == 0 || c.EvalSteps[0] >= 1), "eval_steps", "steps in increasing order, from 1"},
		{c.EvalBatch >= 1, "eval_batch", "at least 1"},
		{c.Sizes.Stage[0] >= 1 && c.Sizes.Stage[1] >= 1 && c.Sizes.Stage[2] >= 1, "sizes.stage", "at least 1 hidden channel per stage"},
		{c.Sizes.GatedLayers >= 0 && c.Sizes.VarDeq >= 0, "sizes", "not negative"},
		{c.Engine == "" || c.Engine == "fast" || c.Engine == "stock", "engine", `"fast" or "stock"`},
		{c.Workers >= 0, "workers", "0 (all cores) or positive"},
		{c.Precision == "" || c.Precision == "bf16" && c.Engine != "stock", "precision", `"" (float32) or "bf16" (with the fast engine)`},
		{c.Precision == "" || max(c.Sizes.VarDeq, slices.Max(c.Sizes.Stage[:])) <= flow.MaxBF16Hidden, "precision",
			fmt.Sprintf("bf16 only with hidden sizes up to %d", flow.MaxBF16Hidden)},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("config field %s: want %s", ch.field, ch.want)
		}
	}
	_, err := c.Cell.Resolve()
	return err
}

// Hash identifies the configuration: a result with another hash belongs to another experiment.
// The cell enters by its canonical name, which leaves out axes added later at their default, so
// adding an axis does not change the hash of any existing configuration.
func (c Config) Hash() string {
	cell := c.Cell.String()
	c.Cell = nil
	b, err := json.Marshal(struct {
		Cell   string
		Config Config
	}{cell, c})
	if err != nil { // a value JSON cannot hold (Validate refuses it): hash its Go form
		b = fmt.Appendf(nil, "%s %#v", cell, c)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// EvaluatesAt reports whether a run evaluates after step (of total).
func (c Config) EvaluatesAt(step, total int) bool {
	_, listed := slices.BinarySearch(c.EvalSteps, step)
	return step == total || listed || c.ValEvery > 0 && step%c.ValEvery == 0
}
