package flow

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// builder adds layers to one gorgonia graph. Parameters become nodes bound to their shared values;
// graph-building errors are shape bugs, so they panic inside and are returned by build.
type builder struct {
	g      *G.ExprGraph
	dt     tensor.Dtype
	params map[*Param]*G.Node
	fast   *fast // nil: the GatedConvNet from stock gorgonia ops (the oracle of the fast ops)
}

type buildError struct{ err error }

func newBuilder(dt tensor.Dtype) *builder {
	return &builder{g: G.NewGraph(), dt: dt, params: map[*Param]*G.Node{}}
}

// graphMu serialises graph building: gorgonia v0.9.18 counts node groups in a package-level
// variable without a lock (internal/encoding), so two goroutines building graphs at once race.
// Running built graphs concurrently is safe.
var graphMu sync.Mutex

// build runs f and turns a panic raised by must into an error.
func build(f func()) (err error) {
	graphMu.Lock()
	defer graphMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			be, ok := r.(buildError)
			if !ok {
				panic(r)
			}
			err = be.err
		}
	}()
	f()
	return nil
}

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(buildError{err})
	}
	return n
}

func (b *builder) param(p *Param) *G.Node {
	if n, ok := b.params[p]; ok {
		return n
	}
	n := G.NewTensor(b.g, b.dt, p.Value.Dims(), G.WithShape(p.Value.Shape()...), G.WithValue(p.Value), G.WithName(p.Name))
	b.params[p] = n
	return n
}

// input is a data node of the given shape; its value is set before each run.
func (b *builder) input(name string, shape ...int) *G.Node {
	return G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(tensor.New(tensor.Of(b.dt), tensor.WithShape(shape...))))
}

// fixed is a non-learnable tensor (a mask): gorgonia constants cannot be tensors here.
func (b *builder) fixed(name string, vals []float64, shape ...int) *G.Node {
	t := tensor.New(tensor.Of(b.dt), tensor.WithShape(shape...))
	setFloats(t, vals)
	return G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

func (b *builder) scalar(v float64) *G.Node {
	if b.dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// setFloats copies float64 values into a float32 or float64 tensor.
func setFloats(t *tensor.Dense, vals []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range vals {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, vals)
	default:
		panic(fmt.Sprintf("flow: unsupported tensor data %T", d))
	}
}

// floats copies a float32 or float64 tensor out as float64.
func floats(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	panic(fmt.Sprintf("flow: unsupported value data %T", v.Data()))
}

// conv2d is a stride-1 convolution with "same" padding and bias.
func (b *builder) conv2d(x *G.Node, c conv) *G.Node {
	pad := c.k / 2
	y := must(G.Conv2d(x, b.param(c.W), tensor.Shape{c.k, c.k}, []int{pad, pad}, []int{1, 1}, []int{1, 1}))
	return must(G.BroadcastAdd(y, b.param(c.B), nil, []byte{0, 2, 3}))
}

// elu(x) = max(x,0) + expm1(min(x,0)).
func (b *builder) elu(x *G.Node) *G.Node {
	pos := must(G.Rectify(x))
	neg := must(G.Neg(must(G.Rectify(must(G.Neg(x))))))
	return must(G.Add(pos, must(G.Expm1(neg))))
}

// concatELU is cat([elu(x), elu(-x)], channels): it doubles the channels.
func (b *builder) concatELU(x *G.Node) *G.Node {
	return must(G.Concat(1, b.elu(x), b.elu(must(G.Neg(x)))))
}

// channels returns channels [from, to) of an NCHW node, keeping the axis even when it has width 1.
func channels(x *G.Node, from, to int) *G.Node {
	s := x.Shape()
	y := must(G.Slice(x, nil, G.S(from, to)))
	return must(G.Reshape(y, tensor.Shape{s[0], to - from, s[2], s[3]}))
}

// layerNormChannels normalises over the channels of every pixel (eps 1e-5), then scales and shifts.
func (b *builder) layerNormChannels(x *G.Node, gamma, beta *Param) *G.Node {
	s := x.Shape()
	perPixel := tensor.Shape{s[0], 1, s[2], s[3]}
	mean := must(G.Reshape(must(G.Mean(x, 1)), perPixel))
	xc := must(G.BroadcastSub(x, mean, nil, []byte{1}))
	variance := must(G.Reshape(must(G.Mean(must(G.Square(xc)), 1)), perPixel))
	std := must(G.Sqrt(must(G.Add(variance, b.scalar(1e-5)))))
	y := must(G.BroadcastHadamardDiv(xc, std, nil, []byte{1}))
	y = must(G.BroadcastHadamardProd(y, b.param(gamma), nil, []byte{0, 2, 3}))
	return must(G.BroadcastAdd(y, b.param(beta), nil, []byte{0, 2, 3}))
}

// gatedConv is x + val*sigmoid(gate) with [val, gate] = conv1(concatELU(conv3(concatELU(x)))).
func (b *builder) gatedConv(x *G.Node, blk gatedBlock) *G.Node {
	h := b.eluConv(x, blk.conv3)
	h = b.eluConv(h, blk.conv1)
	c := x.Shape()[1]
	val, gate := channels(h, 0, c), channels(h, c, 2*c)
	return must(G.Add(x, must(G.HadamardProd(val, must(G.Sigmoid(gate))))))
}

func (b *builder) gatedConvNet(x *G.Node, n gatedConvNet) *G.Node {
	if b.fast != nil {
		return b.fast.gatedConvNet(x, n, b.param)
	}
	h := b.conv2d(x, n.in)
	for _, blk := range n.blocks {
		h = b.layerNormChannels(b.gatedConv(h, blk), blk.gamma, blk.beta)
	}
	return b.eluConv(h, n.out)
}

// eluConv is conv(concatELU(x)): one fused op on the fast engine.
func (b *builder) eluConv(x *G.Node, c conv) *G.Node {
	return b.conv2d(b.concatELU(x), c)
}

// sumPerSample sums every axis but the batch axis.
func sumPerSample(x *G.Node) *G.Node {
	axes := make([]int, x.Dims()-1)
	for i := range axes {
		axes[i] = i + 1
	}
	return must(G.Sum(x, axes...))
}
