package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// naiveConv is the definition: out[n][co][y][x] = b[co] + Σ w[co][ci][kh][kw]·x[n][ci][y+kh-p][x+kw-p].
func naiveConv(c *Conv, x, w, b []float32) []float64 {
	out := make([]float64, c.N*c.Cout*c.H*c.W)
	p := c.K / 2
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			for y := 0; y < c.H; y++ {
				for xx := 0; xx < c.W; xx++ {
					s := float64(b[co])
					for ci := 0; ci < c.Cin; ci++ {
						for kh := 0; kh < c.K; kh++ {
							for kw := 0; kw < c.K; kw++ {
								sy, sx := y+kh-p, xx+kw-p
								if sy < 0 || sy >= c.H || sx < 0 || sx >= c.W {
									continue
								}
								s += float64(w[((co*c.Cin+ci)*c.K+kh)*c.K+kw]) * float64(x[((n*c.Cin+ci)*c.H+sy)*c.W+sx])
							}
						}
					}
					out[((n*c.Cout+co)*c.H+y)*c.W+xx] = s
				}
			}
		}
	}
	return out
}

// eachGemmPath runs a test with the GEMM this processor uses and then with every other path it
// can run: on AVX-512 once more as a processor with AVX2 alone would (the AVX2 kernels, and the
// elementwise loops' AVX2 forms), and always with the BLAS, explicit im2col (Conv.implicit
// needs kernels that read B through a row table) and the Go loops.
func eachGemmPath(t *testing.T, test func(t *testing.T)) {
	avx512, avx2, native := hasAVX512, hasAVX2FMA, gemmSet
	defer func() { hasAVX512, hasAVX2FMA, gemmSet = avx512, avx2, native }()
	name := "blas"
	if native != nil {
		name = native.name
	}
	t.Run(name, test)
	if avx512 && hasAVX2FMA {
		hasAVX512, gemmSet = false, avx2Gemm
		t.Run("avx2", test)
	}
	if native != nil || avx2 {
		hasAVX512, hasAVX2FMA, gemmSet = false, false, nil
		t.Run("blas", test)
	}
}

func TestConv(t *testing.T) { eachGemmPath(t, testConv) }

func testConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct{ n, cin, cout, h, w, k, workers int }{
		{1, 1, 1, 1, 1, 3, 1}, {3, 2, 5, 4, 6, 3, 2}, {5, 3, 4, 7, 7, 3, 3}, {4, 6, 2, 5, 3, 1, 2}, {2, 1, 8, 28, 28, 3, 2},
		{2, 2, 3, 1, 300, 3, 2}, {3, 2, 3, 260, 1, 3, 1}, // one image per GEMM, one row or column
	} {
		c := NewConv(NewPool(tc.workers), tc.n, tc.cin, tc.cout, tc.h, tc.w, tc.k)
		x := randSlice(rng, tc.n*tc.cin*tc.h*tc.w)
		w := randSlice(rng, tc.cout*tc.cin*tc.k*tc.k)
		b := randSlice(rng, tc.cout)
		out := make([]float32, tc.n*tc.cout*tc.h*tc.w)
		c.Forward(x, w, b, out)
		for i, want := range naiveConv(c, x, w, b) {
			if math.Abs(float64(out[i])-want) > 1e-4*(1+math.Abs(want)) {
				t.Fatalf("%+v: out[%d] = %v, want %v", tc, i, out[i], want)
			}
		}
		// The backward passes are the adjoints of the forward map: for any dout,
		// <dout, conv(x, w)> = <dx, x> = <dw, w> (bias 0) for Backward's dx and dw.
		dout := randSlice(rng, len(out))
		zeroB := make([]float32, tc.cout)
		c.Forward(x, w, zeroB, out)
		lhs := dot(dout, out)
		dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, tc.cout)
		c.Backward(x, dout, w, dx, dw, db)
		for name, rhs := range map[string]float64{"data": dot(dx, x), "filter": dot(dw, w)} {
			if math.Abs(lhs-rhs) > 1e-3*(1+math.Abs(lhs)) {
				t.Errorf("%+v: <dout, conv> = %v but <backward %s, input> = %v", tc, lhs, name, rhs)
			}
		}
		// And element by element against the definitions of the three gradients.
		wantDx, wantDw, wantDb := naiveConvGrads(c, x, w, dout)
		for name, pair := range map[string]struct {
			got  []float32
			want []float64
		}{"dx": {dx, wantDx}, "dw": {dw, wantDw}, "db": {db, wantDb}} {
			for i, want := range pair.want {
				if math.Abs(float64(pair.got[i])-want) > 1e-4*(1+math.Abs(want)) {
					t.Fatalf("%+v: %s[%d] = %v, want %v", tc, name, i, pair.got[i], want)
				}
			}
		}
	}
}

// naiveConvGrads is the definition of a convolution's gradients for dout: dx and dw by the
// chain rule through every term of naiveConv, db the sum of dout per channel.
func naiveConvGrads(c *Conv, x, w, dout []float32) (dx, dw, db []float64) {
	dx, dw, db = make([]float64, len(x)), make([]float64, c.Cout*c.Cin*c.K*c.K), make([]float64, c.Cout)
	p := c.K / 2
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			for y := 0; y < c.H; y++ {
				for xx := 0; xx < c.W; xx++ {
					d := float64(dout[((n*c.Cout+co)*c.H+y)*c.W+xx])
					db[co] += d
					for ci := 0; ci < c.Cin; ci++ {
						for kh := 0; kh < c.K; kh++ {
							for kw := 0; kw < c.K; kw++ {
								sy, sx := y+kh-p, xx+kw-p
								if sy < 0 || sy >= c.H || sx < 0 || sx >= c.W {
									continue
								}
								xi, wi := ((n*c.Cin+ci)*c.H+sy)*c.W+sx, ((co*c.Cin+ci)*c.K+kh)*c.K+kw
								dw[wi] += d * float64(x[xi])
								dx[xi] += d * float64(w[wi])
							}
						}
					}
				}
			}
		}
	}
	return dx, dw, db
}

func TestPointwiseForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	s := Batch{N: 3, C: 4, H: 5, W: 2}
	size := s.N * s.C * s.H * s.W
	x := randSlice(rng, size)
	p := NewPool(2)
	elu := func(v float64) float64 {
		if v > 0 {
			return v
		}
		return math.Expm1(v)
	}
	out := make([]float32, 2*size)
	ConcatELUForward(p, s, x, out)
	per := s.C * s.H * s.W
	for n := 0; n < s.N; n++ {
		for i := 0; i < per; i++ {
			v := float64(x[n*per+i])
			if d := math.Abs(float64(out[2*n*per+i]) - elu(v)); d > 1e-6 {
				t.Fatalf("concatELU positive half off by %v", d)
			}
			if d := math.Abs(float64(out[(2*n+1)*per+i]) - elu(-v)); d > 1e-6 {
				t.Fatalf("concatELU negative half off by %v", d)
			}
		}
	}
	gamma, beta := randSlice(rng, s.C), randSlice(rng, s.C)
	ln := make([]float32, size)
	stats := make([]float32, 2*s.N*s.H*s.W)
	LayerNormForward(p, s, x, gamma, beta, ln, stats)
	hw := s.H * s.W
	for n := 0; n < s.N; n++ {
		for i := 0; i < hw; i++ {
			var mean, sq float64
			for c := 0; c < s.C; c++ {
				mean += float64(x[n*per+c*hw+i])
			}
			mean /= float64(s.C)
			for c := 0; c < s.C; c++ {
				d := float64(x[n*per+c*hw+i]) - mean
				sq += d * d
			}
			std := math.Sqrt(sq/float64(s.C) + LayerNormEps)
			for c := 0; c < s.C; c++ {
				want := (float64(x[n*per+c*hw+i])-mean)/std*float64(gamma[c]) + float64(beta[c])
				if d := math.Abs(float64(ln[n*per+c*hw+i]) - want); d > 1e-5 {
					t.Fatalf("layer norm off by %v", d)
				}
			}
		}
	}
	h := randSlice(rng, 2*size)
	g := make([]float32, size)
	GatedForward(p, s, x, h, g, make([]float32, size))
	for n := 0; n < s.N; n++ {
		for i := 0; i < per; i++ {
			want := float64(x[n*per+i]) + float64(h[2*n*per+i])/(1+math.Exp(-float64(h[(2*n+1)*per+i])))
			if d := math.Abs(float64(g[n*per+i]) - want); d > 1e-5 {
				t.Fatalf("gated off by %v", d)
			}
		}
	}
}

// TestELUConv: the fused convolution of cat(elu(x), elu(-x)) equals ConcatELU followed by Conv,
// forward and both gradients, for grouped (small) and single (large) images.
func TestELUConv(t *testing.T) { eachGemmPath(t, testELUConv) }

func testELUConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct{ n, c, cout, h, w, k int }{{5, 3, 4, 4, 4, 3}, {3, 2, 5, 17, 16, 3}, {4, 3, 6, 5, 5, 1}, {3, 4, 2, 16, 17, 1}} {
		p := NewPool(2)
		s := Batch{N: tc.n, C: tc.c, H: tc.h, W: tc.w}
		x := randSlice(rng, tc.n*tc.c*tc.h*tc.w)
		w := randSlice(rng, tc.cout*2*tc.c*tc.k*tc.k)
		b := randSlice(rng, tc.cout)
		dout := randSlice(rng, tc.n*tc.cout*tc.h*tc.w)
		cat := make([]float32, 2*len(x))
		ConcatELUForward(p, s, x, cat)
		plain := NewConv(p, tc.n, 2*tc.c, tc.cout, tc.h, tc.w, tc.k)
		fused := NewELUConv(p, tc.n, tc.c, tc.cout, tc.h, tc.w, tc.k)
		want, got := make([]float32, len(dout)), make([]float32, len(dout))
		plain.Forward(cat, w, b, want)
		fused.Forward(x, w, b, got)
		dcat, wantDx, gotDx := make([]float32, len(cat)), make([]float32, len(x)), make([]float32, len(x))
		wantDw, gotDw := make([]float32, len(w)), make([]float32, len(w))
		db := make([]float32, tc.cout)
		plain.Backward(cat, dout, w, dcat, wantDw, db)
		ConcatELUBackward(p, s, cat, dcat, wantDx)
		fused.Backward(x, dout, w, gotDx, gotDw, db)
		for name, pair := range map[string][2][]float32{"forward": {got, want}, "dx": {gotDx, wantDx}, "dw": {gotDw, wantDw}} {
			for i := range pair[1] {
				if d := math.Abs(float64(pair[0][i] - pair[1][i])); d > 1e-4*(1+math.Abs(float64(pair[1][i]))) {
					t.Fatalf("%+v %s[%d]: fused %v, plain %v", tc, name, i, pair[0][i], pair[1][i])
				}
			}
		}
	}
}

// vectorLevel is one vector form of the per-pixel loops, given by the flags that select it.
type vectorLevel struct {
	name         string
	avx512, avx2 bool
}

// vectorLevels are the vector forms this processor runs; the Go loops (both flags false, goLevel)
// are the reference.
func vectorLevels() []vectorLevel {
	var levels []vectorLevel
	if hasAVX512 {
		levels = append(levels, vectorLevel{"avx512", true, hasAVX2FMA})
	}
	if hasAVX2FMA {
		levels = append(levels, vectorLevel{"avx2", false, true})
	}
	return levels
}

// atLevel runs f with the loops selected by the flags, restoring them after.
func atLevel(avx512, avx2 bool, f func() []float32) []float32 {
	saved512, saved2 := hasAVX512, hasAVX2FMA
	defer func() { hasAVX512, hasAVX2FMA = saved512, saved2 }()
	hasAVX512, hasAVX2FMA = avx512, avx2
	return f()
}

// goLevel is the Go loops, every vector form switched off.
var goLevel = vectorLevel{"go", false, false}

// TestGatedPaths: the gated residual, forward and backward, against its definition (in float64)
// on each vector form this processor has (AVX-512 or AVX2 loops with a Go tail) and on the Go
// loops, and each form against the Go loops; sizes with and without a tail of fewer than 16 or 8
// elements.
func TestGatedPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	run := func(s Batch, x, h, dout []float32) (out, sig, dh []float32) {
		p := NewPool(2)
		size := s.N * s.C * s.H * s.W
		out, sig, dh = make([]float32, size), make([]float32, size), make([]float32, 2*size)
		GatedForward(p, s, x, h, out, sig)
		GatedBackwardH(p, s, h, sig, dout, dh)
		return out, sig, dh
	}
	for _, s := range []Batch{{N: 3, C: 2, H: 7, W: 7}, {N: 2, C: 3, H: 4, W: 4}, {N: 1, C: 1, H: 1, W: 5}} {
		size, per := s.N*s.C*s.H*s.W, s.C*s.H*s.W
		x, h, dout := randSlice(rng, size), randSlice(rng, 2*size), randSlice(rng, size)
		for i := range h {
			h[i] *= 4
		}
		var paths [][3][]float32
		for _, lv := range append([]vectorLevel{goLevel}, vectorLevels()...) {
			var out, sig, dh []float32
			atLevel(lv.avx512, lv.avx2, func() []float32 { out, sig, dh = run(s, x, h, dout); return nil })
			paths = append(paths, [3][]float32{out, sig, dh})
			for n := 0; n < s.N; n++ {
				for i := 0; i < per; i++ {
					val, gate := float64(h[2*n*per+i]), float64(h[(2*n+1)*per+i])
					sg := 1 / (1 + math.Exp(-gate))
					d := float64(dout[n*per+i])
					for name, pair := range map[string][2]float64{
						"out":   {float64(out[n*per+i]), float64(x[n*per+i]) + val*sg},
						"dval":  {float64(dh[2*n*per+i]), d * sg},
						"dgate": {float64(dh[(2*n+1)*per+i]), d * val * sg * (1 - sg)},
					} {
						if math.Abs(pair[0]-pair[1]) > 2e-6*(1+math.Abs(pair[1])) {
							t.Fatalf("%+v %s: %s at image %d element %d: %v, want %v", s, lv.name, name, n, i, pair[0], pair[1])
						}
					}
				}
			}
		}
		for l, vec := range paths[1:] {
			for k, name := range []string{"out", "sig", "dh"} {
				for i := range paths[0][k] {
					if a, b := vec[k][i], paths[0][k][i]; math.Abs(float64(a-b)) > 1e-6*(1+math.Abs(float64(b))) {
						t.Fatalf("%+v %s[%d]: %s %v, Go loops %v", s, name, i, vectorLevels()[l].name, a, b)
					}
				}
			}
		}
	}
}

// TestCouplingPaths: the affine coupling's forward and backward against their definition (in
// float64: z' = (z + t·keep)·e^s, s = tanh(sRaw/f)·f·keep, f = e^scale, ldj = Σ s, and the chain
// rule for dout·z' + dldj·ldj) on each vector form this processor has and on the Go loops, with
// dout and dz, dout alone, and neither, on planes with and without a tail of fewer than 16 or 8 elements.
func TestCouplingPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	for _, s := range []Batch{{N: 3, C: 2, H: 7, W: 7}, {N: 2, C: 3, H: 4, W: 4}, {N: 2, C: 1, H: 1, W: 21}} {
		size, hw, per := s.N*s.C*s.H*s.W, s.H*s.W, s.C*s.H*s.W
		z, h, dout, dldj := randSlice(rng, size), randSlice(rng, 2*size), randSlice(rng, size), randSlice(rng, s.N)
		scale, keep := randSlice(rng, s.C), make([]float32, per)
		for i := range keep {
			keep[i] = float32(i % 2)
		}
		for _, lv := range append([]vectorLevel{goLevel}, vectorLevels()...) {
			for _, mode := range []string{"dout, dz", "dout", "dldj only"} {
				withDout := mode != "dldj only"
				k := NewCoupling(NewPool(2), s, keep)
				out, ldj := make([]float32, size), make([]float32, s.N)
				dz, dh, dscale := make([]float32, size), make([]float32, 2*size), make([]float32, s.C)
				var d, dzArg []float32
				if withDout {
					d = dout
				}
				if mode == "dout, dz" {
					dzArg = dz
				}
				atLevel(lv.avx512, lv.avx2, func() []float32 {
					k.Forward(z, h, scale, out, ldj)
					k.Backward(z, h, scale, d, dldj, dzArg, dh, dscale)
					return nil
				})
				wantDscale := make([]float64, s.C)
				for n := 0; n < s.N; n++ {
					var wantLdj float64
					for c := 0; c < s.C; c++ {
						f := math.Exp(float64(scale[c]))
						for i := 0; i < hw; i++ {
							j, p := n*per+c*hw+i, c*hw+i
							raw, tt, kp := float64(h[2*n*per+p]), float64(h[2*n*per+per+p]), float64(keep[p])
							th := math.Tanh(raw / f)
							sv := th * f * kp
							e := math.Exp(sv)
							wantLdj += sv
							var g float64
							if withDout {
								g = float64(dout[j])
							}
							ds := (float64(dldj[n]) + g*e*(float64(z[j])+tt*kp)) * kp
							sech2 := 1 - th*th
							wantDscale[c] += ds * f * (th - raw/f*sech2)
							checks := map[string][2]float64{
								"out":   {float64(out[j]), (float64(z[j]) + tt*kp) * e},
								"dsRaw": {float64(dh[2*n*per+p]), ds * sech2},
								"dt":    {float64(dh[2*n*per+per+p]), g * e * kp},
							}
							if dzArg != nil {
								checks["dz"] = [2]float64{float64(dz[j]), g * e}
							}
							for name, pair := range checks {
								if math.Abs(pair[0]-pair[1]) > 2e-5*(1+math.Abs(pair[1])) {
									t.Fatalf("%+v %s %s: %s at %d: %v, want %v", s, lv.name, mode, name, j, pair[0], pair[1])
								}
							}
						}
					}
					if math.Abs(float64(ldj[n])-wantLdj) > 1e-4*(1+math.Abs(wantLdj)) {
						t.Fatalf("%+v %s ldj[%d] = %v, want %v", s, lv.name, n, ldj[n], wantLdj)
					}
				}
				for c, want := range wantDscale {
					if math.Abs(float64(dscale[c])-want) > 1e-4*(1+math.Abs(want)) {
						t.Fatalf("%+v %s %s: dscale[%d] = %v, want %v", s, lv.name, mode, c, dscale[c], want)
					}
				}
			}
		}
	}
}

// TestElementwisePaths: the dequantization maps' vector forms (float32, each this processor has)
// against their float64 scalar form F, which the Go loops run: value, derivatives and the
// per-image log-det sums, over the inputs they see (pixel levels plus uniform noise, uniforms,
// and wide normals for the sigmoid), on slices with and without a 16- or 8-lane tail.
func TestElementwisePaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	const alpha = 1e-5
	for _, per := range []int{784, 49, 5} {
		n := 3
		levels, noise, unif, wide := make([]float32, n*per), make([]float32, n*per), make([]float32, n*per), make([]float32, n*per)
		for i := range levels {
			levels[i] = float32(rng.IntN(256))
			noise[i] = float32(rng.Float64())
			unif[i] = float32(rng.Float64())
			wide[i] = float32(rng.NormFloat64() * 6)
		}
		wide[0], wide[1] = 40, -40
		for _, tc := range []struct {
			name string
			f    Elementwise
			a, b []float32
		}{
			{"logit 1/256", Logit(1.0/256, alpha), levels, noise},
			{"logit 1", Logit(1, alpha), unif, nil},
			{"sigmoid", Sigmoid(alpha), wide, nil},
		} {
			var got [][][]float32
			levels := append([]vectorLevel{goLevel}, vectorLevels()...)
			for _, lv := range levels {
				out, ldj, dy, dl := make([]float32, n*per), make([]float32, n), make([]float32, n*per), make([]float32, n*per)
				atLevel(lv.avx512, lv.avx2, func() []float32 {
					ElementwiseForward(NewPool(2), n, per, tc.f, tc.a, tc.b, out, ldj, dy, dl)
					return nil
				})
				got = append(got, [][]float32{out, ldj, dy, dl})
			}
			for l := 1; l < len(got); l++ {
				for j, name := range []string{"y", "ldj", "dy", "dl"} {
					for i := range got[0][j] {
						a, b := float64(got[l][j][i]), float64(got[0][j][i])
						tol := 2e-6 * (1 + math.Abs(b))
						if name == "ldj" {
							tol = 2e-6 * float64(per) * (1 + math.Abs(b)/float64(per))
						}
						if math.Abs(a-b) > tol {
							t.Fatalf("%s per %d %s: %s[%d] = %v, float64 scalar %v", tc.name, per, levels[l].name, name, i, a, b)
						}
					}
				}
			}
		}
	}
}
