package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"squeezebench/flow/kernel"
)

// Tutorial 11's dequantization constants.
const (
	Alpha  = 1e-5 // logit squashing
	Levels = 256  // quantisation levels of a pixel
)

// Model is an Arch with parameters: the trainable flow.
type Model struct {
	Arch   Arch
	Dtype  tensor.Dtype
	Params []*Param
	Engine Engine
	vardeq []*couplingModule
	layers []module // one per layer of Arch.Layers, in flow order
}

// module is a layer of a built Model: the layer with its parameters, and its transform as graph
// operations. Model building, the graphs and Describe iterate modules and never ask their kind.
type module interface {
	// forward maps the layer's input st.z to its output and adds the log-determinant to st
	// (a split also appends what it factors out to st.factors).
	forward(b *builder, st *state)
	// reverse maps the layer's output st.z back to its input and subtracts the log-determinant
	// (a split takes its factored tensor back from the end of st.factors).
	reverse(b *builder, st *state)
	// info is the layer's row of Describe.
	info() LayerInfo
}

// New initialises a model of arch a. The seed fixes every initial weight; dt is tensor.Float32
// for training or tensor.Float64 for the exactness checks.
func New(a Arch, dt tensor.Dtype, seed uint64) (*Model, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	ps := &paramSet{dt: dt, rng: rand.New(rand.NewPCG(seed, 0x5eed))}
	m := &Model{Arch: a, Dtype: dt}
	for _, c := range a.VarDeq {
		m.vardeq = append(m.vardeq, ps.coupling(c))
	}
	for _, l := range a.Layers {
		m.layers = append(m.layers, l.module(ps))
	}
	m.Params = ps.params
	return m, nil
}

// NumParams counts the learnable scalars.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params {
		n += p.Size()
	}
	return n
}

// Dims is the number of dimensions of one image, the denominator of bits per dimension.
func (m *Model) Dims() int { return m.Arch.In.Size() }

// FinalShape is the shape of the last layer's output, scored by the prior.
func (m *Model) FinalShape() Shape {
	if len(m.Arch.Layers) == 0 {
		return m.Arch.In
	}
	return m.Arch.Layers[len(m.Arch.Layers)-1].OutShape()
}

// FactorSizes are the sizes of the factored-out tensors, in flow order. A flow keeps the number
// of dimensions, so a layer whose output is smaller than its input (a Split; Validate checks it
// is a partition) has factored out the difference.
func (m *Model) FactorSizes() []int {
	var out []int
	for _, l := range m.Arch.Layers {
		if d := l.InShape().Size() - l.OutShape().Size(); d > 0 {
			out = append(out, d)
		}
	}
	return out
}

// state is what flows through the layers while a graph is built: the current tensor, the
// data-dependent part of log|det J| per sample, its constant part, and the factored-out tensors.
type state struct {
	z        *G.Node
	ldj      *G.Node
	ldjConst float64
	factors  []*G.Node
}

func (st *state) addLDJ(term *G.Node) {
	if st.ldj == nil {
		st.ldj = term
		return
	}
	st.ldj = must(G.Add(st.ldj, term))
}

// coupling applies one affine coupling: z' = (z + t)·exp(s) on the transformed positions, with
// s = tanh(s_raw / e^scale)·e^scale, and (s, t) from the network on the conditioning positions.
func (b *builder) coupling(st *state, c *couplingModule, cond *G.Node, reverse bool) {
	if b.fast != nil && !reverse {
		b.fastCoupling(st, c, cond)
		return
	}
	z := st.z
	sh := c.spec.Shape
	mask := b.fixed(c.spec.Name+".mask", c.mask, 1, sh.C, sh.H, sh.W)
	transformed := b.fixed(c.spec.Name+".invmask", keepMask(c.mask), 1, sh.C, sh.H, sh.W)
	netIn := must(G.BroadcastHadamardProd(z, mask, nil, []byte{0}))
	if cond != nil {
		netIn = must(G.Concat(1, netIn, cond))
	}
	out := b.gatedConvNet(netIn, c.net)
	s, t := channels(out, 0, sh.C), channels(out, sh.C, 2*sh.C)
	fac := must(G.Exp(b.param(c.scale)))
	s = must(G.BroadcastHadamardDiv(s, fac, nil, []byte{0, 2, 3}))
	s = must(G.BroadcastHadamardProd(must(G.Tanh(s)), fac, nil, []byte{0, 2, 3}))
	s = must(G.BroadcastHadamardProd(s, transformed, nil, []byte{0}))
	t = must(G.BroadcastHadamardProd(t, transformed, nil, []byte{0}))
	logdet := sumPerSample(s)
	if reverse {
		st.z = must(G.Sub(must(G.HadamardProd(z, must(G.Exp(must(G.Neg(s)))))), t))
		st.addLDJ(must(G.Neg(logdet)))
	} else {
		st.z = must(G.HadamardProd(must(G.Add(z, t)), must(G.Exp(s))))
		st.addLDJ(logdet)
	}
}

// fastCoupling is the forward coupling from fused kernel ops: masking, the transform and its
// log-determinant each one pass, instead of a dozen stock ops with their copies.
func (b *builder) fastCoupling(st *state, c *couplingModule, cond *G.Node) {
	z, ldj := b.fast.couplingLayer(st.z, cond, c.mask, c.net, b.param(c.scale), b.param)
	st.z = z
	st.addLDJ(ldj)
}

// keepMask is 1 where a coupling transforms (mask 0) and 0 where it conditions.
func keepMask(mask []float64) []float64 {
	keep := make([]float64, len(mask))
	for i, v := range mask {
		keep[i] = 1 - v
	}
	return keep
}

// logit maps (0,1) to the reals after squashing into [alpha/2, 1-alpha/2] (the tutorial's
// "sigmoid, reverse=True"), adding its log-determinant.
func (b *builder) logit(st *state) {
	d := perSample(st.z.Shape())
	z := must(G.Add(must(G.Mul(st.z, b.scalar(1-Alpha))), b.scalar(0.5*Alpha)))
	logZ := must(G.Log(z))
	log1mZ := must(G.Log(must(G.Sub(b.scalar(1), z))))
	st.ldjConst += math.Log(1-Alpha) * float64(d)
	st.addLDJ(must(G.Neg(sumPerSample(must(G.Add(logZ, log1mZ))))))
	st.z = must(G.Sub(logZ, log1mZ))
}

// sigmoid is the inverse of logit, with its log-determinant.
func (b *builder) sigmoid(st *state) {
	d := perSample(st.z.Shape())
	z := st.z
	// log sigmoid'(z) = -z - 2 softplus(-z)
	negZ := must(G.Neg(z))
	st.addLDJ(sumPerSample(must(G.Sub(negZ, must(G.Mul(must(G.Softplus(negZ)), b.scalar(2)))))))
	st.ldjConst -= math.Log(1-Alpha) * float64(d)
	y := must(G.Sub(must(G.Sigmoid(z)), b.scalar(0.5*Alpha)))
	st.z = must(G.Div(y, b.scalar(1-Alpha)))
}

// dequantize turns pixel values x (0..255, as floats) plus uniform noise u into the logit-space
// input of the flow. With variational dequantization the noise is first shaped by couplings
// conditioned on the image img = x/255*2-1; the log-determinant of that noise map is -log q(noise|x).
func (b *builder) dequantize(st *state, m *Model, x, u, img *G.Node) {
	noise := u
	if len(m.vardeq) > 0 {
		ns := b.noiseMap(m, u, img)
		noise = ns.z
		st.addLDJ(ns.ldj)
		st.ldjConst += ns.ldjConst
	}
	d := float64(perSample(x.Shape()))
	st.ldjConst -= math.Log(Levels) * d
	if b.fast != nil {
		z, ldj := b.fast.elementwise("dequant.logit", kernel.Logit(1.0/Levels, Alpha), true, x, noise)
		st.z = z
		st.addLDJ(ldj)
		st.ldjConst += math.Log(1-Alpha) * d
		return
	}
	st.z = must(G.Div(must(G.Add(x, noise)), b.scalar(Levels)))
	b.logit(st)
}

// noiseMap is variational dequantization's map from uniform noise u to dequantization noise:
// logit, the vardeq couplings conditioned on img, sigmoid. The returned state holds the noise and
// the map's log-determinant (data-dependent part in ldj, constant part in ldjConst).
func (b *builder) noiseMap(m *Model, u, img *G.Node) *state {
	ns := &state{z: u}
	d := float64(perSample(u.Shape()))
	if b.fast != nil {
		z, ldj := b.fast.elementwise("vardeq.logit", kernel.Logit(1, Alpha), true, u, nil)
		ns.z = z
		ns.addLDJ(ldj)
		ns.ldjConst += math.Log(1-Alpha) * d
	} else {
		b.logit(ns)
	}
	for _, c := range m.vardeq {
		b.coupling(ns, c, img, false)
	}
	if b.fast != nil {
		z, ldj := b.fast.elementwise("vardeq.sigmoid", kernel.Sigmoid(Alpha), true, ns.z, nil)
		ns.z = z
		ns.addLDJ(ldj)
		ns.ldjConst -= math.Log(1-Alpha) * d
	} else {
		b.sigmoid(ns)
	}
	return ns
}

// forward runs the flow (after dequantization) from st.z to the prior's input.
func (b *builder) forward(st *state, m *Model) {
	for _, l := range m.layers {
		l.forward(b, st)
	}
}

// reverse runs the flow backwards from the prior's input st.z and the factored tensors st.factors.
func (b *builder) reverse(st *state, m *Model) {
	for i := len(m.layers) - 1; i >= 0; i-- {
		m.layers[i].reverse(b, st)
	}
}

// logPrior is the standard-normal log-density of the prior's input and all factored tensors.
func (b *builder) logPrior(st *state) *G.Node {
	terms := append([]*G.Node{st.z}, st.factors...)
	var total *G.Node
	count := 0
	if b.fast != nil {
		for _, t := range terms {
			count += perSample(t.Shape())
			_, lp := b.fast.elementwise("prior", kernel.HalfSquare, false, t, nil)
			if total == nil {
				total = lp
			} else {
				total = must(G.Add(total, lp))
			}
		}
		return must(G.Add(total, b.scalar(-0.5*math.Log(2*math.Pi)*float64(count))))
	}
	for _, t := range terms {
		count += perSample(t.Shape())
		sq := sumPerSample(must(G.Square(t)))
		if total == nil {
			total = sq
		} else {
			total = must(G.Add(total, sq))
		}
	}
	lp := must(G.Mul(total, b.scalar(-0.5)))
	return must(G.Add(lp, b.scalar(-0.5*math.Log(2*math.Pi)*float64(count))))
}

func (m *Model) String() string {
	return fmt.Sprintf("flow model: %d layers, %d parameters", len(m.layers), m.NumParams())
}
