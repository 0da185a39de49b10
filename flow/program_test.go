package flow

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// snapshot copies every parameter value.
func snapshot(m *Model) [][]float64 {
	out := make([][]float64, len(m.Params))
	for i, p := range m.Params {
		out[i] = floats(p.Value)
	}
	return out
}

// changed lists the parameters whose values differ from the snapshot.
func changed(m *Model, before [][]float64) []string {
	var names []string
	for i, p := range m.Params {
		now := floats(p.Value)
		for j := range now {
			if now[j] != before[i][j] && !(math.IsNaN(now[j]) && math.IsNaN(before[i][j])) {
				names = append(names, p.Name)
				break
			}
		}
	}
	return names
}

// Graphs share the model's parameter tensors: an optimizer step after a training run is seen by a
// separately built evaluation Density, and running a graph never writes a parameter.
func TestParametersAreShared(t *testing.T) {
	m := tinyModel(t, tensor.Float32)
	m.Randomize(rand.New(rand.NewPCG(21, 22)), 0.1)
	const batch = 2
	eval, err := m.NewDensity(batch, false)
	if err != nil {
		t.Fatal(err)
	}
	train, err := m.NewDensity(batch, true)
	if err != nil {
		t.Fatal(err)
	}
	pixels := randomPixels(rand.New(rand.NewPCG(23, 24)), batch*m.Dims())
	evalRun := func() []float64 {
		lp, _, err := eval.Run(pixels, rand.New(rand.NewPCG(25, 26)))
		if err != nil {
			t.Fatal(err)
		}
		return lp
	}

	before := snapshot(m)
	lp0 := evalRun()
	if c := changed(m, before); len(c) > 0 {
		t.Fatalf("an evaluation run changed %d parameters: %v", len(c), c)
	}
	if again := evalRun(); maxAbsDiff(again, lp0) != 0 {
		t.Fatalf("a second evaluation run gives %v, the first %v", again, lp0)
	}
	if _, _, err := train.Run(pixels, rand.New(rand.NewPCG(27, 28))); err != nil {
		t.Fatal(err)
	}
	if c := changed(m, before); len(c) > 0 {
		t.Fatalf("a training run (forward and backward) changed %d parameters: %v", len(c), c)
	}
	grads, err := train.Grads()
	if err != nil {
		t.Fatal(err)
	}
	if err := NewAdam(m.Params, 1e-2).Update(m.Params, grads, 1); err != nil {
		t.Fatal(err)
	}
	if c := changed(m, before); len(c) < len(m.Params)/2 {
		t.Fatalf("the Adam step changed only %d of %d parameters: %v", len(c), len(m.Params), c)
	}
	lp1 := evalRun()
	t.Logf("log p before the step %v, after %v", lp0, lp1)
	if d := maxAbsDiff(lp0, lp1); d < 1e-2 {
		t.Fatalf("the evaluation Density built before the step does not see it: log p moved by %g", d)
	}
	// a Density built after the step agrees with the one built before
	fresh, err := m.NewDensity(batch, false)
	if err != nil {
		t.Fatal(err)
	}
	lp2, _, err := fresh.Run(pixels, rand.New(rand.NewPCG(25, 26)))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(lp1, lp2); d != 0 {
		t.Fatalf("Densities built before and after the step disagree by %g", d)
	}
}

func TestSameSeedSameModel(t *testing.T) {
	a := tinyArch(t, Shape{1, 4, 4}, 2)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m1, err := New(a, dt, 7)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := New(a, dt, 7)
		if err != nil {
			t.Fatal(err)
		}
		m3, err := New(a, dt, 8)
		if err != nil {
			t.Fatal(err)
		}
		if len(m1.Params) != len(m2.Params) {
			t.Fatalf("%v: %d and %d parameters", dt, len(m1.Params), len(m2.Params))
		}
		differ := 0
		for i, p := range m1.Params {
			v1, v2, v3 := floats(p.Value), floats(m2.Params[i].Value), floats(m3.Params[i].Value)
			if p.Name != m2.Params[i].Name || maxAbsDiff(v1, v2) != 0 {
				t.Errorf("%v: parameter %d (%s) differs between two models of seed 7", dt, i, p.Name)
			}
			if maxAbsDiff(v1, v3) != 0 {
				differ++
			}
		}
		// seeds matter: the randomly initialised tensors (not the zero/one ones) differ
		if differ == 0 {
			t.Errorf("%v: seeds 7 and 8 give identical models", dt)
		}
	}
}

func TestDensityRunIsDeterministic(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := tinyModel(t, dt)
		m.Randomize(rand.New(rand.NewPCG(31, 32)), 0.1)
		d, err := m.NewDensity(3, true)
		if err != nil {
			t.Fatal(err)
		}
		pixels := randomPixels(rand.New(rand.NewPCG(33, 34)), 3*m.Dims())
		var first []float64
		var firstGrads [][]float64
		for run := 0; run < 2; run++ {
			lp, _, err := d.Run(pixels, rand.New(rand.NewPCG(35, 36)))
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
			if run == 0 {
				first, firstGrads = lp, gs
				continue
			}
			if maxAbsDiff(lp, first) != 0 {
				t.Errorf("%v: log p %v, then %v", dt, first, lp)
			}
			for i := range gs {
				if maxAbsDiff(gs[i], firstGrads[i]) != 0 {
					t.Errorf("%v: gradient of %s differs between runs", dt, m.Params[i].Name)
				}
			}
		}
		// a different noise seed gives different log p: u is really used
		lp, _, err := d.Run(pixels, rand.New(rand.NewPCG(37, 38)))
		if err != nil {
			t.Fatal(err)
		}
		if maxAbsDiff(lp, first) == 0 {
			t.Errorf("%v: log p does not depend on the noise", dt)
		}
	}
}

// The training Density's gradient of the mean bpd matches central differences (float64), on a
// sample of entries of every kind of parameter, and a second Run gives the same gradient
// (gorgonia accumulates into dual values unless they are reset).
func TestDensityGradient(t *testing.T) {
	m := tinyModel(t, tensor.Float64)
	m.Randomize(rand.New(rand.NewPCG(41, 42)), RandomScale)
	f := newGradFixture(t, m)
	grads := f.grads(t)
	for i, g := range f.grads(t) {
		if d := maxAbsDiff(g, grads[i]); d != 0 {
			t.Fatalf("run 2: gradient of %s differs from run 1 by %g", m.Params[i].Name, d)
		}
	}
	rng := rand.New(rand.NewPCG(47, 48))
	checked, worst := 0, 0.0
	// every kind of parameter, in one coupling of each kind (vardeq, checkerboard, channel)
	sampled := []string{"vardeq.1.", "stage1.coupling1.", "stage2.coupling0.", "stage3.coupling3."}
	for i, p := range m.Params {
		if !slices.ContainsFunc(sampled, func(pre string) bool { return strings.HasPrefix(p.Name, pre) }) {
			continue
		}
		j := rng.IntN(len(grads[i]))
		worst = math.Max(worst, f.check(t, i, j, grads[i][j]))
		checked++
	}
	t.Logf("%d gradient entries checked, worst error %.2g of tolerance", checked, worst)
}
