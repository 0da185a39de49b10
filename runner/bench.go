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
// clipping, Adam) after warm-up.
type BenchResult struct {
	Cell            string    `json:"cell"`
	Preset          string    `json:"preset"`
	Batch           int       `json:"batch"`
	Steps           int       `json:"steps"`
	Engine          string    `json:"engine"`
	Workers         int       `json:"workers"`
	MsPerStep       float64   `json:"ms_per_step"` // median
	MsPerStepAll    []float64 `json:"ms_per_step_all"`
	ImagesPerSec    float64   `json:"images_per_s"`
	GFLOPs          float64   `json:"gflop_per_s"` // forward+backward ≈ 3× forward convolution FLOPs
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
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	benches := make([]*bench, parallel)
	for i := range benches {
		b, err := newBench(cfg, data)
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
	var g errgroup.Group
	for _, b := range benches {
		g.Go(func() error { return b.run(0, steps) })
	}
	if err := g.Wait(); err != nil {
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
		r.Parallel = parallel
		results = append(results, r)
		total += r.StepsPerSecond
	}
	return results, total, nil
}

type bench struct {
	s      *flow.Stepper
	pixels []uint8
	rng    *rand.Rand
	batch  int
	r      BenchResult
}

func newBench(cfg Config, data *dataset.Splits) (*bench, error) {
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
	s, err := m.NewStepper(cfg.Batch, cfg.LR, cfg.ClipNorm)
	if err != nil {
		return nil, err
	}
	return &bench{
		s: s, pixels: data.Train.Images[:cfg.Batch*in.Size()], rng: stream(cfg.Seed, streamNoise), batch: cfg.Batch,
		r: BenchResult{Cell: cfg.Cell.String(), Preset: cfg.Preset, Batch: cfg.Batch,
			Engine: m.Engine.Name(), Workers: cfg.Workers, Params: m.NumParams(), FLOPsPerImage: m.FLOPs(),
			GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()},
	}, nil
}

// run does warmup untimed steps, then steps timed ones.
func (b *bench) run(warmup, steps int) error {
	for i := 0; i < warmup+steps; i++ {
		t0 := time.Now()
		if _, _, err := b.s.Step(b.pixels, b.rng, 1); err != nil {
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
		b.r.GFLOPs = 3 * float64(b.r.FLOPsPerImage) * b.r.ImagesPerSec / 1e9
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
	return fmt.Sprintf("%s, preset %s, batch %d, engine %s, workers %d, GOMAXPROCS %d\n"+
		"  median %.1f ms/step over %d steps (after %d warm-up)  %.0f images/s  %.1f GFLOP/s\n"+
		"  allocated per step: %.0f bytes in %.0f allocations  peak RSS %.0f MB  (%d parameters, %.1f MFLOPs/image forward)",
		r.Cell, r.Preset, r.Batch, r.Engine, r.Workers, r.GOMAXPROCS, r.MsPerStep, r.Steps, r.WarmupSteps, r.ImagesPerSec, r.GFLOPs,
		r.AllocBytesStep, r.AllocsPerStep, float64(r.PeakRSSBytes)/1e6, r.Params, float64(r.FLOPsPerImage)/1e6)
}
