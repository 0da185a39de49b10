package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// netCase is a Net shape for the tests.
type netCase struct{ n, cin, hidden, cout, h, w, layers, workers int }

var netCases = []netCase{
	{2, 1, 4, 2, 6, 6, 1, 1}, {3, 2, 5, 4, 4, 6, 2, 2}, {4, 8, 6, 16, 3, 3, 1, 3}, {2, 4, 3, 8, 7, 5, 3, 2},
	{3, 1, 8, 2, 28, 28, 1, 2}, {2, 4, 12, 8, 14, 14, 1, 2}, {5, 8, 16, 16, 7, 7, 2, 2}, {2, 2, 3, 2, 1, 15, 1, 1},
	{2, 3, 2, 3, 9, 1, 0, 2}, {1, 1, 1, 1, 1, 1, 1, 1},
	{6, 3, 4, 4, 7, 7, 1, 1}, {7, 2, 3, 2, 14, 14, 1, 1}, // a full group, then a partial one, on one worker
}

// randNet returns random parameters of a Net's shape (scale s) and zeroed gradients.
func randNet(rng *rand.Rand, c netCase, s float64) (p, g *NetParams) {
	r := func(n int) []float32 {
		v := randSlice(rng, n)
		for i := range v {
			v[i] *= float32(s)
		}
		return v
	}
	p, g = &NetParams{}, &NetParams{}
	hid := c.hidden
	p.InW, p.InB = r(hid*c.cin*9), r(hid)
	g.InW, g.InB = make([]float32, len(p.InW)), make([]float32, hid)
	for l := 0; l < c.layers; l++ {
		b := NetBlock{W3: r(hid * 2 * hid * 9), B3: r(hid), W1: r(4 * hid * hid), B1: r(2 * hid), Gamma: r(hid), Beta: r(hid)}
		for i := range b.Gamma {
			b.Gamma[i] += 1
		}
		p.Blocks = append(p.Blocks, b)
		g.Blocks = append(g.Blocks, NetBlock{W3: make([]float32, len(b.W3)), B3: make([]float32, hid), W1: make([]float32, len(b.W1)),
			B1: make([]float32, 2*hid), Gamma: make([]float32, hid), Beta: make([]float32, hid)})
	}
	p.OutW, p.OutB = r(c.cout*2*hid*9), r(c.cout)
	g.OutW, g.OutB = make([]float32, len(p.OutW)), make([]float32, c.cout)
	return p, g
}

// tensors lists a NetParams' slices by name, in a fixed order.
func (p *NetParams) tensors() ([]string, [][]float32) {
	names, ts := []string{"in.w", "in.b"}, [][]float32{p.InW, p.InB}
	for l, b := range p.Blocks {
		for i, t := range [][]float32{b.W3, b.B3, b.W1, b.B1, b.Gamma, b.Beta} {
			names = append(names, fmt.Sprintf("block%d.%s", l, []string{"w3", "b3", "w1", "b1", "gamma", "beta"}[i]))
			ts = append(ts, t)
		}
	}
	return append(names, "out.w", "out.b"), append(ts, p.OutW, p.OutB)
}

// composedNet is the same network from the separately tested kernels (Conv, the ELU convolutions,
// GatedForward, LayerNorm), forward and backward: the reference the fused Net must reproduce.
func composedNet(c netCase, x []float32, p *NetParams, dout []float32) (out, dx []float32, g *NetParams) {
	pool := NewPool(c.workers)
	hid, hw := c.hidden, c.h*c.w
	s := Batch{N: c.n, C: hid, H: c.h, W: c.w}
	size := c.n * hid * hw
	in := NewConv(pool, c.n, c.cin, hid, c.h, c.w, 3)
	hs := [][]float32{make([]float32, size)}
	in.Forward(x, p.InW, p.InB, hs[0])
	type saved struct{ c3, c1, g, sig, stats []float32 }
	var blocks []saved
	var c3k, c1k []*Conv
	for _, b := range p.Blocks {
		h := hs[len(hs)-1]
		sv := saved{make([]float32, size), make([]float32, 2*size), make([]float32, size), make([]float32, size), make([]float32, 2*c.n*hw)}
		k3, k1 := NewELUConv(pool, c.n, hid, hid, c.h, c.w, 3), NewELUConv(pool, c.n, hid, 2*hid, c.h, c.w, 1)
		c3k, c1k = append(c3k, k3), append(c1k, k1)
		k3.Forward(h, b.W3, b.B3, sv.c3)
		k1.Forward(sv.c3, b.W1, b.B1, sv.c1)
		GatedForward(pool, s, h, sv.c1, sv.g, sv.sig)
		next := make([]float32, size)
		LayerNormForward(pool, s, sv.g, b.Gamma, b.Beta, next, sv.stats)
		hs = append(hs, next)
		blocks = append(blocks, sv)
	}
	outK := NewELUConv(pool, c.n, hid, c.cout, c.h, c.w, 3)
	out = make([]float32, c.n*c.cout*hw)
	outK.Forward(hs[len(hs)-1], p.OutW, p.OutB, out)

	_, g = randNet(rand.New(rand.NewPCG(0, 0)), c, 0)
	dh := make([]float32, size)
	outK.Backward(hs[len(hs)-1], dout, p.OutW, dh, g.OutW, g.OutB)
	scratch := make([][]float32, pool.Workers)
	for l := len(p.Blocks) - 1; l >= 0; l-- {
		b, sv, gb := p.Blocks[l], blocks[l], g.Blocks[l]
		dg := make([]float32, size)
		LayerNormBackward(pool, s, sv.g, b.Gamma, dh, sv.stats, dg, scratch)
		LayerNormParamGrads(pool, s, sv.g, dh, sv.stats, gb.Gamma, gb.Beta, make([][]float32, pool.Workers))
		dc1 := make([]float32, 2*size)
		GatedBackwardH(pool, s, sv.c1, sv.sig, dg, dc1)
		dc3 := make([]float32, size)
		c1k[l].Backward(sv.c3, dc1, b.W1, dc3, gb.W1, gb.B1)
		dh = make([]float32, size)
		c3k[l].Backward(hs[l], dc3, b.W3, dh, gb.W3, gb.B3)
		for i := range dh {
			dh[i] += dg[i]
		}
	}
	dx = make([]float32, len(x))
	in.Backward(x, dh, p.InW, dx, g.InW, g.InB)
	return out, dx, g
}

// TestNetMatchesComposed: the fused Net equals the composition of the separately tested kernels,
// forward and every gradient, on the AVX-512 and the BLAS path, for small and preset-sized maps
// (runs with and without a 16-lane tail, one row, one column, one pixel, no gated block).
func TestNetMatchesComposed(t *testing.T) { eachGemmPath(t, testNetMatchesComposed) }

func testNetMatchesComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	for _, c := range netCases {
		p, g := randNet(rng, c, 0.5)
		x := randSlice(rng, c.n*c.cin*c.h*c.w)
		dout := randSlice(rng, c.n*c.cout*c.h*c.w)
		k := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
		k.Train = true
		out, dx := make([]float32, len(dout)), make([]float32, len(x))
		for rep := 0; rep < 2; rep++ { // twice: the second run reuses every buffer
			k.Forward(x, p, out)
			k.Backward(dout, p, dx, g)
		}
		wantOut, wantDx, wantG := composedNet(c, x, p, dout)
		check := func(name string, got, want []float32) {
			t.Helper()
			var scale float64
			for _, v := range want {
				scale = math.Max(scale, math.Abs(float64(v)))
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 2e-5*(1+scale) {
					t.Fatalf("%+v: %s[%d] = %v, composed kernels %v", c, name, i, got[i], want[i])
				}
			}
		}
		check("out", out, wantOut)
		check("dx", dx, wantDx)
		names, gots := g.tensors()
		_, wants := wantG.tensors()
		for i := range names {
			check(names[i], gots[i], wants[i])
		}
	}
}

// netDefinition is the network in float64 straight from its definition (see Net), for the
// finite-difference check of the gradients.
func netDefinition(c netCase, x []float64, p [][]float64) []float64 {
	hid, hw := c.hidden, c.h*c.w
	conv := func(in []float64, cin, cout, k int, w, b []float64) []float64 {
		out := make([]float64, cout*hw)
		for co := 0; co < cout; co++ {
			for y := 0; y < c.h; y++ {
				for xx := 0; xx < c.w; xx++ {
					s := b[co]
					for ci := 0; ci < cin; ci++ {
						for kh := 0; kh < k; kh++ {
							for kw := 0; kw < k; kw++ {
								sy, sx := y+kh-k/2, xx+kw-k/2
								if sy >= 0 && sy < c.h && sx >= 0 && sx < c.w {
									s += w[((co*cin+ci)*k+kh)*k+kw] * in[(ci*c.h+sy)*c.w+sx]
								}
							}
						}
					}
					out[(co*c.h+y)*c.w+xx] = s
				}
			}
		}
		return out
	}
	elu := func(v []float64) []float64 {
		out := make([]float64, 2*len(v))
		f := func(u float64) float64 {
			if u > 0 {
				return u
			}
			return math.Expm1(u)
		}
		for i, u := range v {
			out[i], out[len(v)+i] = f(u), f(-u)
		}
		return out
	}
	var out []float64
	for n := 0; n < c.n; n++ {
		h := conv(x[n*c.cin*hw:(n+1)*c.cin*hw], c.cin, hid, 3, p[0], p[1])
		for l := 0; l < c.layers; l++ {
			b := p[2+6*l : 8+6*l]
			c3 := conv(elu(h), 2*hid, hid, 3, b[0], b[1])
			c1 := conv(elu(c3), 2*hid, 2*hid, 1, b[2], b[3])
			g := make([]float64, hid*hw)
			for i := range g {
				g[i] = h[i] + c1[i]/(1+math.Exp(-c1[hid*hw+i]))
			}
			for i := 0; i < hw; i++ {
				var mean, sq float64
				for ch := 0; ch < hid; ch++ {
					mean += g[ch*hw+i]
				}
				mean /= float64(hid)
				for ch := 0; ch < hid; ch++ {
					sq += (g[ch*hw+i] - mean) * (g[ch*hw+i] - mean)
				}
				std := math.Sqrt(sq/float64(hid) + LayerNormEps)
				for ch := 0; ch < hid; ch++ {
					h[ch*hw+i] = (g[ch*hw+i]-mean)/std*b[4][ch] + b[5][ch]
				}
			}
		}
		out = append(out, conv(elu(h), 2*hid, c.cout, 3, p[len(p)-2], p[len(p)-1])...)
	}
	return out
}

// TestNetGradientsDefinition: each gradient of the fused Net (with respect to x and to every
// parameter tensor) against central differences of the float64 definition of L = Σ dout·out,
// along a random direction in that tensor, on both GEMM paths.
func TestNetGradientsDefinition(t *testing.T) { eachGemmPath(t, testNetGradientsDefinition) }

func testNetGradientsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 32))
	for _, c := range []netCase{{2, 2, 3, 2, 5, 4, 2, 2}, {1, 1, 2, 2, 3, 7, 1, 1}, {3, 3, 4, 4, 7, 7, 1, 2}} {
		p, g := randNet(rng, c, 0.5)
		x := randSlice(rng, c.n*c.cin*c.h*c.w)
		dout := randSlice(rng, c.n*c.cout*c.h*c.w)
		k := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
		k.Train = true
		out, dx := make([]float32, len(dout)), make([]float32, len(x))
		k.Forward(x, p, out)
		k.Backward(dout, p, dx, g)
		names, ps := p.tensors()
		_, gs := g.tensors()
		names, ps, gs = append([]string{"x"}, names...), append([][]float32{x}, ps...), append([][]float32{dx}, gs...)
		to64 := func(v []float32) []float64 {
			out := make([]float64, len(v))
			for i, u := range v {
				out[i] = float64(u)
			}
			return out
		}
		loss := func(vals [][]float64) float64 {
			out := netDefinition(c, vals[0], vals[1:])
			var l float64
			for i, v := range out {
				l += v * float64(dout[i])
			}
			return l
		}
		for i := range names {
			vals := make([][]float64, len(ps))
			for j := range ps {
				vals[j] = to64(ps[j])
			}
			dir := make([]float64, len(ps[i]))
			var want float64
			for j := range dir {
				dir[j] = rng.NormFloat64()
				want += dir[j] * float64(gs[i][j])
			}
			const eps = 1e-5
			base := append([]float64(nil), vals[i]...)
			for j := range dir {
				vals[i][j] = base[j] + eps*dir[j]
			}
			up := loss(vals)
			for j := range dir {
				vals[i][j] = base[j] - eps*dir[j]
			}
			down := loss(vals)
			got := (up - down) / (2 * eps)
			if math.Abs(got-want) > 1e-3*(1+math.Abs(got)) {
				t.Errorf("%+v: gradient of %s along a random direction: kernel %v, central difference %v", c, names[i], want, got)
			}
		}
	}
}

// TestNetForwardDefinition: the fused Net's output against the float64 definition, training and
// evaluation (one image's activations per worker).
func TestNetForwardDefinition(t *testing.T) { eachGemmPath(t, testNetForwardDefinition) }

func testNetForwardDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 33))
	for _, c := range netCases {
		p, _ := randNet(rng, c, 0.5)
		x := randSlice(rng, c.n*c.cin*c.h*c.w)
		var ps [][]float64
		_, ts := p.tensors()
		for _, t := range ts {
			v := make([]float64, len(t))
			for i, u := range t {
				v[i] = float64(u)
			}
			ps = append(ps, v)
		}
		x64 := make([]float64, len(x))
		for i, u := range x {
			x64[i] = float64(u)
		}
		want := netDefinition(c, x64, ps)
		for _, train := range []bool{true, false} {
			k := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
			k.Train = train
			out := make([]float32, len(want))
			k.Forward(x, p, out)
			for i := range want {
				if math.Abs(float64(out[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("%+v train=%v: out[%d] = %v, definition %v", c, train, i, out[i], want[i])
				}
			}
		}
	}
}
