package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVectorMatchesScalar: the AVX2 kernels and the portable Go fallback agree.
func TestVectorMatchesScalar(t *testing.T) {
	if !hasAVX2FMA {
		t.Skip("no AVX2/FMA on this processor: only the fallback runs")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	s := Batch{N: 3, C: 5, H: 3, W: 7} // 105 elements per image: vector body and scalar tail
	size := s.N * s.C * s.H * s.W
	x, dout := randSlice(rng, size), randSlice(rng, 2*size)
	for i := range x {
		x[i] *= 4
	}
	run := func() (out, dx []float32) {
		p := NewPool(2)
		out, dx = make([]float32, 2*size), make([]float32, size)
		ConcatELUForward(p, s, x, out)
		ConcatELUBackward(p, s, out, dout, dx)
		e := make([]float32, size)
		ExpSlice(e, x)
		return append(out, e...), dx
	}
	vecOut, vecDx := run()
	hasAVX2FMA = false
	defer func() { hasAVX2FMA = true }()
	scaOut, scaDx := run()
	for name, pair := range map[string][2][]float32{"forward": {vecOut, scaOut}, "backward": {vecDx, scaDx}} {
		for i := range pair[0] {
			a, b := float64(pair[0][i]), float64(pair[1][i])
			if math.Abs(a-b) > 2e-6*(1+math.Abs(b)) {
				t.Fatalf("%s[%d]: vector %v, scalar %v", name, i, a, b)
			}
		}
	}
}
