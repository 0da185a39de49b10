package runner

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

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
}

// Bench times steps training steps of cfg's model on real images after warmup steps.
func Bench(cfg Config, data *dataset.Splits, warmup, steps int) (BenchResult, error) {
	if err := cfg.Validate(); err != nil {
		return BenchResult{}, err
	}
	in := flow.Shape{C: 1, H: data.Train.H, W: data.Train.W}
	arch, err := cfg.Cell.Arch(in, cfg.Sizes)
	if err != nil {
		return BenchResult{}, err
	}
	m, err := flow.New(arch, tensor.Float32, cfg.Seed)
	if err != nil {
		return BenchResult{}, err
	}
	m.Engine = cfg.FlowEngine()
	s, err := m.NewStepper(cfg.Batch, cfg.LR, cfg.ClipNorm)
	if err != nil {
		return BenchResult{}, err
	}
	dim := in.Size()
	pixels := data.Train.Images[:cfg.Batch*dim]
	rng := stream(cfg.Seed, streamNoise)
	r := BenchResult{Cell: cfg.Cell.String(), Preset: cfg.Preset, Batch: cfg.Batch, Steps: steps, WarmupSteps: warmup,
		Engine: m.Engine.Name(), Workers: cfg.Workers, Params: m.NumParams(), FLOPsPerImage: m.FLOPs(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
	for i := 0; i < warmup; i++ {
		t0 := time.Now()
		if _, _, err := s.Step(pixels, rng, 1); err != nil {
			return r, err
		}
		if i == 0 {
			r.FirstStepMillis = ms(time.Since(t0))
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < steps; i++ {
		t0 := time.Now()
		if _, _, err := s.Step(pixels, rng, 1); err != nil {
			return r, err
		}
		r.MsPerStepAll = append(r.MsPerStepAll, ms(time.Since(t0)))
	}
	runtime.ReadMemStats(&after)
	r.AllocBytesStep = float64(after.TotalAlloc-before.TotalAlloc) / float64(steps)
	r.AllocsPerStep = float64(after.Mallocs-before.Mallocs) / float64(steps)
	r.MsPerStep = median(r.MsPerStepAll)
	r.StepsPerSecond = 1000 / r.MsPerStep
	r.ImagesPerSec = float64(cfg.Batch) * r.StepsPerSecond
	r.GFLOPs = 3 * float64(r.FLOPsPerImage) * r.ImagesPerSec / 1e9
	r.PeakRSSBytes = peakRSS()
	return r, nil
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
	return fmt.Sprintf("%s, preset %s, batch %d, engine %s, GOMAXPROCS %d\n"+
		"  median %.1f ms/step over %d steps (after %d warm-up)  %.0f images/s  %.1f GFLOP/s\n"+
		"  allocated per step: %.0f bytes in %.0f allocations  peak RSS %.0f MB  (%d parameters, %.1f MFLOPs/image forward)",
		r.Cell, r.Preset, r.Batch, r.Engine, r.GOMAXPROCS, r.MsPerStep, r.Steps, r.WarmupSteps, r.ImagesPerSec, r.GFLOPs,
		r.AllocBytesStep, r.AllocsPerStep, float64(r.PeakRSSBytes)/1e6, r.Params, float64(r.FLOPsPerImage)/1e6)
}
