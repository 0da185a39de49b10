package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVectorMatchesScalar: the AVX-512 and AVX2 kernels and the portable Go fallback agree.
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
	avx512 := hasAVX512
	defer func() { hasAVX512, hasAVX2FMA = avx512, true }()
	if avx512 {
		wideOut, wideDx := run()
		hasAVX512 = false
		compareVectors(t, "AVX-512 vs scalar", wideOut, wideDx, run)
	} else {
		t.Log("no AVX-512 on this processor: AVX2 against the fallback only")
	}
	vecOut, vecDx := run()
	compareVectors(t, "AVX2 vs scalar", vecOut, vecDx, run)
}

// compareVectors compares a vector path's results with the scalar fallback's.
func compareVectors(t *testing.T, what string, vecOut, vecDx []float32, run func() (out, dx []float32)) {
	t.Helper()
	wide, avx2 := hasAVX512, hasAVX2FMA
	hasAVX512, hasAVX2FMA = false, false
	scaOut, scaDx := run()
	hasAVX512, hasAVX2FMA = wide, avx2
	for name, pair := range map[string][2][]float32{"forward": {vecOut, scaOut}, "backward": {vecDx, scaDx}} {
		for i := range pair[0] {
			a, b := float64(pair[0][i]), float64(pair[1][i])
			if math.Abs(a-b) > 2e-6*(1+math.Abs(b)) {
				t.Fatalf("%s: %s[%d]: vector %v, scalar %v", what, name, i, a, b)
			}
		}
	}
}
