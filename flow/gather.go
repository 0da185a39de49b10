package flow

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gatherOp moves elements within each sample of a batch by a fixed index table: output element i of
// sample n is input element index[i] of sample n. Squeezes and splits are gathers, so every squeeze
// order is a table and needs no code of its own. Its gradient is the matching scatter.
type gatherOp struct {
	index   []int
	inPer   int   // elements per sample of the input
	outDims []int // output shape without the batch axis
	scatter bool  // scatter: output[index[i]] += input[i] (the gradient of a gather)
	inRank  int   // rank of the input, batch axis included (the type system needs it)
	name    string
	buf     *tensor.Dense // the output, reused from run to run
}

// Gather applies index to every sample of x (batch axis first); the result has shape (N, out...).
func Gather(x *G.Node, index []int, out ...int) (*G.Node, error) {
	inPer := perSample(x.Shape())
	for _, i := range index {
		if i < 0 || i >= inPer {
			return nil, fmt.Errorf("gather: index %d out of range for %d elements per sample", i, inPer)
		}
	}
	if prod(out) != len(index) {
		return nil, fmt.Errorf("gather: output shape %v does not hold %d elements", out, len(index))
	}
	return G.ApplyOp(&gatherOp{index: index, inPer: inPer, outDims: out, inRank: x.Dims(), name: "gather"}, x)
}

func perSample(s tensor.Shape) int { return prod(s[1:]) }

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

func (op *gatherOp) Arity() int { return 1 }

func (op *gatherOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: op.inRank, Of: a}, G.TensorType{Dims: len(op.outDims) + 1, Of: a})
}

func (op *gatherOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%s: input shape unknown", op.name)
	}
	return append(tensor.Shape{s[0]}, op.outDims...), nil
}

func (op *gatherOp) Do(vals ...G.Value) (G.Value, error) {
	x, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: input is %T, want a dense tensor", op.name, vals[0])
	}
	n := x.Shape()[0]
	if perSample(x.Shape()) != op.inPer {
		return nil, fmt.Errorf("%s: input has %d elements per sample, want %d", op.name, perSample(x.Shape()), op.inPer)
	}
	shape := append([]int{n}, op.outDims...)
	if op.buf == nil || op.buf.Dtype() != x.Dtype() || op.buf.Shape().TotalSize() != prod(shape) {
		op.buf = tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(shape...))
	}
	out := op.buf
	if err := out.Reshape(shape...); err != nil { // a later op may have reshaped it in place
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	if op.scatter {
		out.Zero()
	}
	outPer := prod(op.outDims)
	switch src := x.Data().(type) {
	case []float32:
		move(src, out.Data().([]float32), n, op.inPer, outPer, op.index, op.scatter)
	case []float64:
		move(src, out.Data().([]float64), n, op.inPer, outPer, op.index, op.scatter)
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %v", op.name, x.Dtype())
	}
	return out, nil
}

func move[T float32 | float64](src, dst []T, n, inPer, outPer int, index []int, scatter bool) {
	for b := 0; b < n; b++ {
		s, d := src[b*inPer:(b+1)*inPer], dst[b*outPer:(b+1)*outPer]
		if scatter {
			for i, j := range index {
				d[j] += s[i]
			}
		} else {
			for i, j := range index {
				d[i] = s[j]
			}
		}
	}
}

func (op *gatherOp) ReturnsPtr() bool     { return true }
func (op *gatherOp) CallsExtern() bool    { return false }
func (op *gatherOp) OverwritesInput() int { return -1 }
func (op *gatherOp) String() string       { return fmt.Sprintf("%s%v", op.name, op.outDims) }

func (op *gatherOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%s%v%v%d%v", op.name, op.outDims, op.scatter, op.inPer, op.index)
}

func (op *gatherOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *gatherOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: the gradient of a gather is the scatter of the output gradient back to the input
// positions, and the gradient of a scatter is the gather.
func (op *gatherOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x := inputs[0]
	back := &gatherOp{index: op.index, inPer: prod(op.outDims), outDims: []int(x.Shape()[1:]), scatter: !op.scatter, name: "scatter"}
	if op.scatter {
		back.name = "gather"
	}
	back.inRank = grad.Dims()
	r, err := G.ApplyOp(back, grad)
	return G.Nodes{r}, err
}
