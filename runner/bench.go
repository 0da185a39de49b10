package runner

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorgonia.org/tensor"

	"squeezebench/dataset"
	"squeezebench/flow"
)

// BenchResult is what `squeezebench bench` measures: full training steps (forward, backward,
// clipping, Adam) after warm-up, or with Eval the evaluation's forward-only passes (log p(x) of a
// batch of test images, as one importance sample of the test bpd), where a "step" is one pass.
type BenchResult struct {
	Mode            string    `json:"mode"` // "train" or "eval"
	Cell            string    `json:"cell"`
	Preset          string    `json:"preset"`
	Batch           int       `json:"batch"`
	Steps           int       `json:"steps"`
	Engine          string    `json:"engine"`
	Workers         int       `json:"workers"`
	MsPerStep       float64   `json:"ms_per_step"` // median
	MsPerStepAll    []float64 `json:"ms_per_step_all"`
	ImagesPerSec    float64   `json:"images_per_s"`
	GFLOPs          float64   `json:"gflop_per_s"` // training: forward+backward ≈ 3× forward convolution FLOPs; eval: 1×
	AllocBytesStep  float64   `json:"alloc_bytes_per_step"`
	AllocsPerStep   float64   `json:"allocs_per_step"`
	PeakRSSBytes    int64     `json:"peak_rss_bytes"`
	Params          int       `json:"params"`
	FLOPsPerImage   int64     `json:"flops_per_image"`
	GOMAXPROCS      int       `json:"gomaxprocs"`
	GoVersion       string    `json:"go_version"`
	WarmupSteps     int       `json:"warmup_steps"`
	StepsPerSecond  float64   `json:"steps_per_s"`
	FirstStepMillis float64   `json:"first_step_ms"`
	Parallel        int       `json:"parallel"` // trainings timed at once
	// CPUMsPerStep is the process's CPU time (user + system, all threads) over the timed steps
	// per step of one training (with Parallel trainings: their total over Parallel·Steps): less
	// sensitive to other load on the machine than wall time, which counts time spent waiting.
	CPUMsPerStep float64 `json:"cpu_ms_per_step"`
}

// Bench times steps training steps of cfg's model on real images after warmup steps.
func Bench(cfg Config, data *dataset.Splits, warmup, steps int) (BenchResult, error) {
	rs, _, err := BenchParallel(cfg, data, warmup, steps, 1)
	if err != nil {
		return BenchResult{}, err
	}
	return rs[0], nil
}

// BenchParallel runs parallel trainings of cfg at once, as the runner's workers would, and
// returns each one's figures and the total training steps per second of all of them.
func BenchParallel(cfg Config, data *dataset.Splits, warmup, steps, parallel int) ([]BenchResult, float64, error) {
	return RunBench(cfg, data, BenchSetup{Warmup: warmup, Steps: steps, Parallel: parallel})
}

// BenchSetup says what RunBench measures.
type BenchSetup struct {
	Warmup, Steps, Parallel int
	Eval                    bool // forward-only evaluation passes instead of training steps
	// Timed, if set, is called when the timed steps start, and the function it returns when they
	// end: a CPU profile of the timed steps alone, without graph building and warm-up (whose
	// first touches of every buffer are page faults).
	Timed func() (end func())
}

// Configure is cfg as s times it: batch, when positive, is the batch of the timed passes (the
// evaluation batch with Eval, the training batch otherwise), and with Parallel > 1 a cfg without
// workers of its own gets GOMAXPROCS/Parallel of them (at least 1), so that the runs share the
// cores.
func (s BenchSetup) Configure(cfg Config, batch int) Config {
	if batch > 0 && s.Eval {
		cfg.EvalBatch = batch
	} else if batch > 0 {
		cfg.Batch = batch
	}
	if cfg.Workers == 0 && s.Parallel > 1 {
		cfg.Workers = max(1, runtime.GOMAXPROCS(0)/s.Parallel)
	}
	return cfg
}

// BenchReport is what RunBench measured with Setup: every run's figures, their Total (steps per
// second; with Eval, images per second) and the workers each run had.
type BenchReport struct {
	Setup   BenchSetup
	Workers int
	Runs    []BenchResult
	Total   float64
}

// JSON is the report as `squeezebench bench -json` prints it: the one run's figures, or with
// several at once their figures and totals.
func (b BenchReport) JSON() any {
	switch {
	case b.Setup.Parallel == 1:
		return b.Runs[0]
	case b.Setup.Eval:
		return map[string]any{
			"parallel": b.Setup.Parallel, "workers": b.Workers, "total_images_per_s": b.Total, "runs": b.Runs}
	}
	var ms []float64
	for _, r := range b.Runs {
		ms = append(ms, r.MsPerStep)
	}
	return map[string]any{
		"parallel": b.Setup.Parallel, "workers": b.Workers, "ms_per_step": ms, "total_steps_per_s": b.Total, "runs": b.Runs}
}

// String is the report as text: every run's figures (BenchResult.String) and, with several at
// once, their total.
func (b BenchReport) String() string {
	var sb strings.Builder
	for _, r := range b.Runs {
		fmt.Fprintln(&sb, r)
	}
	switch {
	case b.Setup.Parallel == 1:
	case b.Setup.Eval:
		fmt.Fprintf(&sb, "%d evaluations at once, %d workers each: %.0f images/s in total\n", b.Setup.Parallel, b.Workers, b.Total)
	default:
		fmt.Fprintf(&sb, "%d trainings at once, %d workers each: %.2f steps/s in total\n", b.Setup.Parallel, b.Workers, b.Total)
	}
	return sb.String()
}

// RunBench is BenchParallel or, with Eval, BenchEval (whose total is then images per second).
func RunBench(cfg Config, data *dataset.Splits, s BenchSetup) ([]BenchResult, float64, error) {
	rs, total, err := benchParallel(cfg, data, s)
	if err != nil || !s.Eval {
		return rs, total, err
	}
	var images float64
	for _, r := range rs {
		images += r.ImagesPerSec
	}
	return rs, images, nil
}

// BenchEval times evaluation passes instead: parallel evaluations at once, each running steps
// forward-only passes of cfg.EvalBatch test images after warmup ones (what the test and
// validation bpd cost: one pass per importance sample). It returns each one's figures and the
// images per second of all of them.
func BenchEval(cfg Config, data *dataset.Splits, warmup, steps, parallel int) ([]BenchResult, float64, error) {
	return RunBench(cfg, data, BenchSetup{Warmup: warmup, Steps: steps, Parallel: parallel, Eval: true})
}

func benchParallel(cfg Config, data *dataset.Splits, s BenchSetup) ([]BenchResult, float64, error) {
	warmup, steps, parallel, eval := s.Warmup, s.Steps, s.Parallel, s.Eval
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	benches := make([]*bench, parallel)
	for i := range benches {
		b, err := newBench(cfg, data, eval)
		if err != nil {
			return nil, 0, err
		}
		benches[i] = b
	}
	for _, b := range benches { // warm up one at a time, outside the measurement
		if err := b.run(warmup, 0); err != nil {
			return nil, 0, err
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	end := func() {}
	if s.Timed != nil {
		end = s.Timed()
	}
	cpu0 := cpuTime()
	var g errgroup.Group
	for _, b := range benches {
		g.Go(func() error { return b.run(0, steps) })
	}
	err := g.Wait()
	cpu := cpuTime() - cpu0
	end()
	if err != nil {
		return nil, 0, err
	}
	runtime.ReadMemStats(&after)
	var results []BenchResult
	var total float64
	for _, b := range benches {
		r := b.r
		r.AllocBytesStep = float64(after.TotalAlloc-before.TotalAlloc) / float64(steps*parallel)
		r.AllocsPerStep = float64(after.Mallocs-before.Mallocs) / float64(steps*parallel)
		r.PeakRSSBytes = peakRSS()
		r.CPUMsPerStep = ms(cpu) / float64(steps*parallel)
		r.Parallel = parallel
		results = append(results, r)
		total += r.StepsPerSecond
	}
	return results, total, nil
}

type bench struct {
	s      *flow.Stepper // training
	d      *flow.Density // evaluation
	pixels []uint8
	rng    *rand.Rand
	batch  int
	r      BenchResult
}

func newBench(cfg Config, data *dataset.Splits, eval bool) (*bench, error) {
	in := flow.Shape{C: 1, H: data.Train.H, W: data.Train.W}
	arch, err := cfg.Cell.Arch(in, cfg.Sizes)
	if err != nil {
		return nil, err
	}
	m, err := flow.New(arch, tensor.Float32, cfg.Seed)
	if err != nil {
		return nil, err
	}
	m.Engine = cfg.FlowEngine()
	if err := m.Engine.Check(); err != nil {
		return nil, err
	}
	b := &bench{
		r: BenchResult{Mode: "train", Cell: cfg.Cell.String(), Preset: cfg.Preset, Batch: cfg.Batch,
			Engine: m.Engine.Name(), Workers: cfg.Workers, Params: m.NumParams(), FLOPsPerImage: m.FLOPs(),
			GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()},
	}
	if eval {
		b.batch = min(cfg.EvalBatch, data.Test.N)
		if b.d, err = m.NewDensity(b.batch, false); err != nil {
			return nil, err
		}
		b.pixels, b.rng = data.Test.Images[:b.batch*in.Size()], stream(cfg.Seed, streamEval)
		b.r.Mode, b.r.Batch = "eval", b.batch
		return b, nil
	}
	b.batch = cfg.Batch
	if b.s, err = m.NewStepper(cfg.Batch, cfg.LR, cfg.ClipNorm); err != nil {
		return nil, err
	}
	b.pixels, b.rng = data.Train.Images[:cfg.Batch*in.Size()], stream(cfg.Seed, streamNoise)
	return b, nil
}

// once is one training step, or one evaluation pass.
func (b *bench) once() error {
	if b.d != nil {
		_, _, err := b.d.Run(b.pixels, b.rng)
		return err
	}
	_, _, err := b.s.Step(b.pixels, b.rng, 1)
	return err
}

// run does warmup untimed steps, then steps timed ones.
func (b *bench) run(warmup, steps int) error {
	for i := 0; i < warmup+steps; i++ {
		t0 := time.Now()
		if err := b.once(); err != nil {
			return err
		}
		if b.r.WarmupSteps == 0 && b.r.Steps == 0 && i == 0 {
			b.r.FirstStepMillis = ms(time.Since(t0))
		}
		if i >= warmup {
			b.r.MsPerStepAll = append(b.r.MsPerStepAll, ms(time.Since(t0)))
		}
	}
	b.r.WarmupSteps += warmup
	b.r.Steps += steps
	if len(b.r.MsPerStepAll) > 0 {
		b.r.MsPerStep = median(b.r.MsPerStepAll)
		b.r.StepsPerSecond = 1000 / b.r.MsPerStep
		b.r.ImagesPerSec = float64(b.batch) * b.r.StepsPerSecond
		passes := 3.0 // forward and backward
		if b.d != nil {
			passes = 1
		}
		b.r.GFLOPs = passes * float64(b.r.FLOPsPerImage) * b.r.ImagesPerSec / 1e9
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSS is the process's high-water resident set (VmHWM), or -1 where /proc does not say.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return -1
			}
			return kb * 1024
		}
	}
	return -1
}

// String is the human-readable report.
func (r BenchResult) String() string {
	what, unit, units := "", "step", "steps"
	if r.Mode == "eval" {
		what, unit, units = "evaluation (forward only), ", "pass", "passes"
	}
	return fmt.Sprintf("%s%s, preset %s, batch %d, engine %s, workers %d, GOMAXPROCS %d\n"+
		"  median %.1f ms/"+unit+" over %d "+units+" (after %d warm-up)  %.0f images/s  %.1f GFLOP/s  CPU %.1f ms/"+unit+"\n"+
		"  allocated per "+unit+": %.0f bytes in %.0f allocations  peak RSS %.0f MB  (%d parameters, %.1f MFLOPs/image forward)",
		what, r.Cell, r.Preset, r.Batch, r.Engine, r.Workers, r.GOMAXPROCS, r.MsPerStep, r.Steps, r.WarmupSteps, r.ImagesPerSec, r.GFLOPs, r.CPUMsPerStep,
		r.AllocBytesStep, r.AllocsPerStep, float64(r.PeakRSSBytes)/1e6, r.Params, float64(r.FLOPsPerImage)/1e6)
}
