package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"gorgonia.org/tensor"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/variants"
)

// Seeds of the random streams of a run. The same seed gives the same data order and the same
// dequantization noise in every cell (common random numbers), so cells can be compared pair-wise.
const (
	streamInit = iota + 1
	streamData
	streamNoise
	streamEval
	streamSample
	// streamActNorm dequantizes the first minibatch for the data-dependent init of a model with
	// ActNorm layers (glow mixing): a stream of its own, so the data and noise streams of a run
	// are the same with and without it.
	streamActNorm
)

func stream(seed uint64, which int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(which)))
}

// pcgStream is a stream whose state can be saved: the PCG behind it and the *rand.Rand drawing
// from it (math/rand/v2's Rand keeps no state of its own).
func pcgStream(seed uint64, which int) (*rand.PCG, *rand.Rand) {
	src := rand.NewPCG(seed, uint64(which))
	return src, rand.New(src)
}

// ErrDiverged marks a run whose loss or gradient became NaN or infinite.
var ErrDiverged = flow.ErrDiverged

// Metric is one row of metrics.csv.
type Metric struct {
	Step         int
	Epoch        float64
	LR           float64
	MinibatchBPD float64 // the training loss: mean over the steps since the previous row (a progress figure)
	GradNorm     float64 // mean over the same steps, before clipping
	// At an evaluation (NaN otherwise): the bpd of the training subset and of the validation
	// subset, with the same estimator (Config.EvalSamples samples, the same images every time).
	TrainEvalBPD float64
	ValBPD       float64
	Elapsed      float64 // seconds since the start
}

// Outcome is what a training run produced.
type Outcome struct {
	Result  Result
	Metrics []Metric
	Samples []uint8 // SampleImages images, row-major
}

// ErrInterrupted marks a run stopped by its context (SIGINT, SIGTERM) before the end.
var ErrInterrupted = errors.New("interrupted")

// Options are what a run may do besides training that does not change its numbers.
type Options struct {
	// Checkpoint is the file the run saves its state to (weights, Adam state, random streams,
	// step, metrics) every CheckpointEvery steps (0: never periodically) and when interrupted.
	// A run that finds a checkpoint of its configuration there resumes from it and ends with
	// exactly the numbers of an uninterrupted run. Empty: no checkpoints.
	Checkpoint      string
	CheckpointEvery int
	// AfterStep, when set, is called after every optimizer step; an error from it ends the run
	// at once, without a checkpoint, as if the process had been killed (tests inject faults).
	AfterStep func(step int, m *flow.Model) error
}

// Train runs one configuration on data, logging progress to log. It always returns an Outcome whose
// Result says how the run ended, also when it ends with an error. It stops between steps when ctx
// is cancelled: the run then ends with status interrupted and an error wrapping ErrInterrupted
// (and, with a checkpoint file in opt, a checkpoint from which it resumes exactly).
func Train(ctx context.Context, cfg Config, data *dataset.Splits, log io.Writer, opt Options) (*Outcome, error) {
	start := time.Now()
	out := &Outcome{Result: newResult(cfg)}
	fail := func(err error) (*Outcome, error) {
		out.Result.Status, out.Result.Error = StatusFailed, err.Error()
		switch {
		case errors.Is(err, ErrDiverged):
			out.Result.Status = StatusDiverged
		case errors.Is(err, ErrInterrupted):
			out.Result.Status = StatusInterrupted
		}
		out.Result.WallSeconds = time.Since(start).Seconds()
		out.Result.Ended = time.Now().UTC().Format(time.RFC3339)
		return out, err
	}
	if err := cfg.Validate(); err != nil {
		return fail(err)
	}
	if err := checkData(cfg, data); err != nil {
		return fail(err)
	}
	in := flow.Shape{C: 1, H: data.Train.H, W: data.Train.W}
	arch, err := cfg.Cell.Arch(in, cfg.Sizes)
	if err != nil {
		return fail(err)
	}
	model, err := flow.New(arch, tensor.Float32, cfg.Seed*1000+streamInit)
	if err != nil {
		return fail(err)
	}
	model.Engine = cfg.FlowEngine()
	if err := model.Engine.Check(); err != nil {
		return fail(fmt.Errorf("precision %s: %w", cfg.Precision, err))
	}
	out.Result.Backend = model.Engine.Name()
	out.Result.Params, out.Result.FLOPsPerImage, out.Result.Model = model.NumParams(), model.FLOPs(), arch.Fingerprint()
	t := &trainer{ctx: ctx, cfg: cfg, data: data, model: model, log: log, start: start, out: out, opt: opt}
	if err := t.run(); err != nil {
		start = t.start // a resumed run counts the time before the checkpoint
		return fail(err)
	}
	if err := out.Result.checkBPD(); err != nil {
		start = t.start
		return fail(fmt.Errorf("after %d steps, %w: not a usable result (train longer)", out.Result.Steps, err))
	}
	out.Result.Status = StatusOK
	out.Result.WallSeconds = time.Since(t.start).Seconds()
	out.Result.Ended = time.Now().UTC().Format(time.RFC3339)
	return out, nil
}

type trainer struct {
	ctx   context.Context
	cfg   Config
	data  *dataset.Splits
	model *flow.Model
	log   io.Writer
	start time.Time
	out   *Outcome

	opt   Options
	evals map[int]*flow.Density // evaluation graphs by batch size
}

func (t *trainer) run() error {
	cfg, train := t.cfg, t.data.Train
	stepsPerEpoch := train.N / cfg.Batch // drop_last, as the tutorial's loader
	if stepsPerEpoch < 1 {
		return fmt.Errorf("batch %d is larger than the %d training images", cfg.Batch, train.N)
	}
	total := cfg.Steps
	if total == 0 {
		total = cfg.Epochs * stepsPerEpoch
	}
	stepper, err := t.model.NewStepper(cfg.Batch, cfg.LR, cfg.ClipNorm)
	if err != nil {
		return err
	}
	s := &state{total: total}
	s.dataSrc, s.dataRNG = pcgStream(cfg.Seed, streamData)
	s.noiseSrc, s.noiseRNG = pcgStream(cfg.Seed, streamNoise)
	dim := train.H * train.W
	batch := make([]uint8, cfg.Batch*dim)
	var order []int
	fmt.Fprintf(t.log, "%s seed %d: %d parameters, %d steps (%d per epoch), batch %d\n",
		cfg.Cell, cfg.Seed, t.model.NumParams(), total, stepsPerEpoch, cfg.Batch)
	if order, err = t.resume(s, stepper, stepsPerEpoch); err != nil {
		return err
	}
	// The progress lines' ms/step and ETA are this sitting's mean: a run resumed on another
	// binary or machine shows the rate it now steps at, not one diluted by earlier segments.
	sitStep, sitTime := s.done, s.trainTime
	for step := s.done + 1; step <= total; step++ {
		if err := t.ctx.Err(); err != nil {
			if err := t.saveCheckpoint(s, stepper); err != nil {
				return err
			}
			at := fmt.Sprintf("after step %d of %d", s.done, total)
			if t.opt.Checkpoint != "" {
				at += "; the checkpoint resumes it"
			}
			return fmt.Errorf("%w %s", ErrInterrupted, at)
		}
		epoch := (step - 1) / stepsPerEpoch
		if (step-1)%stepsPerEpoch == 0 {
			if s.epochStart, err = s.dataSrc.MarshalBinary(); err != nil {
				return err
			}
			order = s.dataRNG.Perm(train.N)
		}
		pos := (step - 1) % stepsPerEpoch
		for i, idx := range order[pos*cfg.Batch : (pos+1)*cfg.Batch] {
			copy(batch[i*dim:(i+1)*dim], train.Image(idx))
		}
		if step == 1 { // a fresh run: a resumed one starts after its checkpoint's step, at least 2
			if err := t.initActNorms(batch); err != nil {
				return err
			}
		}
		stepStart := time.Now()
		bpd, norm, err := stepper.Step(batch, s.noiseRNG, math.Pow(cfg.LRGamma, float64(epoch)))
		if err != nil {
			return fmt.Errorf("step %d: %w", step, err)
		}
		s.trainTime += time.Since(stepStart).Seconds()
		s.done = step
		t.out.Result.Steps = step
		if t.opt.AfterStep != nil {
			if err := t.opt.AfterStep(step, t.model); err != nil {
				return err
			}
		}
		s.sumBPD, s.sumNorm, s.since = s.sumBPD+bpd, s.sumNorm+norm, s.since+1
		validate := cfg.EvaluatesAt(step, total)
		if step%max(cfg.LogEvery, 1) == 0 || validate {
			m := Metric{Step: step, Epoch: float64(step) / float64(stepsPerEpoch), LR: cfg.LR * math.Pow(cfg.LRGamma, float64(epoch)),
				MinibatchBPD: s.sumBPD / float64(s.since), GradNorm: s.sumNorm / float64(s.since), TrainEvalBPD: math.NaN(), ValBPD: math.NaN()}
			if validate {
				evalStart := time.Now()
				if m.TrainEvalBPD, m.ValBPD, err = t.evaluatePair(cfg.EvalSamples); err != nil {
					return err
				}
				s.evalTime += time.Since(evalStart).Seconds()
			}
			m.Elapsed = time.Since(t.start).Seconds()
			t.out.Metrics = append(t.out.Metrics, m)
			t.out.Result.MinibatchBPD = m.MinibatchBPD
			t.progress(m, total, (s.trainTime-sitTime)/float64(step-sitStep))
			s.sumBPD, s.sumNorm, s.since = 0, 0, 0
		}
		if every := t.opt.CheckpointEvery; every > 0 && step%every == 0 && step < total {
			if err := t.saveCheckpoint(s, stepper); err != nil {
				return err
			}
		}
	}
	res := &t.out.Result
	res.MsPerStep = 1000 * s.trainTime / float64(total)
	evalStart := time.Now()
	k := cfg.ImportanceSamples
	if res.TrainBPD, res.ValBPD, err = t.evaluatePair(k); err != nil {
		return err
	}
	if res.TestBPD, err = t.evaluate(t.data.Test, cfg.TestImages, k); err != nil {
		return err
	}
	res.ImportanceSamples = k
	res.TrainImages, res.ValImages, res.TestImages = t.subset(t.data.Train), t.subset(t.data.Val), imagesOf(t.data.Test, cfg.TestImages)
	res.EvalSeconds = s.evalTime + time.Since(evalStart).Seconds()
	fmt.Fprintf(t.log, "%s seed %d: bpd train %.4f, val %.4f, test %.4f (%d/%d/%d images, %d importance samples each)\n",
		cfg.Cell, cfg.Seed, res.TrainBPD, res.ValBPD, res.TestBPD, res.TrainImages, res.ValImages, res.TestImages, k)
	return t.sample()
}

// initActNorms is Glow's data-dependent initialisation of the model's ActNorm layers on the first
// minibatch, before the first step. It runs only in a fresh run: a resumed run has the trained
// ActNorm parameters in its checkpoint, and initialising them again would change its numbers. A
// model without ActNorm is untouched.
func (t *trainer) initActNorms(batch []uint8) error {
	n, err := t.model.InitActNorms(batch, stream(t.cfg.Seed, streamActNorm))
	if err != nil {
		return fmt.Errorf("data-dependent init: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(t.log, "initialised %d actnorm layers on the first minibatch (zero mean, unit variance per channel)\n", n)
	}
	return nil
}

// checkData refuses data other than the configuration's: a run's numbers belong to its data.
func checkData(cfg Config, data *dataset.Splits) error {
	if cfg.Data == (dataset.ID{}) {
		return fmt.Errorf("config field data: want the identity of the data set the run trains on")
	}
	if got := data.ID(); got != cfg.Data {
		return fmt.Errorf("the configuration is for %s but the loaded data (%s) is %s", cfg.Data, data.Source, got)
	}
	if n := cfg.TestImages; n > data.Test.N {
		return fmt.Errorf("config field test_images: want at most the %d test images, got %d", data.Test.N, n)
	}
	if n := cfg.ValImages; n > data.Val.N {
		return fmt.Errorf("config field val_images: want at most the %d validation images, got %d", data.Val.N, n)
	}
	return nil
}

// imagesOf is the number of images of set an evaluation of n images uses (0: all).
func imagesOf(set *dataset.Set, n int) int {
	if n == 0 || n > set.N {
		return set.N
	}
	return n
}

// subset is the number of images of the training or validation subset: ValImages, or with 0 the
// whole validation set and as many training images.
func (t *trainer) subset(set *dataset.Set) int {
	n := t.cfg.ValImages
	if n == 0 {
		n = t.data.Val.N
	}
	return imagesOf(set, n)
}

// evaluatePair is the bpd of the training subset and of the validation subset with k importance
// samples each: the same estimator, the same number of images and the same noise draws.
func (t *trainer) evaluatePair(k int) (train, val float64, err error) {
	if train, err = t.evaluate(t.data.Train, t.subset(t.data.Train), k); err != nil {
		return
	}
	val, err = t.evaluate(t.data.Val, t.subset(t.data.Val), k)
	return
}

// state is what a run carries from step to step besides the model and the optimizer: what a
// checkpoint saves.
type state struct {
	total, done int
	dataSrc     *rand.PCG
	dataRNG     *rand.Rand
	noiseSrc    *rand.PCG
	noiseRNG    *rand.Rand
	epochStart  []byte // the data stream's state before the current epoch's permutation was drawn
	sumBPD      float64
	sumNorm     float64
	since       int
	trainTime   float64 // seconds spent in optimizer steps
	evalTime    float64 // seconds spent in evaluations during training
}

func (t *trainer) progress(m Metric, total int, secPerStep float64) {
	eta := time.Duration(float64(total-m.Step) * secPerStep * float64(time.Second)).Round(time.Second)
	val := ""
	if !math.IsNaN(m.ValBPD) {
		val = fmt.Sprintf("  eval: train %.4f val %.4f", m.TrainEvalBPD, m.ValBPD)
	}
	fmt.Fprintf(t.log, "  step %d/%d  epoch %.2f  minibatch bpd %.4f%s  %.0f ms/step  ETA %s\n",
		m.Step, total, m.Epoch, m.MinibatchBPD, val, 1000*secPerStep, eta)
}

// evaluate is the mean bits per dimension over the first n images of set (0: all). With k > 1
// importance samples, each image's likelihood is the mean of k dequantization samples,
// log p(x) ≈ logsumexp(log p_i) - log k, as the tutorial's test_step.
func (t *trainer) evaluate(set *dataset.Set, n, k int) (float64, error) {
	n = imagesOf(set, n)
	density, err := t.evalDensity(min(t.cfg.EvalBatch, n))
	if err != nil {
		return 0, err
	}
	rng := stream(t.cfg.Seed, streamEval)
	dim := set.H * set.W
	var total float64
	for from := 0; from < n; from += density.Batch() {
		to := min(from+density.Batch(), n)
		pixels := set.Images[from*dim : to*dim]
		samples := make([][]float64, to-from)
		for s := 0; s < k; s++ {
			logpx, _, err := density.Run(pixels, rng)
			if err != nil {
				return 0, err
			}
			for i, l := range logpx {
				samples[i] = append(samples[i], l)
			}
		}
		for _, ls := range samples {
			total += logSumExp(ls) - math.Log(float64(k))
		}
	}
	bpd := -total / (float64(n) * float64(dim) * math.Ln2)
	if math.IsNaN(bpd) || math.IsInf(bpd, 0) {
		return bpd, fmt.Errorf("evaluation bpd is %v: %w", bpd, ErrDiverged)
	}
	return bpd, nil
}

// evalDensity returns the evaluation graph for batch images, built once: validation runs many
// times, and each graph owns its buffers.
func (t *trainer) evalDensity(batch int) (*flow.Density, error) {
	if d, ok := t.evals[batch]; ok {
		return d, nil
	}
	d, err := t.model.NewDensity(batch, false)
	if err != nil {
		return nil, err
	}
	if t.evals == nil {
		t.evals = map[int]*flow.Density{}
	}
	t.evals[batch] = d
	return d, nil
}

func (t *trainer) sample() error {
	if t.cfg.SampleImages == 0 {
		return nil
	}
	s, err := t.model.NewSampler(t.cfg.SampleImages)
	if err != nil {
		return err
	}
	t.out.Samples, err = s.Sample(stream(t.cfg.Seed, streamSample))
	return err
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// fullCell names every axis, so that the default spelled out and left out hash alike; a grid's
// settings in the cell are kept.
func fullCell(c variants.Cell) variants.Cell {
	out := variants.Cell{}
	for _, a := range variants.Axes() {
		out[a] = c.Get(a)
	}
	for _, s := range c.Settings() {
		out[s] = c[s]
	}
	return out
}
