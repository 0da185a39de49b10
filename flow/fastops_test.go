package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"squeezebench/flow/kernel"
)

// netGraph builds loss = Σ net(x)·r with the stock or the fast ops and returns the loss, the
// output and the gradients with respect to x and every parameter after one run.
func netGraph(t *testing.T, net gatedConvNet, params []*Param, x, r *tensor.Dense, useFast bool, workers int) (out []float64, grads [][]float64) {
	t.Helper()
	b := newBuilder(tensor.Float32)
	if useFast {
		b.fast = &fast{pool: kernel.NewPool(workers)}
	}
	var xn, loss *G.Node
	var wrt []*G.Node
	err := build(func() {
		xn = G.NewTensor(b.g, tensor.Float32, 4, G.WithShape(x.Shape()...), G.WithValue(x.Clone()), G.WithName("x"))
		rn := G.NewTensor(b.g, tensor.Float32, 4, G.WithShape(r.Shape()...), G.WithValue(r), G.WithName("r"))
		y := b.gatedConvNet(xn, net)
		loss = must(G.Sum(must(G.HadamardProd(y, rn))))
		wrt = append(wrt, xn)
		for _, p := range params {
			wrt = append(wrt, b.param(p))
		}
		must(nil, firstErr(G.Grad(loss, wrt...)))
		out = nil
		_ = y
		xn = y
	})
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(b.g, G.BindDualValues(wrt...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out = floats(xn.Value())
	for _, n := range wrt {
		g, err := n.Grad()
		if err != nil {
			t.Fatalf("gradient of %s: %v", n.Name(), err)
		}
		grads = append(grads, floats(g))
	}
	return out, grads
}

// TestFastNetMatchesStock: the fast GatedConvNet equals the stock-op one, forward and every
// gradient, within float32 tolerance, for random shapes and weights.
func TestFastNetMatchesStock(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, tc := range []struct{ n, cin, hidden, cout, h, w, layers, workers int }{
		{2, 1, 4, 2, 6, 6, 1, 1}, {3, 2, 5, 4, 4, 6, 2, 2}, {4, 8, 6, 16, 3, 3, 1, 3}, {2, 4, 3, 8, 7, 5, 3, 2},
	} {
		ps := &paramSet{dt: tensor.Float32, rng: rng}
		net := ps.gatedConvNet("net", tc.cin, tc.hidden, tc.cout, tc.layers)
		for _, p := range ps.params {
			vals := make([]float64, p.Size())
			for i := range vals {
				vals[i] = 0.5 * rng.NormFloat64()
			}
			setFloats(p.Value, vals)
		}
		x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(tc.n, tc.cin, tc.h, tc.w))
		r := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(tc.n, tc.cout, tc.h, tc.w))
		for _, d := range []*tensor.Dense{x, r} {
			vals := make([]float64, d.Shape().TotalSize())
			for i := range vals {
				vals[i] = rng.NormFloat64()
			}
			setFloats(d, vals)
		}
		wantOut, wantGrads := netGraph(t, net, ps.params, x, r, false, 1)
		gotOut, gotGrads := netGraph(t, net, ps.params, x, r, true, tc.workers)
		if d := maxRelDiff(gotOut, wantOut); d > 1e-4 {
			t.Errorf("%+v: output differs from stock by %.2e", tc, d)
		}
		names := []string{"x"}
		for _, p := range ps.params {
			names = append(names, p.Name)
		}
		for i := range wantGrads {
			if d := maxRelDiff(gotGrads[i], wantGrads[i]); d > 1e-3 {
				t.Errorf("%+v: gradient of %s differs from stock by %.2e", tc, names[i], d)
			}
		}
	}
}

// maxRelDiff is max |a-b| / (1 + max |b|): relative to the scale of the reference.
func maxRelDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var scale, d float64
	for i := range b {
		scale = math.Max(scale, math.Abs(b[i]))
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d / (1 + scale)
}

// TestFastModelMatchesStock: a whole training step's log-likelihoods and every parameter
// gradient agree between the fast engine and the stock-op oracle (float32, random weights, real
// variational dequantization, couplings of every mask kind).
func TestFastModelMatchesStock(t *testing.T) {
	for _, workers := range []int{1, 2} {
		a, err := Multiscale(Shape{1, 8, 8}, Sizes{VarDeq: 3, Stage: [3]int{4, 5, 6}, GatedLayers: 2}, testVariants)
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(a, tensor.Float32, 5)
		if err != nil {
			t.Fatal(err)
		}
		m.Randomize(rand.New(rand.NewPCG(5, 5)), 0.3)
		pixels := make([]uint8, 6*64)
		prng := rand.New(rand.NewPCG(6, 6))
		for i := range pixels {
			pixels[i] = uint8(prng.IntN(256))
		}
		run := func(e Engine) ([]float64, [][]float64) {
			m.Engine = e
			d, err := m.NewDensity(6, true)
			if err != nil {
				t.Fatal(err)
			}
			logpx, _, err := d.Run(pixels, rand.New(rand.NewPCG(7, 7)))
			if err != nil {
				t.Fatal(err)
			}
			grads, err := d.Grads()
			if err != nil {
				t.Fatal(err)
			}
			var gs [][]float64
			for _, g := range grads {
				gs = append(gs, floats(g))
			}
			return logpx, gs
		}
		wantLP, wantG := run(Engine{Stock: true})
		gotLP, gotG := run(Engine{Workers: workers})
		if d := maxRelDiff(gotLP, wantLP); d > 1e-5 {
			t.Errorf("workers %d: log p(x) differs by %.2e: %v vs %v", workers, d, gotLP, wantLP)
		}
		for i, p := range m.Params {
			if d := maxRelDiff(gotG[i], wantG[i]); d > 1e-3 {
				t.Errorf("workers %d: gradient of %s differs by %.2e", workers, p.Name, d)
			}
		}
	}
}
