package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Density evaluates log p(x) of images under the model (natural log, per image) for batches of a
// fixed size. A training Density also computes the gradient of the mean bits per dimension.
type Density struct {
	m          *Model
	batch      int
	vm         G.VM
	x, u, img  *G.Node
	logpx      *G.Node
	loss       *G.Node
	paramNodes []*G.Node
}

// NewDensity builds the graph for batches of batch images; train adds the backward pass.
func (m *Model) NewDensity(batch int, train bool) (*Density, error) {
	b := m.builder()
	in := m.Arch.In
	d := &Density{m: m, batch: batch}
	err := build(func() {
		d.x = b.input("x", batch, in.C, in.H, in.W)
		d.u = b.input("u", batch, in.C, in.H, in.W)
		if len(m.vardeq) > 0 {
			d.img = b.input("img", batch, in.C, in.H, in.W)
		}
		st := &state{}
		b.dequantize(st, m, d.x, d.u, d.img)
		b.forward(st, m)
		logpx := must(G.Add(st.ldj, b.logPrior(st)))
		d.logpx = must(G.Add(logpx, b.scalar(st.ldjConst)))
		// mean bits per dimension = -mean(log p(x)) / (D ln 2)
		d.loss = must(G.Mul(must(G.Mean(d.logpx)), b.scalar(-1/(float64(in.Size())*math.Ln2))))
		if train {
			for _, p := range m.Params {
				d.paramNodes = append(d.paramNodes, b.param(p))
			}
			must(nil, firstErr(G.Grad(d.loss, d.paramNodes...)))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("building the density graph: %w", err)
	}
	graphMu.Lock()
	defer graphMu.Unlock()
	if train {
		d.vm = G.NewTapeMachine(b.g, G.BindDualValues(d.paramNodes...))
	} else {
		d.vm = G.NewTapeMachine(b.g)
	}
	return d, nil
}

func firstErr[T any](_ T, err error) error { return err }

// Batch is the number of images per run.
func (d *Density) Batch() int { return d.batch }

// Run evaluates up to Batch images (pixels: n*D bytes) with fresh uniform dequantization noise
// drawn from rng. It returns log p(x) per image and the mean bits per dimension of those images.
// For a training Density the gradients are left in Grads until the next Run.
func (d *Density) Run(pixels []uint8, rng *rand.Rand) (logpx []float64, bpd float64, err error) {
	dim := d.m.Dims()
	n := len(pixels) / dim
	if n < 1 || n > d.batch || n*dim != len(pixels) {
		return nil, 0, fmt.Errorf("density: %d bytes are not 1 to %d images of %d pixels", len(pixels), d.batch, dim)
	}
	fillPixels(d.x.Value(), pixels, d.batch, func(v uint8) float64 { return float64(v) })
	if d.img != nil {
		fillPixels(d.img.Value(), pixels, d.batch, func(v uint8) float64 { return float64(v)/255*2 - 1 })
	}
	fillUniform(d.u.Value(), rng)
	// gorgonia's tape machine adds each run's gradient into the parameters' dual values (its own
	// solvers zero them after a step); start every run from zero so Grads is this run's gradient.
	// (Before the first run there is no dual value yet.)
	for _, p := range d.paramNodes {
		if g, err := p.Grad(); err == nil {
			if t, ok := g.(*tensor.Dense); ok {
				t.Zero()
			}
		}
	}
	d.vm.Reset()
	if err := d.vm.RunAll(); err != nil {
		return nil, 0, fmt.Errorf("density: %w", err)
	}
	all := floats(d.logpx.Value())
	logpx = all[:n]
	for _, l := range logpx {
		bpd -= l
	}
	bpd /= float64(n) * float64(dim) * math.Ln2
	return logpx, bpd, nil
}

// Grads returns each parameter's gradient from the last Run of a training Density, in
// Model.Params order. The slices alias the graph's buffers.
func (d *Density) Grads() ([]G.Value, error) {
	out := make([]G.Value, len(d.paramNodes))
	for i, n := range d.paramNodes {
		g, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("gradient of %s: %w", n.Name(), err)
		}
		out[i] = g
	}
	return out, nil
}

// fillPixels writes the images, repeating the last one to pad a short batch.
func fillPixels(v G.Value, pixels []uint8, batch int, f func(uint8) float64) {
	t := v.(*tensor.Dense)
	per := t.Shape().TotalSize() / batch
	n := len(pixels) / per
	switch d := t.Data().(type) {
	case []float32:
		var table [256]float32 // f of every byte, rounded as before
		for b := range table {
			table[b] = float32(f(uint8(b)))
		}
		for i := 0; i < batch; i++ {
			src := pixels[min(i, n-1)*per:][:per]
			for j, p := range src {
				d[i*per+j] = table[p]
			}
		}
	case []float64:
		for i := range d {
			d[i] = f(pixels[min(i/per, n-1)*per+i%per])
		}
	}
}

func fillUniform(v G.Value, rng *rand.Rand) {
	switch d := v.(*tensor.Dense).Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(rng.Float64())
		}
	case []float64:
		for i := range d {
			d[i] = rng.Float64()
		}
	}
}

// Flow runs the continuous part of the model — everything after dequantization — forward or in
// reverse, on batches of a fixed size: the object of the invertibility and log-det checks, and the
// sampler.
type Flow struct {
	m       *Model
	batch   int
	vm      G.VM
	in      *G.Node   // forward: the logit-space image; reverse: the prior's input
	factors []*G.Node // reverse only: the factored-out tensors
	out     *G.Node   // forward: the prior's input; reverse: the logit-space image
	outF    []*G.Node // forward only: the factored-out tensors
	ldj     *G.Node
}

// NewFlow builds the forward (reverse=false) or reverse program of the flow.
func (m *Model) NewFlow(batch int, reverse bool) (*Flow, error) {
	b := m.builder()
	f := &Flow{m: m, batch: batch}
	err := build(func() {
		st := &state{}
		if reverse {
			fs := m.FinalShape()
			f.in = b.input("z", batch, fs.C, fs.H, fs.W)
			for i, size := range m.FactorSizes() {
				fn := b.input(fmt.Sprintf("factor%d", i), batch, size)
				f.factors = append(f.factors, fn)
			}
			st.z, st.factors = f.in, f.factors
			b.reverse(st, m)
		} else {
			in := m.Arch.In
			f.in = b.input("x", batch, in.C, in.H, in.W)
			st.z = f.in
			b.forward(st, m)
			f.outF = st.factors
		}
		f.out, f.ldj = st.z, st.ldj
	})
	if err != nil {
		return nil, fmt.Errorf("building the flow graph: %w", err)
	}
	graphMu.Lock()
	defer graphMu.Unlock()
	f.vm = G.NewTapeMachine(b.g)
	return f, nil
}

// Run maps a batch: in is the input flattened per sample (batch rows), factors are the
// factored tensors for a reverse Flow. It returns the output (for a forward Flow: the prior's
// input followed by the factored tensors, per sample: a vector of the image's size) and
// log|det J| per sample.
func (f *Flow) Run(in [][]float64, factors ...[][]float64) (out [][]float64, ldj []float64, err error) {
	if len(in) != f.batch {
		return nil, nil, fmt.Errorf("flow: %d samples for a batch of %d", len(in), f.batch)
	}
	setRows(f.in.Value(), in)
	for i, fn := range f.factors {
		setRows(fn.Value(), factors[i])
	}
	f.vm.Reset()
	if err := f.vm.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("flow: %w", err)
	}
	out = rows(f.out.Value(), f.batch)
	for _, fn := range f.outF {
		for i, r := range rows(fn.Value(), f.batch) {
			out[i] = append(out[i], r...)
		}
	}
	ldj = make([]float64, f.batch) // a flow without couplings has no log-det node: it is 0
	if f.ldj != nil {
		ldj = floats(f.ldj.Value())
	}
	return out, ldj, nil
}

// SplitOutput cuts a forward output row into the prior's input and the factored tensors, the
// form a reverse Flow takes.
func (m *Model) SplitOutput(row []float64) (z []float64, factors [][]float64) {
	n := m.FinalShape().Size()
	z, rest := row[:n], row[n:]
	for _, size := range m.FactorSizes() {
		factors = append(factors, rest[:size])
		rest = rest[size:]
	}
	return z, factors
}

func setRows(v G.Value, in [][]float64) {
	flat := make([]float64, 0, v.Shape().TotalSize())
	for _, r := range in {
		flat = append(flat, r...)
	}
	setFloats(v.(*tensor.Dense), flat)
}

func rows(v G.Value, n int) [][]float64 {
	all := floats(v)
	per := len(all) / n
	out := make([][]float64, n)
	for i := range out {
		out[i] = all[i*per : (i+1)*per : (i+1)*per]
	}
	return out
}
