package flow

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// everyCoupling puts an InvConv before every coupling on more than one channel: the "invconv"
// mixing variant's placement before issue 14 (it now mixes before the stage-3 couplings only),
// kept here because it also puts invconvs on the 4-channel stage-2 maps.
type everyCoupling struct{}

func (everyCoupling) Mix(c Coupling) []Layer {
	if c.Shape.C < 2 {
		return nil
	}
	return []Layer{InvConv{Name: MixerName(c, "invconv"), Shape: c.Shape}}
}

// testVariantsInvConv is testVariants with everyCoupling's mixing, as the mixing axis adds it.
var testVariantsInvConv = ChoiceFunc(func(bp *Blueprint) {
	testVariants.Choose(bp)
	bp.Edits = append(bp.Edits, BeforeCouplings(everyCoupling{}.Mix))
})

func TestLUDecompose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 4, 8} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		p, l, u := luDecompose(a)
		if d := maxAbsDiff(matMul(p, matMul(l, u, n), n), a); d > 1e-12 {
			t.Errorf("n=%d: |P·L·U - A| = %g", n, d)
		}
		for i := 0; i < n; i++ {
			if l[i*n+i] != 1 {
				t.Errorf("n=%d: L[%d][%d] = %g, want 1", n, i, i, l[i*n+i])
			}
			for j := i + 1; j < n; j++ {
				if l[i*n+j] != 0 || u[j*n+i] != 0 {
					t.Errorf("n=%d: L or U not triangular at (%d,%d)", n, i, j)
				}
			}
		}
		q := randomRotation(rng, n)
		qt := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				qt[j*n+i] = q[i*n+j]
			}
		}
		eye := make([]float64, n*n)
		for i := 0; i < n; i++ {
			eye[i*n+i] = 1
		}
		if d := maxAbsDiff(matMul(qt, q, n), eye); d > 1e-12 {
			t.Errorf("n=%d: random rotation: |QᵀQ - I| = %g", n, d)
		}
	}
}

// At initialisation W is a rotation: the layer's log-det is 0, and the matrix the graph applies is
// the one the parameters describe.
func TestInvConvInitIsARotation(t *testing.T) {
	sh := Shape{C: 4, H: 3, W: 2}
	m, err := New(Arch{In: sh, Layers: []Layer{InvConv{Name: "mix", Shape: sh}}}, tensor.Float64, 9)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.NumParams(); got != 16 {
		t.Errorf("%d parameters, want C² = 16", got)
	}
	f, err := m.NewFlow(2, false)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	in := make([][]float64, 2)
	for r := range in {
		for i := 0; i < sh.Size(); i++ {
			in[r] = append(in[r], rng.NormFloat64())
		}
	}
	out, ldj, err := f.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	w := m.layers[0].(*invConvModule).matrix()
	for r := range in {
		if math.Abs(ldj[r]) > 1e-12 {
			t.Errorf("sample %d: log-det %g at init, want 0 (a rotation)", r, ldj[r])
		}
		for h := 0; h < sh.H; h++ {
			for x := 0; x < sh.W; x++ {
				for i := 0; i < sh.C; i++ {
					want := 0.0
					for j := 0; j < sh.C; j++ {
						want += w[i*sh.C+j] * in[r][sh.Index(j, h, x)]
					}
					if got := out[r][sh.Index(i, h, x)]; math.Abs(got-want) > 1e-12 {
						t.Fatalf("sample %d, pixel (%d,%d), channel %d: %g, want (W·x) %g", r, h, x, i, got, want)
					}
				}
			}
		}
	}
}

// Different seeds draw different rotations; the same seed the same one.
func TestInvConvInitFollowsSeed(t *testing.T) {
	sh := Shape{C: 8, H: 2, W: 2}
	a := Arch{In: sh, Layers: []Layer{InvConv{Name: "mix", Shape: sh}}}
	w := func(seed uint64) []float64 {
		m, err := New(a, tensor.Float64, seed)
		if err != nil {
			t.Fatal(err)
		}
		return m.layers[0].(*invConvModule).matrix()
	}
	if maxAbsDiff(w(1), w(1)) != 0 || maxAbsDiff(w(1), w(2)) == 0 {
		t.Error("the initial rotation does not follow the seed")
	}
}

func TestMultiscaleInsertsInvConvs(t *testing.T) {
	a, err := Multiscale(Shape{1, 8, 8}, Sizes{Stage: [3]int{3, 3, 3}, GatedLayers: 1}, testVariantsInvConv)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, l := range a.Layers {
		if ic, ok := l.(InvConv); ok {
			names = append(names, ic.Name)
			if next, ok := a.Layers[i+1].(Coupling); !ok || next.Shape != ic.Shape {
				t.Errorf("%s is not followed by a coupling of its shape", ic.Name)
			}
		}
	}
	want := "[stage2.invconv0 stage2.invconv1 stage3.invconv0 stage3.invconv1 stage3.invconv2 stage3.invconv3]"
	if got := fmtSlice(names); got != want {
		t.Errorf("invconvs %s, want %s", got, want)
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// The training gradient with respect to the packed LU parameters matches central differences.
func TestInvConvGradient(t *testing.T) {
	a, err := Multiscale(Shape{1, 4, 4}, Sizes{VarDeq: 0, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, testVariantsInvConv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(a, tensor.Float64, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.Randomize(rand.New(rand.NewPCG(41, 42)), RandomScale)
	checked := checkParamGradients(t, m, func(name string) bool { return strings.HasSuffix(name, ".lu") })
	if checked == 0 {
		t.Fatal("no invconv parameters found")
	}
	t.Logf("%d invconv gradient entries checked", checked)
}

// float32 training with the fast engine (couplings as kernel ops, the invconv as stock ops) runs
// and reduces nothing to NaN.
func TestInvConvFloat32Step(t *testing.T) {
	a, err := Multiscale(Shape{1, 8, 8}, Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, testVariantsInvConv)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []Engine{{}, {Stock: true}} {
		m, err := New(a, tensor.Float32, 1)
		if err != nil {
			t.Fatal(err)
		}
		m.Engine = e
		s, err := m.NewStepper(4, 1e-3, 1)
		if err != nil {
			t.Fatal(err)
		}
		pixels := randomPixels(rand.New(rand.NewPCG(1, 1)), 4*m.Dims())
		for i := 0; i < 3; i++ {
			bpd, _, err := s.Step(pixels, rand.New(rand.NewPCG(2, uint64(i))), 1)
			if err != nil || math.IsNaN(bpd) {
				t.Fatalf("engine %s step %d: bpd %v, %v", e.Name(), i, bpd, err)
			}
		}
		smp, err := m.NewSampler(2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := smp.Sample(rand.New(rand.NewPCG(3, 3))); err != nil {
			t.Fatal(err)
		}
	}
}

// SetInvConvMatrix stores any invertible matrix; InvConvMatrix reads it back.
func TestSetInvConvMatrix(t *testing.T) {
	sh := Shape{C: 4, H: 2, W: 2}
	m, err := New(Arch{In: sh, Layers: []Layer{InvConv{Name: "mix", Shape: sh}}}, tensor.Float64, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 8))
	w := make([]float64, 16)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	if err := m.SetInvConvMatrix("mix", w); err != nil {
		t.Fatal(err)
	}
	got, err := m.InvConvMatrix("mix")
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, w); d > 1e-12 {
		t.Errorf("read back with error %g", d)
	}
	if err := m.SetInvConvMatrix("mix", make([]float64, 16)); err == nil {
		t.Error("a singular matrix was accepted")
	}
	if _, err := m.InvConvMatrix("nope"); err == nil {
		t.Error("unknown layer name accepted")
	}
}

// gradFixture is the set-up of a central-difference gradient check of a float64 model: a training
// and an evaluation Density on one fixed batch, with the same dequantization noise in every run.
type gradFixture struct {
	m           *Model
	train, eval *Density
	pixels      []uint8
}

func newGradFixture(t *testing.T, m *Model) *gradFixture {
	t.Helper()
	const batch = 2
	train, err := m.NewDensity(batch, true)
	if err != nil {
		t.Fatal(err)
	}
	eval, err := m.NewDensity(batch, false)
	if err != nil {
		t.Fatal(err)
	}
	return &gradFixture{m: m, train: train, eval: eval, pixels: randomPixels(rand.New(rand.NewPCG(43, 44)), batch*m.Dims())}
}

func (f *gradFixture) noise() *rand.Rand { return rand.New(rand.NewPCG(45, 46)) }

// grads runs one training step's forward and backward and returns every parameter's gradient.
func (f *gradFixture) grads(t *testing.T) [][]float64 {
	t.Helper()
	if _, _, err := f.train.Run(f.pixels, f.noise()); err != nil {
		t.Fatal(err)
	}
	gs, err := f.train.Grads()
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(gs))
	for i, g := range gs {
		out[i] = floats(g)
	}
	return out
}

// check compares gradient g of entry j of parameter i with the central difference of the
// evaluation loss, reports a mismatch, and returns the error as a fraction of its tolerance.
//
// The loss carries rounding noise near 1e-14 (a sum of hundreds of log terms): a step of 1e-6
// leaves errors of 1e-8 in gradients of 1e-5, while at 1e-4 the curvature of the vardeq
// parameters' gradients (of order 1 to 10) gives relative errors of 1e-4. 1e-5 is between.
func (f *gradFixture) check(t *testing.T, i, j int, g float64) float64 {
	t.Helper()
	const h = 1e-5
	p := f.m.Params[i]
	vals := p.Value.Data().([]float64)
	loss := func() float64 {
		_, bpd, err := f.eval.Run(f.pixels, f.noise())
		if err != nil {
			t.Fatal(err)
		}
		return bpd
	}
	orig := vals[j]
	vals[j] = orig + h
	lp := loss()
	vals[j] = orig - h
	lm := loss()
	vals[j] = orig
	fd := (lp - lm) / (2 * h)
	tol := 5e-9 + 2e-5*math.Abs(fd)
	if math.Abs(fd-g) > tol {
		t.Errorf("%s[%d]: gradient %.10g, finite differences %.10g", p.Name, j, g, fd)
	}
	return math.Abs(fd-g) / tol
}

// checkParamGradients checks every entry of the parameters whose name keep accepts against
// central differences, and returns the entries checked.
func checkParamGradients(t *testing.T, m *Model, keep func(name string) bool) int {
	t.Helper()
	f := newGradFixture(t, m)
	gs := f.grads(t)
	checked := 0
	for i, p := range m.Params {
		if !keep(p.Name) {
			continue
		}
		for j := range gs[i] {
			f.check(t, i, j, gs[i][j])
			checked++
		}
	}
	return checked
}
