package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// prog is a small graph built from builder pieces: data inputs, and the state (tensor and
// log-determinant) the pieces leave.
type prog struct {
	vm  G.VM
	ins []*G.Node
	st  *state
}

func newProg(t *testing.T, b *builder, f func(b *builder) ([]*G.Node, *state)) *prog {
	t.Helper()
	p := &prog{}
	if err := build(func() { p.ins, p.st = f(b) }); err != nil {
		t.Fatal(err)
	}
	p.vm = G.NewTapeMachine(b.g)
	t.Cleanup(func() { p.vm.Close() })
	return p
}

// run sets the inputs (flattened, whole batch each) and returns the output (flattened) and the
// log-determinant per sample, constant part included.
func (p *prog) run(t *testing.T, ins ...[]float64) (out, ldj []float64) {
	t.Helper()
	for i, in := range ins {
		setFloats(p.ins[i].Value().(*tensor.Dense), in)
	}
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out = floats(p.st.z.Value())
	ldj = floats(p.st.ldj.Value())
	for i := range ldj {
		ldj[i] += p.st.ldjConst
	}
	return out, ldj
}

// unaryProg applies layers (logit, sigmoid) to one input of the given shape.
func unaryProg(t *testing.T, shape []int, layers ...func(*builder, *state)) *prog {
	return newProg(t, newBuilder(tensor.Float64), func(b *builder) ([]*G.Node, *state) {
		x := b.input("x", shape...)
		st := &state{z: x}
		for _, l := range layers {
			l(b, st)
		}
		return []*G.Node{x}, st
	})
}

// elementwiseLogDet is, per sample, the sum of log|f'(x_i)| of an elementwise map, by central
// differences with a step relative to step(x_i).
func elementwiseLogDet(t *testing.T, p *prog, x []float64, n int, step func(float64) float64) []float64 {
	t.Helper()
	per := len(x) / n
	hs := make([]float64, len(x))
	xp, xm := make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		hs[i] = step(v)
		xp[i], xm[i] = v+hs[i], v-hs[i]
	}
	// The map is elementwise, so moving every coordinate at once gives every diagonal entry.
	yp, _ := p.run(t, xp)
	ym, _ := p.run(t, xm)
	out := make([]float64, n)
	for i := range x {
		out[i/per] += math.Log(math.Abs((yp[i] - ym[i]) / (2 * hs[i])))
	}
	return out
}

func TestLogitSigmoid(t *testing.T) {
	shape := []int{2, 1, 2, 4}
	const n, d = 2, 8
	logit := (*builder).logit
	sigmoid := (*builder).sigmoid
	// points in (0, 1), some near the ends where the alpha squashing matters
	v := []float64{1e-3, 0.01, 0.2, 0.5, 0.7, 0.99, 0.999, 0.3,
		0.4, 0.05, 0.95, 0.61, 0.5 + 1e-9, 0.13, 0.87, 0.002}
	rng := rand.New(rand.NewPCG(11, 12))
	z := make([]float64, n*d)
	// Within ±10, where finite differences of the saturating sigmoid still resolve its slope in
	// float64. (Beyond 16, gorgonia's float64 softplus returns x itself, an error up to 1e-7 in
	// the log-det, and beyond 19 its sigmoid returns exactly 1 or 0.)
	for i := range z {
		z[i] = math.Max(-10, math.Min(10, 4*rng.NormFloat64()))
	}
	z[0], z[1] = 10, -10

	t.Run("logit log-det", func(t *testing.T) {
		p := unaryProg(t, shape, logit)
		_, ldj := p.run(t, v)
		fd := elementwiseLogDet(t, p, v, n, func(x float64) float64 { return 1e-4 * math.Min(x, 1-x) })
		for s := range ldj {
			if math.Abs(ldj[s]-fd[s]) > 1e-7 {
				t.Errorf("sample %d: log-det %.12g, finite differences %.12g", s, ldj[s], fd[s])
			}
		}
	})
	t.Run("sigmoid log-det", func(t *testing.T) {
		p := unaryProg(t, shape, sigmoid)
		_, ldj := p.run(t, z)
		fd := elementwiseLogDet(t, p, z, n, func(x float64) float64 {
			if math.Abs(x) > 5 {
				return 1e-4
			}
			return 1e-5
		})
		for s := range ldj {
			if math.Abs(ldj[s]-fd[s]) > 1e-7 {
				t.Errorf("sample %d: log-det %.12g, finite differences %.12g", s, ldj[s], fd[s])
			}
		}
	})
	t.Run("sigmoid after logit", func(t *testing.T) {
		p := unaryProg(t, shape, logit, sigmoid)
		out, ldj := p.run(t, v)
		if e := maxAbsDiff(out, v); e > 1e-12 {
			t.Errorf("sigmoid(logit(v)) differs from v by %g", e)
		}
		for s := range ldj {
			if math.Abs(ldj[s]) > 1e-9 {
				t.Errorf("sample %d: log-det of the round trip %g, want 0", s, ldj[s])
			}
		}
	})
	t.Run("logit after sigmoid", func(t *testing.T) {
		p := unaryProg(t, shape, sigmoid, logit)
		out, ldj := p.run(t, z)
		if e := maxAbsDiff(out, z); e > 1e-9 {
			t.Errorf("logit(sigmoid(z)) differs from z by %g", e)
		}
		for s := range ldj {
			if math.Abs(ldj[s]) > 1e-9 {
				t.Errorf("sample %d: log-det of the round trip %g, want 0", s, ldj[s])
			}
		}
	})
	t.Run("logit values", func(t *testing.T) {
		p := unaryProg(t, shape, logit)
		out, _ := p.run(t, v)
		for i, x := range v {
			y := x*(1-Alpha) + 0.5*Alpha
			if want := math.Log(y / (1 - y)); math.Abs(out[i]-want) > 1e-12 {
				t.Errorf("logit(%g) = %.15g, want %.15g", x, out[i], want)
			}
		}
	})
}

// noiseProg is variational dequantization's noise map u -> noise given img (reverse: noise -> u).
func noiseProg(t *testing.T, m *Model, batch int, reverse bool) *prog {
	in := m.Arch.In
	return newProg(t, m.builder(), func(b *builder) ([]*G.Node, *state) {
		z := b.input("z", batch, in.C, in.H, in.W)
		img := b.input("img", batch, in.C, in.H, in.W)
		if !reverse {
			return []*G.Node{z, img}, b.noiseMap(m, z, img)
		}
		st := &state{z: z}
		b.logit(st)
		for i := len(m.vardeq) - 1; i >= 0; i-- {
			b.coupling(st, m.vardeq[i], img, true)
		}
		b.sigmoid(st)
		return []*G.Node{z, img}, st
	})
}

func randomPixels(rng *rand.Rand, n int) []uint8 {
	p := make([]uint8, n)
	for i := range p {
		p[i] = uint8(rng.IntN(256))
	}
	return p
}

// conditioning is the image the vardeq couplings see, x/255*2-1, repeated batch times.
func conditioning(pixels []uint8, batch int) []float64 {
	out := make([]float64, 0, batch*len(pixels))
	for r := 0; r < batch; r++ {
		for _, v := range pixels {
			out = append(out, float64(v)/255*2-1)
		}
	}
	return out
}

// For a fixed image, the noise map of variational dequantization is invertible, its log-det (the
// u-dependent part of Density's) is log|det| of its brute-force Jacobian, and it maps the unit cube
// into the unit cube widened by the alpha squashing (sigmoid then (y - alpha/2)/(1 - alpha) reaches
// -alpha/(2(1-alpha)) .. 1+alpha/(2(1-alpha)), not exactly [0, 1]).
func TestNoiseMap(t *testing.T) {
	m := tinyModel(t, tensor.Float64)
	rng := rand.New(rand.NewPCG(13, 14))
	m.Randomize(rng, RandomScale)
	dim := m.Dims()
	batch := 4*dim + 1 // the rows of perturbations
	fwd := noiseProg(t, m, batch, false)
	rev := noiseProg(t, m, batch, true)
	const h = 1e-6
	slack := Alpha / (2 * (1 - Alpha))
	for sample := 0; sample < 2; sample++ {
		pixels := randomPixels(rng, dim)
		img := conditioning(pixels, batch)
		u := make([]float64, dim)
		for i := range u {
			u[i] = 0.02 + 0.96*rng.Float64() // away from the ends, for the finite differences
		}
		var in []float64
		for _, r := range perturbations(u, h) {
			in = append(in, r...)
		}
		noise, ldj := fwd.run(t, in, img)
		jac := mat.NewDense(dim, dim, nil)
		row := func(r, i int) float64 { return noise[r*dim+i] }
		for j := 0; j < dim; j++ {
			for i := 0; i < dim; i++ { // Check's five-point stencil: rows +h, -h, +2h, -2h
				jac.Set(i, j, (8*(row(4*j+1, i)-row(4*j+2, i))-(row(4*j+3, i)-row(4*j+4, i)))/(12*h))
			}
		}
		var lu mat.LU
		lu.Factorize(jac)
		logDet, sign := lu.LogDet()
		t.Logf("sample %d: log-det %.10g, brute force %.10g (sign %g)", sample, ldj[0], logDet, sign)
		if math.Abs(logDet-ldj[0]) > 1e-6 {
			t.Errorf("sample %d: log-det %.10g, log|det J| by finite differences %.10g", sample, ldj[0], logDet)
		}
		if math.Abs(ldj[0]) < 1e-3 {
			t.Errorf("sample %d: log-det %g: the randomised noise map is (close to) volume-preserving, the test proves little", sample, ldj[0])
		}
		for i, v := range noise {
			if !(v > -slack && v < 1+slack) {
				t.Fatalf("noise %d = %g outside (%g, %g)", i, v, -slack, 1+slack)
			}
		}
		back, rldj := rev.run(t, noise, img)
		if e := maxAbsDiff(back, in); e > 1e-9 {
			t.Errorf("sample %d: the reverse noise map misses u by %g", sample, e)
		}
		for r := range rldj {
			if math.Abs(rldj[r]+ldj[r]) > 1e-9 {
				t.Errorf("sample %d row %d: reverse log-det %g, forward %g", sample, r, rldj[r], ldj[r])
			}
		}
	}
}

// runDensity is Density.Run with the dequantization noise u given (the whole padded batch,
// row-major) instead of drawn; it returns log p(x) of every row.
func runDensity(t *testing.T, d *Density, pixels []uint8, u []float64) []float64 {
	t.Helper()
	fillPixels(d.x.Value(), pixels, d.batch, func(v uint8) float64 { return float64(v) })
	if d.img != nil {
		fillPixels(d.img.Value(), pixels, d.batch, func(v uint8) float64 { return float64(v)/255*2 - 1 })
	}
	setFloats(d.u.Value().(*tensor.Dense), u)
	d.vm.Reset()
	if err := d.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return floats(d.logpx.Value())
}

func tinyArch(t *testing.T, in Shape, vardeq int) Arch {
	t.Helper()
	a, err := Multiscale(in, Sizes{VarDeq: vardeq, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, testVariants)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// With variational dequantization, log p(x) = log-det of the noise map + the uniformly dequantized
// model's log p(x) at the transformed noise: the noise map is the only place u enters.
func TestVarDeqDensityDecomposes(t *testing.T) {
	in := Shape{1, 4, 4}
	vd, err := New(tinyArch(t, in, 2), tensor.Float64, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	vd.Randomize(rng, RandomScale)
	uni, err := New(Arch{In: in, Layers: vd.Arch.Layers}, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	// the uniform model's parameters are the tail of the vardeq model's, in the same order
	off := len(vd.Params) - len(uni.Params)
	for i, p := range uni.Params {
		q := vd.Params[off+i]
		if p.Name != q.Name {
			t.Fatalf("parameter %d: %s vs %s", i, p.Name, q.Name)
		}
		setFloats(p.Value, floats(q.Value))
	}
	const batch = 2
	dim := in.Size()
	pixels := randomPixels(rng, batch*dim)
	pixels[0], pixels[1] = 0, 255
	u := make([]float64, batch*dim)
	for i := range u {
		u[i] = rng.Float64()
	}
	dv, err := vd.NewDensity(batch, false)
	if err != nil {
		t.Fatal(err)
	}
	du, err := uni.NewDensity(batch, false)
	if err != nil {
		t.Fatal(err)
	}
	img := make([]float64, len(pixels))
	for i, v := range pixels {
		img[i] = float64(v)/255*2 - 1
	}
	noise, noiseLDJ := noiseProg(t, vd, batch, false).run(t, u, img)
	got := runDensity(t, dv, pixels, u)
	rest := runDensity(t, du, pixels, noise)
	for r := range got {
		want := rest[r] + noiseLDJ[r]
		t.Logf("image %d: log p %.10g = %.10g (flow) + %.10g (noise map)", r, got[r], rest[r], noiseLDJ[r])
		if math.Abs(got[r]-want) > 1e-9 {
			t.Errorf("image %d: log p %.12g, want %.12g", r, got[r], want)
		}
	}
}

// closedFormLogP is log p(x) of a model whose flow after dequantization is a permutation (every
// coupling the identity) for one image x with uniform noise u: the tutorial's Dequantization with
// a standard-normal prior on z = logit((x+u)/256 squashed by alpha).
func closedFormLogP(x []uint8, u []float64) float64 {
	d := float64(len(x))
	lp := d*math.Log(1-Alpha) - d*math.Log(Levels)
	for i := range x {
		v := (float64(x[i])+u[i])/Levels*(1-Alpha) + 0.5*Alpha
		z := math.Log(v) - math.Log(1-v)
		lp += -0.5*z*z - 0.5*math.Log(2*math.Pi) - math.Log(v) - math.Log(1-v)
	}
	return lp
}

// At initialisation every coupling is the identity (zero output convolution, zero scaling
// factor), the vardeq noise map too, so log p(x) has a closed form. Density.Run draws u with
// rng.Float64 row-major over the whole padded batch, so the same seed reproduces it.
func TestDensityAtInitMatchesClosedForm(t *testing.T) {
	for _, tc := range []struct {
		in     Shape
		vardeq int
	}{{Shape{1, 4, 4}, 0}, {Shape{1, 8, 8}, 0}, {Shape{1, 4, 4}, 2}} {
		name := tc.in.String() + "/uniform"
		if tc.vardeq > 0 {
			name = tc.in.String() + "/vardeq"
		}
		t.Run(name, func(t *testing.T) {
			m, err := New(tinyArch(t, tc.in, tc.vardeq), tensor.Float64, 3)
			if err != nil {
				t.Fatal(err)
			}
			const batch, n = 3, 2 // two images in a batch of three: the last row is padding
			dim := m.Dims()
			d, err := m.NewDensity(batch, false)
			if err != nil {
				t.Fatal(err)
			}
			pixels := randomPixels(rand.New(rand.NewPCG(17, 18)), n*dim)
			pixels[0], pixels[1], pixels[dim] = 0, 255, 255
			const seed = 99
			logpx, bpd, err := d.Run(pixels, rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if len(logpx) != n {
				t.Fatalf("%d log-likelihoods for %d images", len(logpx), n)
			}
			rng := rand.New(rand.NewPCG(seed, 1))
			u := make([]float64, batch*dim)
			for i := range u {
				u[i] = rng.Float64()
			}
			mean := 0.0
			for r := 0; r < n; r++ {
				want := closedFormLogP(pixels[r*dim:(r+1)*dim], u[r*dim:(r+1)*dim])
				if math.Abs(logpx[r]-want) > 1e-9 {
					t.Errorf("image %d: log p %.15g, closed form %.15g (diff %g)", r, logpx[r], want, logpx[r]-want)
				}
				mean += logpx[r] / n
			}
			wantBPD := -mean / (float64(dim) * math.Ln2)
			if math.Abs(bpd-wantBPD) > 1e-12*math.Abs(wantBPD) {
				t.Errorf("bpd %.15g, want -mean(log p)/(D ln 2) = %.15g", bpd, wantBPD)
			}
			// runDensity (used by the other tests) feeds u as Run draws it
			all := runDensity(t, d, pixels, u)
			for r := 0; r < n; r++ {
				if all[r] != logpx[r] {
					t.Errorf("image %d: runDensity %.17g, Run %.17g", r, all[r], logpx[r])
				}
			}
		})
	}
}
