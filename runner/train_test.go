package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
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

func smokeConfig(t *testing.T, cell variants.Cell, steps int) Config {
	t.Helper()
	cfg, err := Preset("smoke")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cell, cfg.Seed, cfg.Steps = cell, 1, steps
	cfg.ValEvery, cfg.ValImages, cfg.TestImages, cfg.SampleImages = steps, 32, 32, 4
	return cfg
}

// TestLossFalls trains the smallest model on real MNIST and expects the bits per dimension to
// fall well below where they start (about 20 bpd at initialisation).
func TestLossFalls(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{variants.Coupling: "rowwise", variants.Split: "checkerboard"}, 40)
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, last := o.Metrics[0].MinibatchBPD, o.Metrics[len(o.Metrics)-1].MinibatchBPD
	t.Logf("train bpd %.3f -> %.3f, val %.3f, test %.3f", first, last, o.Result.ValBPD, o.Result.TestBPD)
	if !(last < first-5) {
		t.Errorf("train bpd went from %.3f to %.3f; want a fall of more than 5 bpd", first, last)
	}
	if r := o.Result; !(r.TestBPD > 0 && r.TestBPD < first) || r.Status != StatusOK {
		t.Errorf("result %+v: want status ok and a test bpd below the first training bpd", r)
	}
}

// TestLossFallsBF16: with the convolutions in bfloat16 on AMX the loss falls as in float32, the
// result records the precision (configuration and backend), and the run stays deterministic.
func TestLossFallsBF16(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{variants.Coupling: "rowwise", variants.Split: "checkerboard"}, 40)
	cfg.Precision = "bf16"
	if err := (flow.Engine{BF16: true}).Check(); err != nil {
		// Without AMX the run fails as a run: an outcome with status failed and the reason.
		o, terr := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
		if o == nil || o.Result.Status != StatusFailed || terr == nil || !strings.Contains(terr.Error(), "precision bf16") {
			t.Errorf("bf16 without AMX: outcome %v, error %v; want a failed outcome naming the precision", o, terr)
		}
		t.Skip(err)
	}
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, last := o.Metrics[0].MinibatchBPD, o.Metrics[len(o.Metrics)-1].MinibatchBPD
	t.Logf("bf16: train bpd %.3f -> %.3f, test %.3f, backend %s", first, last, o.Result.TestBPD, o.Result.Backend)
	if !(last < first-5) || o.Result.Status != StatusOK {
		t.Errorf("train bpd went from %.3f to %.3f (status %s); want a fall of more than 5 bpd", first, last, o.Result.Status)
	}
	if o.Result.Config.Precision != "bf16" || !strings.HasSuffix(o.Result.Backend, "+bf16-amx") {
		t.Errorf("result records precision %q, backend %q", o.Result.Config.Precision, o.Result.Backend)
	}
	again, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil || again.Result.TestBPD != o.Result.TestBPD {
		t.Errorf("a second bf16 run: %v, test bpd %v vs %v", err, again.Result.TestBPD, o.Result.TestBPD)
	}
}

// TestDeterministic: the same configuration gives the same numbers, run after run.
func TestDeterministic(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{}, 6)
	a, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Result.TrainBPD != b.Result.TrainBPD || a.Result.ValBPD != b.Result.ValBPD || a.Result.TestBPD != b.Result.TestBPD {
		t.Errorf("two runs differ: %+v vs %+v", a.Result, b.Result)
	}
	if !bytes.Equal(a.Samples, b.Samples) {
		t.Error("two runs sampled different images")
	}
}

// TestDivergenceIsRecorded: a run whose loss blows up ends with status diverged and an error
// that says so, and its outcome can still be written. (Even a learning rate of 1e30 does not make
// this model's loss NaN — the tanh-bounded scales saturate — so the fault is injected.)
func TestDivergenceIsRecorded(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{}, 20)
	poison := func(step int, m *flow.Model) error {
		if step == 3 {
			m.Params[0].Value.Data().([]float32)[0] = float32(math.NaN())
		}
		return nil
	}
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{AfterStep: poison})
	if err == nil {
		t.Fatalf("a NaN weight trained without error: %+v", o.Result)
	}
	if o.Result.Status != StatusDiverged || !strings.Contains(o.Result.Error, "diverged") {
		t.Errorf("status %q, error %q; want diverged", o.Result.Status, o.Result.Error)
	}
	// The weights are poisoned after step 3; step 4's loss is NaN, so 3 steps were done.
	if o.Result.Steps != 3 {
		t.Errorf("steps = %d, want 3 (the steps done before the run diverged)", o.Result.Steps)
	}
	if err := WriteOutcome(t.TempDir(), o, 28, 28); err != nil {
		t.Errorf("writing a diverged outcome: %v", err)
	}
}

func TestWriteOutcome(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{variants.Squeeze: "tf-style"}, 3)
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := WriteOutcome(dir, o, 28, 28); err != nil {
		t.Fatal(err)
	}
	var r Result
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result.json: %v", err)
	}
	if r.Config.Cell.Get(variants.Squeeze) != "tf-style" || r.Config.Cell[variants.Split] != "channel" || r.ConfigHash != cfg.Hash() || r.Params == 0 || r.FLOPsPerImage == 0 || r.CodeVersion != CodeVersion() {
		t.Errorf("result.json holds %+v", r)
	}
	ms, err := ReadMetrics(filepath.Join(dir, "metrics.csv"))
	if err != nil || len(ms) != len(o.Metrics) {
		t.Fatalf("metrics.csv read back: %v, %d rows, want %d", err, len(ms), len(o.Metrics))
	}
	for i, m := range ms {
		w := o.Metrics[i]
		close := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-6*math.Abs(b) }
		if m.Step != w.Step || !close(m.MinibatchBPD, w.MinibatchBPD) || !close(m.TrainEvalBPD, w.TrainEvalBPD) || !close(m.ValBPD, w.ValBPD) || !close(m.GradNorm, w.GradNorm) {
			t.Errorf("metrics row %d read back as %+v, written %+v", i, m, w)
		}
	}
	f, err := os.Open(filepath.Join(dir, "samples.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("samples.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 2*28*2 || b.Dy() < 2*28*2 {
		t.Errorf("samples.png is %v, want a 2x2 grid of 56-pixel tiles", b)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestConfigValidation(t *testing.T) {
	base, err := Preset("smoke")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"batch", func(c *Config) { c.Batch = 0 }, "batch"},
		{"budget", func(c *Config) { c.Steps, c.Epochs = 0, 0 }, "steps/epochs"},
		{"lr", func(c *Config) { c.LR = -1 }, "lr"},
		{"gamma", func(c *Config) { c.LRGamma = 1.5 }, "lr_gamma"},
		{"samples", func(c *Config) { c.ImportanceSamples = 0 }, "importance_samples"},
		{"variant", func(c *Config) { c.Cell = variants.Cell{variants.Squeeze: "nope"} }, "known: "},
		{"precision", func(c *Config) { c.Precision = "fp16" }, "precision"},
		{"bf16 on the stock ops", func(c *Config) { c.Precision, c.Engine = "bf16", "stock" }, "with the fast engine"},
		{"bf16 too wide", func(c *Config) { c.Precision, c.Sizes.Stage[2] = "bf16", 1000 }, "hidden sizes up to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if err := base.Validate(); err != nil {
		t.Errorf("smoke preset: %v", err)
	}
	// float32 is the empty precision, absent from the hashed JSON, so float32 runs keep the hashes
	// from before the option existed (variants/internal/golden pins them); bf16 is another one.
	if b, _ := json.Marshal(base); strings.Contains(string(b), "precision") {
		t.Errorf("a float32 configuration's JSON names a precision: %s", b)
	}
	bf := base
	bf.Precision = "bf16"
	if err := bf.Validate(); err != nil || bf.Hash() == base.Hash() || bf.FlowEngine().BF16 == base.FlowEngine().BF16 {
		t.Errorf("bf16: Validate %v, hash %s (float32 %s), engine %+v", err, bf.Hash(), base.Hash(), bf.FlowEngine())
	}
	for _, p := range []string{"fp32", "bf16", "fp16"} {
		got, err := ParsePrecision(p)
		if want := map[string]string{"fp32": "", "bf16": "bf16"}[p]; got != want || (err != nil) != (p == "fp16") {
			t.Errorf("ParsePrecision(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := Preset("huge"); err == nil || !strings.Contains(err.Error(), "smoke") {
		t.Errorf("unknown preset: %v, want the known names", err)
	}
}

func TestHashIgnoresSpelledOutDefaults(t *testing.T) {
	a, _ := Preset("small")
	b := a
	b.Cell = variants.Cell{variants.Squeeze: "tutorial", variants.Split: "channel", variants.Coupling: "channelwise"}
	if a.Hash() != b.Hash() {
		t.Error("a cell with the defaults spelled out hashes differently from one that leaves them out")
	}
	b.Seed = 2
	if a.Hash() == b.Hash() {
		t.Error("different seeds hash alike")
	}
}

func TestLogSumExp(t *testing.T) {
	got := logSumExp([]float64{-1000, -1000})
	if want := -1000 + math.Ln2; math.Abs(got-want) > 1e-12 {
		t.Errorf("logSumExp = %v, want %v", got, want)
	}
}

// TestConcurrentRunsMatchSequential: trainings running at once in goroutines (as the runner's
// workers will) give exactly the numbers they give alone. Run with -race.
func TestConcurrentRunsMatchSequential(t *testing.T) {
	data := loadMNIST(t)
	cfgs := []Config{
		smokeConfig(t, variants.Cell{}, 3),
		smokeConfig(t, variants.Cell{variants.Coupling: "rowwise"}, 3),
	}
	for i := range cfgs {
		cfgs[i].Workers = 1 // the batch split changes float summation order; keep it fixed
	}
	alone := make([]*Outcome, len(cfgs))
	for i, c := range cfgs {
		o, err := Train(context.Background(), c, data, &bytes.Buffer{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = o
	}
	together := make([]*Outcome, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, c := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			together[i], errs[i] = Train(context.Background(), c, data, &bytes.Buffer{}, Options{})
		}()
	}
	wg.Wait()
	for i := range cfgs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		a, b := alone[i].Result, together[i].Result
		if a.TrainBPD != b.TrainBPD || a.ValBPD != b.ValBPD || a.TestBPD != b.TestBPD {
			t.Errorf("run %d: alone %v/%v/%v, concurrently %v/%v/%v", i, a.TrainBPD, a.ValBPD, a.TestBPD, b.TrainBPD, b.ValBPD, b.TestBPD)
		}
	}
}

// Every evaluation measures the training subset and the validation subset with one estimator
// (the same images count and samples), and the final figures of train, validation and test use
// the test's estimator: like with like.
func TestEvaluationIsLikeWithLike(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{}, 12)
	cfg.ValEvery, cfg.ValImages, cfg.TestImages, cfg.EvalSamples, cfg.ImportanceSamples = 4, 24, 40, 1, 3
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	evals := 0
	for _, m := range o.Metrics {
		if math.IsNaN(m.ValBPD) != math.IsNaN(m.TrainEvalBPD) {
			t.Errorf("step %d: val %v, train subset %v: an evaluation measures both", m.Step, m.ValBPD, m.TrainEvalBPD)
		}
		if !math.IsNaN(m.ValBPD) {
			evals++
			if m.Step%cfg.ValEvery != 0 {
				t.Errorf("evaluation at step %d, want every %d", m.Step, cfg.ValEvery)
			}
		}
	}
	if evals != 3 {
		t.Errorf("%d evaluations, want 3 (steps 4, 8, 12)", evals)
	}
	r := o.Result
	if r.TrainImages != 24 || r.ValImages != 24 || r.TestImages != 40 || r.ImportanceSamples != 3 || r.Steps != 12 {
		t.Errorf("result: %d/%d/%d images, %d samples, %d steps; want 24/24/40, 3, 12", r.TrainImages, r.ValImages, r.TestImages, r.ImportanceSamples, r.Steps)
	}
	for name, v := range map[string]float64{"train": r.TrainBPD, "val": r.ValBPD, "test": r.TestBPD, "minibatch": r.MinibatchBPD, "eval seconds": r.EvalSeconds} {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("%s = %v, want a positive finite number", name, v)
		}
	}
	// The final train figure is of the training subset with the final estimator: with one
	// sample it equals the last evaluation's, with three it is another (tighter) estimate.
	last := o.Metrics[len(o.Metrics)-1]
	if r.TrainBPD == last.TrainEvalBPD || r.ValBPD == last.ValBPD {
		t.Errorf("final train/val %v/%v equal the one-sample evaluation %v/%v: the final estimator was not used", r.TrainBPD, r.ValBPD, last.TrainEvalBPD, last.ValBPD)
	}
	cfg.ImportanceSamples = 1
	one, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if one.Result.TrainBPD != last.TrainEvalBPD || one.Result.ValBPD != last.ValBPD {
		t.Errorf("with one final sample, final train/val %v/%v; the last evaluation gave %v/%v (same images, samples and noise)",
			one.Result.TrainBPD, one.Result.ValBPD, last.TrainEvalBPD, last.ValBPD)
	}
}

// A run refuses data other than its configuration's, and an evaluation larger than its set.
func TestRunRefusesOtherData(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{}, 2)
	other := cfg
	other.Data.SHA256 = strings.Repeat("0", 64)
	if _, err := Train(context.Background(), other, data, &bytes.Buffer{}, Options{}); err == nil || !strings.Contains(err.Error(), "loaded data") {
		t.Errorf("other data: err %v, want one naming the loaded data", err)
	}
	big := cfg
	big.TestImages = data.Test.N + 1
	if o, err := Train(context.Background(), big, data, &bytes.Buffer{}, Options{}); err == nil || !strings.Contains(err.Error(), "test_images") || o.Result.Steps != 0 {
		t.Errorf("test_images %d: err %v, steps %d; want a refusal before training", big.TestImages, err, o.Result.Steps)
	}
}

// Evaluations happen every ValEvery steps, at the listed EvalSteps and at the last step.
func TestEvalSteps(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{}, 9)
	cfg.ValEvery, cfg.EvalSteps, cfg.LogEvery = 4, []int{3, 5}, 100
	o, err := Train(context.Background(), cfg, data, &bytes.Buffer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, m := range o.Metrics {
		if !math.IsNaN(m.ValBPD) {
			got = append(got, m.Step)
		}
	}
	if !slices.Equal(got, []int{3, 4, 5, 8, 9}) {
		t.Errorf("evaluated at %v, want [3 4 5 8 9]", got)
	}
}

// A fresh run of a glow cell initialises its ActNorms on the first minibatch, with dequantization
// noise from a stream of its own, before the first step: after step 1 every actnorm parameter is
// within one Adam step (at most the learning rate) of what flow.Model.InitActNorms gives on that
// batch, and farther than ten Adam steps from the identity it starts at. A cell without ActNorm logs no init.
func TestFreshRunInitialisesActNorms(t *testing.T) {
	data := loadMNIST(t)
	cfg := smokeConfig(t, variants.Cell{variants.Mixing: "glow"}, 10)
	arch, err := cfg.Cell.Arch(flow.Shape{C: 1, H: data.Train.H, W: data.Train.W}, cfg.Sizes)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := flow.New(arch, tensor.Float32, cfg.Seed*1000+streamInit)
	if err != nil {
		t.Fatal(err)
	}
	ref.Engine = cfg.FlowEngine()
	_, dataRNG := pcgStream(cfg.Seed, streamData)
	dim := data.Train.H * data.Train.W
	var first []uint8
	for _, idx := range dataRNG.Perm(data.Train.N)[:cfg.Batch] {
		first = append(first, data.Train.Image(idx)...)
	}
	if n, err := ref.InitActNorms(first, stream(cfg.Seed, streamActNorm)); err != nil || n != 4 || len(first) != cfg.Batch*dim {
		t.Fatalf("reference init: %d actnorms, %v", n, err)
	}
	checked, far := 0, map[string]bool{} // far: an actnorm whose init is far from the identity
	var log bytes.Buffer
	_, err = Train(context.Background(), cfg, data, &log, Options{AfterStep: func(step int, m *flow.Model) error {
		if step != 1 {
			return nil
		}
		for i, p := range m.Params {
			if !strings.Contains(p.Name, "actnorm") {
				continue
			}
			got, want := p.Value.Data().([]float32), ref.Params[i].Value.Data().([]float32)
			layer := p.Name[:strings.LastIndex(p.Name, ".")]
			far[layer] = far[layer] || false
			for j := range got {
				if d := math.Abs(float64(got[j] - want[j])); d > 1.01*cfg.LR {
					t.Errorf("%s[%d] = %g after step 1, init on the first minibatch gives %g", p.Name, j, got[j], want[j])
				}
				far[layer] = far[layer] || math.Abs(float64(want[j])) > 10*cfg.LR
				checked++
			}
		}
		return errKilled // the rest of the run is not this test's
	}})
	if !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	if checked != 4*2*8 {
		t.Errorf("checked %d actnorm parameters, want 4 layers x 2 x 8 channels", checked)
	}
	for layer, ok := range far {
		if !ok {
			t.Errorf("%s: its init is within 10 learning rates (Adam steps) of the identity, so this test cannot tell it happened", layer)
		}
	}
	if !strings.Contains(log.String(), "initialised 4 actnorm layers on the first minibatch") {
		t.Errorf("log does not report the init:\n%s", log.String())
	}
	log.Reset()
	stop := Options{AfterStep: func(int, *flow.Model) error { return errKilled }}
	if _, err := Train(context.Background(), smokeConfig(t, variants.Cell{variants.Mixing: "invconv"}, 10), data, &log, stop); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "actnorm") {
		t.Errorf("a cell without actnorm logs an init:\n%s", log.String())
	}
}
