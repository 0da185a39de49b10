package flow

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Adam is PyTorch's Adam (no weight decay, no amsgrad), written here rather than taken from
// gorgonia because its state must be saved and restored exactly for resumable runs, and gorgonia's
// solver keeps it private and clones tensors on every step.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	Step                  int         // updates done
	M, V                  [][]float32 // first and second moments, one slice per parameter
}

// NewAdam is Adam with PyTorch's defaults and learning rate lr for the given parameters.
func NewAdam(params []*Param, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for _, p := range params {
		a.M = append(a.M, make([]float32, p.Size()))
		a.V = append(a.V, make([]float32, p.Size()))
	}
	return a
}

// Update applies one step with learning rate a.LR·lrScale.
func (a *Adam) Update(params []*Param, grads []G.Value, lrScale float64) error {
	a.Step++
	c1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	c2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	stepSize := float32(a.LR * lrScale / c1)
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	// 1-beta in float64: 1 - float32(0.999) is 0.000999987, 1.3e-5 off.
	ob1, ob2 := float32(1-a.Beta1), float32(1-a.Beta2)
	sqrtC2, eps := float32(math.Sqrt(c2)), float32(a.Eps)
	for i, p := range params {
		w, ok1 := p.Value.Data().([]float32)
		g, ok2 := grads[i].Data().([]float32)
		if !ok1 || !ok2 || len(w) != len(g) {
			return fmt.Errorf("adam: parameter %s: need float32 weights and gradient of equal size", p.Name)
		}
		m, v := a.M[i], a.V[i]
		for j, gj := range g {
			m[j] = b1*m[j] + ob1*gj
			v[j] = b2*v[j] + ob2*gj*gj
			// PyTorch: p -= lr/c1 * m / (sqrt(v)/sqrt(c2) + eps)
			w[j] -= stepSize * m[j] / (float32(math.Sqrt(float64(v[j])))/sqrtC2 + eps)
		}
	}
	return nil
}

// ClipGradNorm scales the gradients so their global L2 norm is at most maxNorm (PyTorch's
// clip_grad_norm_, which Lightning's gradient_clip_val uses) and returns the norm before clipping.
func ClipGradNorm(grads []G.Value, maxNorm float64) float64 {
	var sq float64
	for _, g := range grads {
		for _, x := range g.Data().([]float32) {
			sq += float64(x) * float64(x)
		}
	}
	norm := math.Sqrt(sq)
	if scale := maxNorm / (norm + 1e-6); scale < 1 {
		for _, g := range grads {
			d := g.Data().([]float32)
			for j := range d {
				d[j] *= float32(scale)
			}
		}
	}
	return norm
}
