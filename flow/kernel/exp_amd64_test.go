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

// TestLayerNormVectorMatchesScalar: LayerNormChannels' assembly loops (each form this processor
// has, vectorLevels) and the Go ones agree, forward, dx and the parameter gradients, on planes
// with and without a 16- or 8-lane tail.
func TestLayerNormVectorMatchesScalar(t *testing.T) {
	levels := vectorLevels()
	if len(levels) == 0 {
		t.Skip("no AVX2 or AVX-512 on this processor: only the Go loops run")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range []Batch{{N: 3, C: 5, H: 3, W: 7}, {N: 2, C: 4, H: 4, W: 4}, {N: 2, C: 3, H: 1, W: 5}} {
		size := s.N * s.C * s.H * s.W
		x, dout := randSlice(rng, size), randSlice(rng, size)
		gamma, beta := randSlice(rng, s.C), randSlice(rng, s.C)
		run := func() []float32 {
			p := NewPool(2)
			out, dx := make([]float32, size), make([]float32, size)
			stats := make([]float32, 2*s.N*s.H*s.W)
			dg, db := make([]float32, s.C), make([]float32, s.C)
			LayerNormForward(p, s, x, gamma, beta, out, stats)
			LayerNormBackward(p, s, x, gamma, dout, stats, dx, make([][]float32, 2))
			LayerNormParamGrads(p, s, x, dout, stats, dg, db, make([][]float32, 2))
			return append(append(append(append(out, dx...), dg...), db...), stats...)
		}
		sca := atLevel(false, false, run)
		for _, l := range levels {
			vec := atLevel(l.avx512, l.avx2, run)
			for i := range vec {
				if d := math.Abs(float64(vec[i] - sca[i])); d > 1e-5*(1+math.Abs(float64(sca[i]))) {
					t.Fatalf("%+v: value %d: %s %v, Go %v", s, i, l.name, vec[i], sca[i])
				}
			}
		}
	}
}

// TestAVX2FusedLoopsSameFloats: the AVX2 gated and coupling loops give exactly the floats of the
// Go loops they replace, as those run on an AVX2 processor (their exponentials through
// expAVX2), so switching them on changes no value a run computes there but the lane-wise sums
// (the log-det and the scale gradient, compared to float32 rounding).
func TestAVX2FusedLoopsSameFloats(t *testing.T) {
	if !hasAVX2FMA {
		t.Skip("no AVX2/FMA on this processor")
	}
	defer func(a, b bool) { hasAVX512, hasAVX2FMA = a, b }(hasAVX512, hasAVX2FMA)
	hasAVX512 = false
	rng := rand.New(rand.NewPCG(31, 31))
	const n = 96
	s := func(scale float32) []float32 {
		v := randSlice(rng, n)
		for i := range v {
			v[i] *= scale
		}
		return v
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d]: AVX2 %v, Go %v", what, i, got[i], want[i])
			}
		}
	}
	near := func(what string, got, want float32) {
		t.Helper()
		if math.Abs(float64(got-want)) > 1e-5*(1+math.Abs(float64(want))) {
			t.Fatalf("%s: AVX2 %v, Go %v", what, got, want)
		}
	}
	x, val, gate := s(1), s(1), s(6)
	out, sig, goOut, goSig := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	gatedFwdAVX2(out, sig, x, val, gate)
	gatedGo(goOut, goSig, x, val, gate)
	same("gated out", out, goOut)
	same("gated sig", sig, goSig)

	raw, tt, z := s(3), s(1), s(1)
	keep := make([]float32, n)
	for i := range keep {
		keep[i] = float32(i % 2)
	}
	const f = 1.7
	th, es, cout := make([]float32, n), make([]float32, n), make([]float32, n)
	goTh, goEs, goCout := make([]float32, n), make([]float32, n), make([]float32, n)
	sum := couplingFwdAVX2(th, es, cout, raw, tt, keep, z, f)
	goSum := couplingFwdGo(goTh, goEs, goCout, raw, tt, keep, z, f)
	same("coupling th", th, goTh)
	same("coupling es", es, goEs)
	same("coupling out", cout, goCout)
	near("coupling Σ s", sum, goSum)

	d := s(1)
	dz, dht, dhs := make([]float32, n), make([]float32, n), make([]float32, n)
	goDz, goDht, goDhs := make([]float32, n), make([]float32, n), make([]float32, n)
	dsc := couplingBwdAVX2(dz, dht, dhs, d, es, z, tt, keep, th, raw, 0.3, f)
	goDsc := couplingBwdGo(goDz, goDht, goDhs, d, es, z, tt, keep, th, raw, 0.3, f)
	same("coupling dz", dz, goDz)
	same("coupling dht", dht, goDht)
	same("coupling dhs", dhs, goDhs)
	near("coupling dscale", dsc, goDsc)
}
