package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gatherCase is one index table: per sample, in has inDims elements and the result outDims.
type gatherCase struct {
	name    string
	inDims  []int
	index   []int
	outDims []int
}

func gatherCases() []gatherCase {
	rng := rand.New(rand.NewPCG(3, 4))
	sq := Shape{2, 4, 4}
	keep, factor := firstHalf{}.Split(Shape{8, 2, 2}, nil)
	subset := rng.Perm(32)[:5] // a split-like pick of 5 of 32 elements, out of order
	return []gatherCase{
		{"squeeze permutation", []int{2, 4, 4}, channelMajor{}.Squeeze(sq), []int{8, 2, 2}},
		{"random permutation", []int{2, 4, 4}, rng.Perm(32), []int{32}},
		{"split keep", []int{8, 2, 2}, keep, []int{4, 2, 2}},
		{"split factor", []int{8, 2, 2}, factor, []int{16}},
		{"random subset", []int{32}, subset, []int{5}},
		{"repeated indices", []int{6}, []int{0, 0, 3, 1, 3, 3, 5}, []int{7}},
	}
}

// gatherGraph is loss = Sum(op(x) * w) for a gather (or scatter) op, with the gradient wrt x.
type gatherGraph struct {
	vm      G.VM
	x, y, l *G.Node
}

func newGatherGraph(t *testing.T, dt tensor.Dtype, n int, inDims []int, apply func(x *G.Node) (*G.Node, error), rng *rand.Rand) *gatherGraph {
	t.Helper()
	b := newBuilder(dt)
	gg := &gatherGraph{}
	err := build(func() {
		gg.x = b.input("x", append([]int{n}, inDims...)...)
		gg.y = must(apply(gg.x))
		w := make([]float64, gg.y.Shape().TotalSize())
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		wn := b.fixed("w", w, gg.y.Shape()...)
		gg.l = must(G.Sum(must(G.HadamardProd(gg.y, wn))))
		must(nil, firstErr(G.Grad(gg.l, gg.x)))
	})
	if err != nil {
		t.Fatal(err)
	}
	gg.vm = G.NewTapeMachine(b.g, G.BindDualValues(gg.x))
	t.Cleanup(func() { gg.vm.Close() })
	return gg
}

func (gg *gatherGraph) run(t *testing.T, x []float64) (y []float64, loss float64, grad []float64) {
	t.Helper()
	setFloats(gg.x.Value().(*tensor.Dense), x)
	gg.vm.Reset()
	if err := gg.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	g, err := gg.x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return floats(gg.y.Value()), floats(gg.l.Value())[0], floats(g)
}

// fdGrad is the central-difference gradient of the graph's loss wrt x.
func (gg *gatherGraph) fdGrad(t *testing.T, x []float64) []float64 {
	const h = 1e-6
	out := make([]float64, len(x))
	p := append([]float64(nil), x...)
	for j := range x {
		p[j] = x[j] + h
		_, lp, _ := gg.run(t, p)
		p[j] = x[j] - h
		_, lm, _ := gg.run(t, p)
		p[j] = x[j]
		out[j] = (lp - lm) / (2 * h)
	}
	return out
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func TestGatherForwardAndGradient(t *testing.T) {
	const n = 3
	for _, tc := range gatherCases() {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			inPer, outPer := prod(tc.inDims), prod(tc.outDims)
			gg := newGatherGraph(t, tensor.Float64, n, tc.inDims, func(x *G.Node) (*G.Node, error) {
				return Gather(x, tc.index, tc.outDims...)
			}, rng)
			if got, want := []int(gg.y.Shape()), append([]int{n}, tc.outDims...); !equalInts(got, want) {
				t.Fatalf("output shape %v, want %v", got, want)
			}
			x := randVec(rng, n*inPer)
			y, _, grad := gg.run(t, x)
			want := make([]float64, n*outPer)
			for b := 0; b < n; b++ {
				for i, j := range tc.index {
					want[b*outPer+i] = x[b*inPer+j]
				}
			}
			if d := maxAbsDiff(y, want); d != 0 {
				t.Errorf("forward differs from the index loop by %g", d)
			}
			if d := maxAbsDiff(grad, gg.fdGrad(t, x)); d > 1e-8 {
				t.Errorf("gradient differs from finite differences by %g", d)
			}
		})
	}
}

func TestGatherFloat32(t *testing.T) {
	tc := gatherCases()[0]
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 2
	gg := newGatherGraph(t, tensor.Float32, n, tc.inDims, func(x *G.Node) (*G.Node, error) {
		return Gather(x, tc.index, tc.outDims...)
	}, rng)
	x := randVec(rng, n*prod(tc.inDims))
	for i := range x {
		x[i] = float64(float32(x[i]))
	}
	y, _, _ := gg.run(t, x)
	outPer, inPer := prod(tc.outDims), prod(tc.inDims)
	for b := 0; b < n; b++ {
		for i, j := range tc.index {
			if y[b*outPer+i] != x[b*inPer+j] {
				t.Fatalf("sample %d element %d: %g, want %g", b, i, y[b*outPer+i], x[b*inPer+j])
			}
		}
	}
}

// The scatter direction (the gather's gradient op, used as a forward op here): output[index[i]] +=
// input[i], and its own gradient is the gather.
func TestScatterForwardAndGradient(t *testing.T) {
	const n = 3
	for _, tc := range gatherCases() {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			inPer, outPer := prod(tc.inDims), prod(tc.outDims)
			gg := newGatherGraph(t, tensor.Float64, n, tc.outDims, func(y *G.Node) (*G.Node, error) {
				op := &gatherOp{index: tc.index, inPer: outPer, outDims: tc.inDims, scatter: true, inRank: y.Dims(), name: "scatter"}
				return G.ApplyOp(op, y)
			}, rng)
			y := randVec(rng, n*outPer)
			x, _, grad := gg.run(t, y)
			want := make([]float64, n*inPer)
			for b := 0; b < n; b++ {
				for i, j := range tc.index {
					want[b*inPer+j] += y[b*outPer+i]
				}
			}
			if d := maxAbsDiff(x, want); d > 1e-15 {
				t.Errorf("forward differs from the index loop by %g", d)
			}
			if d := maxAbsDiff(grad, gg.fdGrad(t, y)); d > 1e-8 {
				t.Errorf("gradient differs from finite differences by %g", d)
			}
		})
	}
}

func TestGatherRejectsBadTables(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 4), G.WithName("x"))
	if _, err := Gather(x, []int{0, 4}, 2); err == nil {
		t.Error("index 4 of 4 elements accepted")
	}
	if _, err := Gather(x, []int{0, -1}, 2); err == nil {
		t.Error("index -1 accepted")
	}
	if _, err := Gather(x, []int{0, 1, 2}, 2); err == nil {
		t.Error("3 indices for an output of 2 elements accepted")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
