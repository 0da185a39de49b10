package flow

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func f32Param(name string, vals ...float32) *Param {
	return &Param{Name: name, Value: tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(append([]float32(nil), vals...)))}
}

func f32Value(vals ...float32) G.Value {
	return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(append([]float32(nil), vals...)))
}

// Two Adam steps on a 3-element parameter against PyTorch's torch.optim.Adam formula
// (exp_avg.lerp_(g, 1-beta1); exp_avg_sq = beta2*exp_avg_sq + (1-beta2)*g^2;
// p -= lr/(1-beta1^t) * exp_avg / (sqrt(exp_avg_sq)/sqrt(1-beta2^t) + eps)), evaluated by hand in
// float64. A zero gradient entry must leave its weight alone.
func TestAdamTwoSteps(t *testing.T) {
	p := f32Param("p", 0.5, -1.0, 2.0)
	params := []*Param{p}
	adam := NewAdam(params, 0.1)
	steps := []struct {
		grad []float32
		want []float64
	}{
		// step 1: p -= lr * g/(|g| + eps) (bias corrections cancel)
		{[]float32{0.1, -0.2, 0}, []float64{0.400000009999999, -0.9000000049999998, 2.0}},
		// step 2: e.g. m = 0.9*0.01 + 0.1*0.3 = 0.039, v = 0.999e-5 + 0.001*0.09,
		// p0 = 0.4 - 0.1/0.19*0.039/(sqrt(v/0.001999) + 1e-8)
		{[]float32{0.3, 0.1, -0.5}, []float64{0.3082219022055899, -0.8733663027186758, 2.074413680252488}},
	}
	for i, s := range steps {
		if err := adam.Update(params, []G.Value{f32Value(s.grad...)}, 1); err != nil {
			t.Fatal(err)
		}
		got := p.Value.Data().([]float32)
		for j, w := range s.want {
			if math.Abs(float64(got[j])-w) > 2e-7 {
				t.Errorf("step %d, weight %d: %.9g, want %.9g", i+1, j, got[j], w)
			}
		}
	}
	if adam.Step != 2 {
		t.Errorf("Step = %d after two updates", adam.Step)
	}
}

// lrScale multiplies the learning rate (the per-epoch decay).
func TestAdamLRScale(t *testing.T) {
	p := f32Param("p", 1)
	adam := NewAdam([]*Param{p}, 0.1)
	if err := adam.Update([]*Param{p}, []G.Value{f32Value(2)}, 0.5); err != nil {
		t.Fatal(err)
	}
	if got := p.Value.Data().([]float32)[0]; math.Abs(float64(got)-0.95) > 1e-6 {
		t.Errorf("weight %.9g, want 0.95", got)
	}
}

func TestAdamRejectsMismatches(t *testing.T) {
	p := f32Param("p", 1, 2)
	adam := NewAdam([]*Param{p}, 0.1)
	if err := adam.Update([]*Param{p}, []G.Value{f32Value(1)}, 1); err == nil {
		t.Error("a gradient of the wrong size was accepted")
	}
	g64 := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	if err := adam.Update([]*Param{p}, []G.Value{g64}, 1); err == nil {
		t.Error("a float64 gradient was accepted")
	}
}

func TestClipGradNorm(t *testing.T) {
	t.Run("large gradients scale to the max norm", func(t *testing.T) {
		grads := []G.Value{f32Value(3, 0), f32Value(0, -4)}
		norm := ClipGradNorm(grads, 1)
		if math.Abs(norm-5) > 1e-12 {
			t.Errorf("returned norm %g, want 5 (before clipping)", norm)
		}
		// PyTorch: scale = max_norm / (norm + 1e-6)
		scale := 1 / (5 + 1e-6)
		want := [][]float64{{3 * scale, 0}, {0, -4 * scale}}
		var sq float64
		for i, g := range grads {
			for j, x := range g.Data().([]float32) {
				if math.Abs(float64(x)-want[i][j]) > 1e-7 {
					t.Errorf("grad %d[%d] = %.9g, want %.9g", i, j, x, want[i][j])
				}
				sq += float64(x) * float64(x)
			}
		}
		if n := math.Sqrt(sq); math.Abs(n-1) > 1e-6 {
			t.Errorf("norm after clipping %g, want 1", n)
		}
	})
	t.Run("small gradients are left alone", func(t *testing.T) {
		grads := []G.Value{f32Value(0.3), f32Value(0.4, 0)}
		norm := ClipGradNorm(grads, 1)
		if math.Abs(norm-0.5) > 1e-7 {
			t.Errorf("returned norm %g, want 0.5", norm)
		}
		if g := grads[0].Data().([]float32); g[0] != 0.3 {
			t.Errorf("grad 0 changed to %v", g)
		}
		if g := grads[1].Data().([]float32); g[0] != 0.4 || g[1] != 0 {
			t.Errorf("grad 1 changed to %v", g)
		}
	})
}
