package flow

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"squeezebench/flow/kernel"
)

// kernelOp is a gorgonia op whose work is done by a float32 kernel into a buffer the op owns and
// reuses on every run, so a training step allocates nothing for it (gorgonia's tape machine calls
// Do directly for ops that do not call extern). Its gradient is given by symbolic diff, whose ops
// are kernelOps too; they see forward data only through their graph inputs.
type kernelOp struct {
	name   string
	id     int // distinguishes ops of equal name and shape, whose buffers must not be merged
	inDims []int
	out    tensor.Shape
	run    func(in [][]float32, out []float32)
	grads  func(inputs G.Nodes, grad *G.Node) (G.Nodes, error) // nil: not differentiable
	diff   []bool                                              // which inputs get a gradient (nil: all)
	buf    *tensor.Dense
	in     [][]float32 // the inputs' data, reused from run to run
}

func applyKernel(op *kernelOp, inputs ...*G.Node) *G.Node {
	for _, n := range inputs {
		op.inDims = append(op.inDims, n.Dims())
	}
	return must(G.ApplyOp(op, inputs...))
}

func (op *kernelOp) Arity() int { return len(op.inDims) }

func (op *kernelOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(op.inDims)+1)
	for _, d := range op.inDims {
		ts = append(ts, G.TensorType{Dims: d, Of: a})
	}
	return hm.NewFnType(append(ts, G.TensorType{Dims: len(op.out), Of: a})...)
}

func (op *kernelOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }

func (op *kernelOp) Do(vals ...G.Value) (G.Value, error) {
	op.in = op.in[:0] // reused: an op runs once per step, never concurrently with itself
	for i, v := range vals {
		d, err := float32Data(v)
		if err != nil {
			return nil, fmt.Errorf("%s input %d: %w", op.name, i, err)
		}
		op.in = append(op.in, d)
	}
	in := op.in
	if op.buf == nil {
		op.buf = tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(op.out...))
	}
	// A downstream op may have reshaped the buffer in place during the previous run.
	if err := op.buf.Reshape(op.out...); err != nil {
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	op.run(in, op.buf.Data().([]float32))
	return op.buf, nil
}

// float32Data returns the contiguous data of a float32 tensor, materialising a view.
func float32Data(v G.Value) ([]float32, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value is %T, want a dense tensor", v)
	}
	if t.IsView() {
		t = t.Materialize().(*tensor.Dense)
	}
	d, ok := t.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("data is %T, want []float32", t.Data())
	}
	return d, nil
}

func (op *kernelOp) ReturnsPtr() bool      { return true }
func (op *kernelOp) CallsExtern() bool     { return false }
func (op *kernelOp) OverwritesInput() int  { return -1 }
func (op *kernelOp) String() string        { return fmt.Sprintf("%s#%d%v", op.name, op.id, op.out) }
func (op *kernelOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }

func (op *kernelOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *kernelOp) DiffWRT(n int) []bool {
	if op.diff != nil && op.grads != nil {
		return op.diff
	}
	d := make([]bool, n)
	for i := range d {
		d[i] = op.grads != nil
	}
	return d
}

func (op *kernelOp) SymDiff(inputs G.Nodes, _ *G.Node, grad *G.Node) (G.Nodes, error) {
	if op.grads == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.name)
	}
	return op.grads(inputs, grad)
}

// fast builds the hot layers from kernelOps: each forward affine coupling as one op with its
// GatedConvNet (kernel.CouplingNet), any other GatedConvNet as one op (kernel.Net), and the
// elementwise flow layers. Each op gets a fresh id so gorgonia never merges two of them into one
// node with one buffer.
type fast struct {
	pool *kernel.Pool
	bf16 bool // Engine.BF16
	ids  int
}

// useBF16 puts k's convolutions on AMX in bfloat16 when the engine asks for it; Engine.Check
// has said whether it can.
func (f *fast) useBF16(k *kernel.Net) {
	if !f.bf16 {
		return
	}
	if err := k.UseBF16(); err != nil {
		panic("flow: Engine.BF16 without AMX (Engine.Check first): " + err.Error())
	}
}

func (f *fast) op(name string, out tensor.Shape, run func(in [][]float32, out []float32)) *kernelOp {
	f.ids++
	return &kernelOp{name: name, id: f.ids, out: out, run: run}
}

func batchOf(s tensor.Shape) kernel.Batch { return kernel.Batch{N: s[0], C: s[1], H: s[2], W: s[3]} }

// gatedConvNet is the whole GatedConvNet as one op (kernel.Net: every layer image by image,
// activations in a padded layout inside the kernel), and one op for its backward, which returns
// dx and hands the parameter gradients over from its buffers.
func (f *fast) gatedConvNet(x *G.Node, net gatedConvNet, param func(*Param) *G.Node) *G.Node {
	xs := x.Shape()
	cout := net.out.W.Value.Shape()[0]
	k := kernel.NewNet(f.pool, xs[0], xs[1], net.hidden, cout, xs[2], xs[3], len(net.blocks))
	f.useBF16(k)
	ps := netParams(net)
	inputs := G.Nodes{x}
	for _, p := range ps {
		inputs = append(inputs, param(p))
	}
	var kp kernel.NetParams
	fwd := f.op("gated_conv_net", tensor.Shape{xs[0], cout, xs[2], xs[3]}, func(in [][]float32, out []float32) {
		k.Forward(in[0], setNetParams(&kp, in[1:]), out)
	})
	fwd.grads = func(inputs G.Nodes, grad *G.Node) (G.Nodes, error) {
		k.Train = true // a backward will follow each forward: keep every image's activations
		bufs := make([][]float32, len(ps))
		for i, p := range ps {
			bufs[i] = make([]float32, p.Size())
		}
		var gp, bp kernel.NetParams
		setNetParams(&gp, bufs)
		dx := applyKernel(f.op("gated_conv_net.grads", xs.Clone(), func(in [][]float32, out []float32) {
			k.Backward(in[len(in)-1], setNetParams(&bp, in[:len(in)-1]), out, &gp)
		}), append(append(G.Nodes{}, inputs[1:]...), grad)...)
		out := G.Nodes{dx}
		for i, p := range ps {
			out = append(out, f.handOver("gated_conv_net.d"+p.Name, p.Value.Shape(), bufs[i], dx))
		}
		return out, nil
	}
	return applyKernel(fwd, inputs...)
}

// couplingLayer is a whole forward affine coupling as one op (kernel.CouplingNet): the masked
// (and, with cond, conditioned) network input, the GatedConvNet and the transform of z, with the
// log-determinant per image from a second op that copies it. Their gradients come from one
// backward op: the log-det op's pullback only hands ∂L/∂ldj over (through a stash op whose
// output is a zero contribution to the scale's gradient), and the z' op's pullback, which
// gorgonia builds after it (the log-det op takes z' as an input, so it comes later in the
// forward order and earlier in the backward), computes dz, every parameter gradient and the
// scale's from both. cond is data and gets no gradient.
func (f *fast) couplingLayer(z, cond *G.Node, mask []float64, net gatedConvNet, scale *G.Node, param func(*Param) *G.Node) (zOut, ldj *G.Node) {
	s := z.Shape()
	bs := batchOf(s)
	condCh := 0
	if cond != nil {
		condCh = cond.Shape()[1]
	}
	k := kernel.NewCouplingNet(f.pool, bs, condCh, net.hidden, len(net.blocks), toFloat32(mask), toFloat32(keepMask(mask)))
	f.useBF16(k.Net)
	ps := netParams(net)
	inputs := G.Nodes{z}
	if cond != nil {
		inputs = append(inputs, cond)
	}
	first := len(inputs) // the parameters, then scale
	for _, p := range ps {
		inputs = append(inputs, param(p))
	}
	inputs = append(inputs, scale)
	ldjBuf, dldjBuf := make([]float32, bs.N), make([]float32, bs.N)
	var kp kernel.NetParams
	zOp := f.op("coupling_layer", s.Clone(), func(in [][]float32, out []float32) {
		var c []float32
		if cond != nil {
			c = in[1]
		}
		k.Forward(in[0], c, setNetParams(&kp, in[first:len(in)-1]), in[len(in)-1], out, ldjBuf)
	})
	if cond != nil {
		zOp.diff = make([]bool, len(inputs))
		for i := range zOp.diff {
			zOp.diff[i] = i != 1
		}
	}
	var stash *G.Node // ∂L/∂ldj's hand-over, once the log-det op's pullback has run
	zOp.grads = func(ins G.Nodes, grad *G.Node) (G.Nodes, error) {
		k.Net.Train = true
		bufs := make([][]float32, len(ps))
		for i, p := range ps {
			bufs[i] = make([]float32, p.Size())
		}
		dscale := make([]float32, bs.C)
		var gp, bp kernel.NetParams
		setNetParams(&gp, bufs)
		bwdIn := append(G.Nodes{ins[0]}, ins[first:]...) // z, parameters, scale
		bwdIn = append(bwdIn, grad)
		if stash != nil {
			bwdIn = append(bwdIn, stash)
		}
		np := len(ps)
		dz := applyKernel(f.op("coupling_layer.grads", s.Clone(), func(in [][]float32, out []float32) {
			var dldj []float32
			if stash != nil {
				dldj = dldjBuf
			}
			k.Backward(in[0], in[np+2], dldj, setNetParams(&bp, in[1:1+np]), in[1+np], out, &gp, dscale)
		}), bwdIn...)
		out := G.Nodes{dz}
		if cond != nil {
			out = append(out, nil)
		}
		for i, p := range ps {
			out = append(out, f.handOver("coupling_layer.d"+p.Name, p.Value.Shape(), bufs[i], dz))
		}
		return append(out, f.handOver("coupling_layer.dscale", scale.Shape(), dscale, dz)), nil
	}
	ldjOp := f.op("coupling_layer.ldj", tensor.Shape{bs.N}, func(_ [][]float32, out []float32) { copy(out, ldjBuf) })
	ldjOp.diff = []bool{false, true}
	ldjOp.grads = func(ins G.Nodes, grad *G.Node) (G.Nodes, error) {
		stash = applyKernel(f.op("coupling_layer.dldj", scale.Shape().Clone(), func(in [][]float32, out []float32) {
			copy(dldjBuf, in[0])
			zero32(out)
		}), grad)
		return G.Nodes{nil, stash}, nil
	}
	zOut = applyKernel(zOp, inputs...)
	return zOut, applyKernel(ldjOp, zOut, scale)
}

func zero32(s []float32) {
	for i := range s {
		s[i] = 0
	}
}

// netParams lists a GatedConvNet's parameters in the order of setNetParams.
func netParams(n gatedConvNet) []*Param {
	ps := []*Param{n.in.W, n.in.B}
	for _, b := range n.blocks {
		ps = append(ps, b.conv3.W, b.conv3.B, b.conv1.W, b.conv1.B, b.gamma, b.beta)
	}
	return append(ps, n.out.W, n.out.B)
}

// setNetParams points p at the slices of vals, in netParams' order, and returns it.
func setNetParams(p *kernel.NetParams, vals [][]float32) *kernel.NetParams {
	blocks := (len(vals) - 4) / 6
	p.InW, p.InB = vals[0], vals[1]
	p.Blocks = p.Blocks[:0]
	for l := 0; l < blocks; l++ {
		v := vals[2+6*l:]
		p.Blocks = append(p.Blocks, kernel.NetBlock{W3: v[0], B3: v[1], W1: v[2], B1: v[3], Gamma: v[4], Beta: v[5]})
	}
	p.OutW, p.OutB = vals[len(vals)-2], vals[len(vals)-1]
	return p
}

// Engine chooses how a float32 model computes its GatedConvNets: with the fast kernel ops on
// Workers goroutines (the default), or with stock gorgonia ops (Stock), the oracle they are
// tested against. Float64 models always use stock ops.
type Engine struct {
	Stock   bool
	Workers int // 0: GOMAXPROCS
	// BF16 runs the coupling networks' convolutions in bfloat16 with float32 sums on AMX
	// (kernel.Net.UseBF16): issue 13's opt-in, runner.Config's Precision "bf16". The invertible
	// 1×1 mixing convolutions and everything else stay float32.
	BF16 bool
}

// Name describes the engine and GEMM backend, for results.
func (e Engine) Name() string {
	if e.Stock {
		return "gorgonia-stock"
	}
	if e.BF16 {
		return "fast/" + kernel.Backend() + "+bf16-amx"
	}
	return "fast/" + kernel.Backend()
}

// MaxBF16Hidden is the largest hidden size (channels of a coupling network) Engine.BF16 takes.
const MaxBF16Hidden = kernel.MaxBF16Channels / 2

// Check says why the engine cannot run here (BF16 without AMX, or with the stock ops), or nil.
func (e Engine) Check() error {
	if !e.BF16 {
		return nil
	}
	if e.Stock {
		return fmt.Errorf("bfloat16 convolutions need the fast engine, not the stock ops")
	}
	return kernel.CheckBF16()
}

func (m *Model) builder() *builder {
	b := newBuilder(m.Dtype)
	if m.Dtype == tensor.Float32 && !m.Engine.Stock {
		b.fast = &fast{pool: kernel.NewPool(m.Engine.Workers), bf16: m.Engine.BF16}
	}
	return b
}

// handOver is a node whose value is buf, filled by the op of after: for kernels that compute
// several gradients in one pass while a gorgonia op returns one value.
func (f *fast) handOver(name string, shape tensor.Shape, buf []float32, after *G.Node) *G.Node {
	return applyKernel(f.op(name, shape.Clone(), func(_ [][]float32, out []float32) { copy(out, buf) }), after)
}

func toFloat32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}

// elementwise applies f to a (+ b) and returns the mapped tensor (nil when valueWanted is false)
// and Σ log|f'| per image: the value and log-det of an elementwise flow layer as two kernel ops.
func (f *fast) elementwise(name string, fn kernel.Elementwise, valueWanted bool, a, b *G.Node) (y, ldj *G.Node) {
	s := a.Shape()
	n, per := s[0], s.TotalSize()/s[0]
	inputs := G.Nodes{a}
	if b != nil {
		inputs = append(inputs, b)
	}
	second := func(in [][]float32) []float32 {
		if len(in) > 1 && b != nil {
			return in[1]
		}
		return nil
	}
	// one gradient per input: v = a + b, so both get ∂L/∂v
	grads := func(din *G.Node) G.Nodes {
		if b != nil {
			return G.Nodes{din, din}
		}
		return G.Nodes{din}
	}
	// Each forward op keeps the derivative its backward op needs (written and read in the same
	// step, forward before backward). With the value wanted, the value op evaluates F once for
	// both: it also leaves Σ l and dl/dv, which the ldj op (ordered after it by taking y as an
	// input it does not differentiate) copies; so F runs once per step.
	dl := make([]float32, n*per)
	var ldjBuf []float32
	if valueWanted {
		dy := make([]float32, n*per)
		ldjBuf = make([]float32, n)
		val := f.op(name, s.Clone(), func(in [][]float32, out []float32) {
			kernel.ElementwiseForward(f.pool, n, per, fn, in[0], second(in), out, ldjBuf, dy, dl)
		})
		val.grads = func(ins G.Nodes, grad *G.Node) (G.Nodes, error) {
			din := applyKernel(f.op(name+".d", s.Clone(), func(in [][]float32, out []float32) {
				kernel.ElementwiseBackward(f.pool, n, per, in[0], dy, nil, nil, out)
			}), grad)
			return grads(din), nil
		}
		y = applyKernel(val, inputs...)
	}
	ld := f.op(name+".ldj", tensor.Shape{n}, func(in [][]float32, out []float32) {
		if ldjBuf != nil {
			copy(out, ldjBuf)
			return
		}
		kernel.ElementwiseForward(f.pool, n, per, fn, in[0], second(in), nil, out, nil, dl)
	})
	ldInputs := inputs
	if valueWanted {
		ldInputs = append(append(G.Nodes{}, inputs...), y)
		ld.diff = make([]bool, len(ldInputs))
		for i := range inputs {
			ld.diff[i] = true
		}
	}
	ld.grads = func(ins G.Nodes, grad *G.Node) (G.Nodes, error) {
		din := applyKernel(f.op(name+".ldj.d", s.Clone(), func(in [][]float32, out []float32) {
			kernel.ElementwiseBackward(f.pool, n, per, nil, nil, in[0], dl, out)
		}), grad)
		g := grads(din)
		if valueWanted {
			g = append(g, nil) // y only orders the ops
		}
		return g, nil
	}
	return y, applyKernel(ld, ldInputs...)
}
