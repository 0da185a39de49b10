package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCouplingNetMatchesParts: the fused coupling layer equals its parts run one after the other
// — the masked (and conditioned) input, Net, Coupling — forward (z', ldj) and backward (dz, every
// network parameter, the scale), on the AVX-512 and the BLAS path, with and without a
// conditioning input.
func TestCouplingNetMatchesParts(t *testing.T) { eachGemmPath(t, testCouplingNetMatchesParts) }

func testCouplingNetMatchesParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for _, tc := range []struct{ n, c, cond, hidden, h, w, layers, workers int }{
		{3, 1, 1, 4, 6, 6, 1, 2}, {2, 1, 0, 3, 28, 28, 1, 1}, {5, 4, 0, 5, 7, 7, 2, 3}, {2, 2, 0, 3, 5, 4, 1, 2}, {4, 8, 0, 6, 7, 7, 1, 2}, {6, 2, 0, 3, 7, 7, 1, 1}, {3, 4, 0, 4, 14, 14, 1, 2},
	} {
		s := Batch{N: tc.n, C: tc.c, H: tc.h, W: tc.w}
		hw, per := tc.h*tc.w, tc.c*tc.h*tc.w
		nc := netCase{tc.n, tc.c + tc.cond, tc.hidden, 2 * tc.c, tc.h, tc.w, tc.layers, tc.workers}
		p, g := randNet(rng, nc, 0.5)
		z, cond := randSlice(rng, tc.n*per), randSlice(rng, tc.n*tc.cond*hw)
		dout, dldj, scale := randSlice(rng, tc.n*per), randSlice(rng, tc.n), randSlice(rng, tc.c)
		mask, keep := make([]float32, per), make([]float32, per)
		for i := range mask {
			mask[i] = float32((i + i/tc.w) % 2)
			keep[i] = 1 - mask[i]
		}
		pool := NewPool(tc.workers)
		k := NewCouplingNet(pool, s, tc.cond, tc.hidden, tc.layers, mask, keep)
		k.Net.Train = true
		out, ldj, dz, dscale := make([]float32, len(z)), make([]float32, tc.n), make([]float32, len(z)), make([]float32, tc.c)
		var condArg []float32
		if tc.cond > 0 {
			condArg = cond
		}
		for rep := 0; rep < 2; rep++ {
			k.Forward(z, condArg, p, scale, out, ldj)
			k.Backward(z, dout, dldj, p, scale, dz, g, dscale)
		}

		// The parts.
		cin := tc.c + tc.cond
		x := make([]float32, tc.n*cin*hw)
		for n := 0; n < tc.n; n++ {
			for i := 0; i < per; i++ {
				x[n*cin*hw+i] = z[n*per+i] * mask[i]
			}
			copy(x[n*cin*hw+per:(n+1)*cin*hw], cond[n*tc.cond*hw:])
		}
		net := NewNet(pool, tc.n, cin, tc.hidden, 2*tc.c, tc.h, tc.w, tc.layers)
		net.Train = true
		h := make([]float32, 2*len(z))
		net.Forward(x, p, h)
		head := NewCoupling(pool, s, keep)
		wantOut, wantLdj := make([]float32, len(z)), make([]float32, tc.n)
		head.Forward(z, h, scale, wantOut, wantLdj)
		wantDz, dh, wantDscale := make([]float32, len(z)), make([]float32, len(h)), make([]float32, tc.c)
		head.Backward(z, h, scale, dout, dldj, wantDz, dh, wantDscale)
		dx := make([]float32, len(x))
		_, wantG := randNet(rng, nc, 0)
		net.Backward(dh, p, dx, wantG)
		for n := 0; n < tc.n; n++ {
			for i := 0; i < per; i++ {
				wantDz[n*per+i] += dx[n*cin*hw+i] * mask[i]
			}
		}
		check := func(name string, got, want []float32) {
			t.Helper()
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%+v: %s[%d] = %v, parts %v", tc, name, i, got[i], want[i])
				}
			}
		}
		check("z'", out, wantOut)
		check("ldj", ldj, wantLdj)
		check("dz", dz, wantDz)
		check("dscale", dscale, wantDscale)
		names, gots := g.tensors()
		_, wants := wantG.tensors()
		for i := range names {
			check(names[i], gots[i], wants[i])
		}
	}
}
