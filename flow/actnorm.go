package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ActNorm is Glow's activation normalisation: every channel c is shifted and scaled,
// y = s_c·(x + b_c) with s_c = exp(logs_c), so log|det J| = H·W·Σ_c logs_c and the inverse is
// x = y·exp(-logs_c) - b_c. Its 2C parameters (logs and b) start as the identity (0 and 0) in New;
// Model.InitActNorms sets them from a batch of data, as Glow does on its first minibatch.
type ActNorm struct {
	Name  string
	Shape Shape
}

func (a ActNorm) Label() string   { return a.Name }
func (a ActNorm) InShape() Shape  { return a.Shape }
func (a ActNorm) OutShape() Shape { return a.Shape }
func (a ActNorm) kind() string    { return "actnorm" }

func (a ActNorm) validate(in Shape) error {
	if a.Shape != in {
		return fmt.Errorf("actnorm %s: shape %s, want %s", a.Name, a.Shape, in)
	}
	if a.Shape.C < 1 {
		return fmt.Errorf("actnorm %s: no channels", a.Name)
	}
	return nil
}

func (a ActNorm) module(ps *paramSet) module { return ps.actNorm(a) }

// trace: a per-channel scale and shift re-parameterises every element in place; none moves or mixes.
func (a ActNorm) trace(sources [][]int) [][]int { return sources }

func (a ActNorm) roles(sources [][]int, mark func([]int, byte)) { passThrough(sources, mark) }

// actNormModule holds an ActNorm's parameters, each stored as (1, C, 1, 1) for broadcasting.
type actNormModule struct {
	spec       ActNorm
	logs, bias *Param
}

// actNorm adds the parameters as the identity. They draw nothing from the seeded stream, so the
// layers after an ActNorm are initialised as they would be without it.
func (ps *paramSet) actNorm(a ActNorm) *actNormModule {
	c := a.Shape.C
	return &actNormModule{
		spec: a,
		logs: ps.add(a.Name+".logs", []int{1, c, 1, 1}, constant(0)),
		bias: ps.add(a.Name+".bias", []int{1, c, 1, 1}, constant(0)),
	}
}

func (m *actNormModule) forward(b *builder, st *state) { b.actNorm(st, m, false) }
func (m *actNormModule) reverse(b *builder, st *state) { b.actNorm(st, m, true) }

// actNorm applies the layer (or its inverse) with stock gorgonia ops, for float32 and float64 and
// both engines alike: it is a few elementwise passes over a small map, not worth a kernel.
func (b *builder) actNorm(st *state, m *actNormModule, reverse bool) {
	logs, bias := b.param(m.logs), b.param(m.bias)
	perChannel := []byte{0, 2, 3}
	if reverse {
		y := must(G.BroadcastHadamardProd(st.z, must(G.Exp(must(G.Neg(logs)))), nil, perChannel))
		st.z = must(G.BroadcastSub(y, bias, nil, perChannel))
	} else {
		x := must(G.BroadcastAdd(st.z, bias, nil, perChannel))
		st.z = must(G.BroadcastHadamardProd(x, must(G.Exp(logs)), nil, perChannel))
	}
	sh := m.spec.Shape
	logdet := must(G.Mul(must(G.Sum(logs)), b.scalar(float64(sh.H*sh.W))))
	if reverse {
		logdet = must(G.Neg(logdet))
	}
	b.addToEverySample(st, m.spec.Name, logdet)
}

// addToEverySample adds the scalar node v, a log-determinant that does not depend on the input, to
// the log-determinant of every sample of the batch.
func (b *builder) addToEverySample(st *state, name string, v *G.Node) {
	batch := st.z.Shape()[0]
	ones := make([]float64, batch)
	for i := range ones {
		ones[i] = 1
	}
	st.addLDJ(must(G.Mul(b.fixed(name+".ones", ones, batch), v)))
}

func (m *actNormModule) info() LayerInfo {
	s := m.spec.Shape
	return LayerInfo{Name: m.spec.Name, Kind: "actnorm", In: s, Out: s,
		Params: m.logs.Size() + m.bias.Size(), FLOPs: 2 * int64(s.Size())}
}

// actNormEps keeps the scale finite on a channel that is constant on the batch (Glow's 1e-6).
const actNormEps = 1e-6

// initFrom sets the parameters from the layer's input on a batch of n samples (NCHW, row-major):
// b = -mean and s = 1/(std + eps) per channel, so that the output on that batch has zero mean and
// (to eps) unit variance per channel.
func (m *actNormModule) initFrom(in []float64, n int) {
	sh := m.spec.Shape
	plane := sh.H * sh.W
	logs, bias := make([]float64, sh.C), make([]float64, sh.C)
	for c := 0; c < sh.C; c++ {
		var sum, sq float64
		for i := 0; i < n; i++ {
			for _, v := range in[(i*sh.C+c)*plane : (i*sh.C+c+1)*plane] {
				sum += v
			}
		}
		count := float64(n * plane)
		mean := sum / count
		for i := 0; i < n; i++ {
			for _, v := range in[(i*sh.C+c)*plane : (i*sh.C+c+1)*plane] {
				sq += (v - mean) * (v - mean)
			}
		}
		bias[c] = -mean
		logs[c] = -math.Log(math.Sqrt(sq/count) + actNormEps)
	}
	setFloats(m.logs.Value, logs)
	setFloats(m.bias.Value, bias)
}

// dataInitializer is a module whose parameters are set from data before training: from its input
// on a batch of n samples (NCHW, row-major). ActNorm is one.
type dataInitializer interface {
	initFrom(in []float64, n int)
}

// InitActNorms is Glow's data-dependent initialisation: it sets every ActNorm of the flow from one
// batch of images (pixels: n·D bytes), so that on this batch each one's output has zero mean and
// unit variance per channel. It goes layer by layer in flow order, so each ActNorm is fitted to
// what the layers before it, earlier ActNorms already initialised, make of the batch. The batch is
// dequantized once, with uniform noise drawn from rng, and that noise serves every layer. It
// returns the number of layers initialised; a model without ActNorm is left as it is and nothing
// is drawn from rng.
func (m *Model) InitActNorms(pixels []uint8, rng *rand.Rand) (int, error) {
	var at []int
	for i, l := range m.layers {
		if _, ok := l.(dataInitializer); ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return 0, nil
	}
	dim := m.Dims()
	n := len(pixels) / dim
	if n < 1 || n*dim != len(pixels) {
		return 0, fmt.Errorf("initialising the actnorms: %d bytes are not a whole number of images of %d pixels", len(pixels), dim)
	}
	noise := make([]float64, len(pixels))
	for i := range noise {
		noise[i] = rng.Float64()
	}
	for _, i := range at {
		in, err := m.layerInput(i, pixels, noise)
		if err != nil {
			return 0, fmt.Errorf("initialising %s: %w", m.Arch.Layers[i].Label(), err)
		}
		m.layers[i].(dataInitializer).initFrom(in, n)
	}
	return len(at), nil
}

// layerInput is the input of flow layer i on a batch of images dequantized with the given uniform
// noise (one value per pixel), with the parameters as they are now.
func (m *Model) layerInput(i int, pixels []uint8, noise []float64) ([]float64, error) {
	in := m.Arch.In
	n := len(pixels) / m.Dims()
	b := m.builder()
	var x, u, img, out *G.Node
	err := build(func() {
		x = b.input("x", n, in.C, in.H, in.W)
		u = b.input("u", n, in.C, in.H, in.W)
		if len(m.vardeq) > 0 {
			img = b.input("img", n, in.C, in.H, in.W)
		}
		st := &state{}
		b.dequantize(st, m, x, u, img)
		for _, l := range m.layers[:i] {
			l.forward(b, st)
		}
		out = st.z
	})
	if err != nil {
		return nil, fmt.Errorf("building the graph: %w", err)
	}
	fillPixels(x.Value(), pixels, n, func(v uint8) float64 { return float64(v) })
	if img != nil { // the conditioning image, as Density.Run makes it
		fillPixels(img.Value(), pixels, n, func(v uint8) float64 { return float64(v)/255*2 - 1 })
	}
	setFloats(u.Value().(*tensor.Dense), noise)
	graphMu.Lock()
	vm := G.NewTapeMachine(b.g)
	graphMu.Unlock()
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, err
	}
	return floats(out.Value()), nil
}
