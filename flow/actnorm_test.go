package flow

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// glowStep is Glow's step before every stage-3 coupling, an ActNorm then an InvConv, as the "glow"
// mixing variant puts it (which flow's tests cannot import).
func glowStep(c Coupling) []Layer {
	if !InStage3(c) {
		return nil
	}
	return []Layer{ActNorm{Name: MixerName(c, "actnorm"), Shape: c.Shape}, InvConv{Name: MixerName(c, "invconv"), Shape: c.Shape}}
}

// testVariantsGlow is testVariants with glowStep's mixing, as the mixing axis adds it.
var testVariantsGlow = ChoiceFunc(func(bp *Blueprint) {
	testVariants.Choose(bp)
	bp.Edits = append(bp.Edits, BeforeCouplings(glowStep))
})

func actNormOf(t *testing.T, m *Model, i int) *actNormModule {
	t.Helper()
	a, ok := m.layers[i].(*actNormModule)
	if !ok {
		t.Fatalf("layer %d (%s) is not an actnorm", i, m.Arch.Layers[i].Label())
	}
	return a
}

// The layer computes y = exp(logs_c)·(x + b_c) per channel, log|det J| = H·W·Σ logs, and its
// reverse gives x back; it has 2C parameters and its Describe row says so.
func TestActNormIsPerChannelAffine(t *testing.T) {
	sh := Shape{C: 3, H: 2, W: 2}
	m, err := New(Arch{In: sh, Layers: []Layer{ActNorm{Name: "an", Shape: sh}}}, tensor.Float64, 1)
	if err != nil {
		t.Fatal(err)
	}
	logs, bias := []float64{0.5, -0.25, 1}, []float64{-1, 2, 0.125}
	an := actNormOf(t, m, 0)
	setFloats(an.logs.Value, logs)
	setFloats(an.bias.Value, bias)
	rng := rand.New(rand.NewPCG(1, 2))
	in := make([][]float64, 2)
	for r := range in {
		for i := 0; i < sh.Size(); i++ {
			in[r] = append(in[r], rng.NormFloat64())
		}
	}
	fwd, err := m.NewFlow(2, false)
	if err != nil {
		t.Fatal(err)
	}
	out, ldj, err := fwd.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	wantLDJ := float64(sh.H*sh.W) * (logs[0] + logs[1] + logs[2])
	for r := range in {
		if math.Abs(ldj[r]-wantLDJ) > 1e-12 {
			t.Errorf("sample %d: log-det %g, want H·W·Σ logs = %g", r, ldj[r], wantLDJ)
		}
		for c := 0; c < sh.C; c++ {
			for p := 0; p < sh.H*sh.W; p++ {
				i := c*sh.H*sh.W + p
				if want := math.Exp(logs[c]) * (in[r][i] + bias[c]); math.Abs(out[r][i]-want) > 1e-12 {
					t.Errorf("sample %d element %d: %g, want %g", r, i, out[r][i], want)
				}
			}
		}
	}
	rev, err := m.NewFlow(2, true)
	if err != nil {
		t.Fatal(err)
	}
	back, rldj, err := rev.Run(out)
	if err != nil {
		t.Fatal(err)
	}
	for r := range in {
		if d := maxAbsDiff(back[r], in[r]); d > 1e-12 || math.Abs(rldj[r]+wantLDJ) > 1e-12 {
			t.Errorf("sample %d: reverse misses x by %g, reverse log-det %g (want %g)", r, d, rldj[r], -wantLDJ)
		}
	}
	if got := m.NumParams(); got != 2*sh.C {
		t.Errorf("%d parameters, want 2C = %d", got, 2*sh.C)
	}
	row := m.Describe()[0]
	if row.Kind != "actnorm" || row.Params != 6 || row.FLOPs != 24 || row.In != sh || row.Out != sh {
		t.Errorf("describe row %+v", row)
	}
	if Kind(m.Arch.Layers[0]) != "actnorm" {
		t.Errorf("kind %q", Kind(m.Arch.Layers[0]))
	}
}

// New makes an ActNorm the identity and draws nothing for it: the layers after it are initialised
// as without it.
func TestActNormStartsAsIdentity(t *testing.T) {
	sh := Shape{C: 4, H: 2, W: 3}
	with, err := New(Arch{In: sh, Layers: []Layer{ActNorm{Name: "an", Shape: sh}, InvConv{Name: "mix", Shape: sh}}}, tensor.Float64, 3)
	if err != nil {
		t.Fatal(err)
	}
	without, err := New(Arch{In: sh, Layers: []Layer{InvConv{Name: "mix", Shape: sh}}}, tensor.Float64, 3)
	if err != nil {
		t.Fatal(err)
	}
	an := actNormOf(t, with, 0)
	for _, v := range append(floats(an.logs.Value), floats(an.bias.Value)...) {
		if v != 0 {
			t.Fatalf("actnorm parameters %v %v at New, want all 0", floats(an.logs.Value), floats(an.bias.Value))
		}
	}
	w1, _ := with.InvConvMatrix("mix")
	w2, _ := without.InvConvMatrix("mix")
	if maxAbsDiff(w1, w2) != 0 {
		t.Error("the invconv after an actnorm is initialised differently than without it")
	}
}

// An ActNorm moves and mixes nothing: Trace keeps every element's sources and every element
// passes through.
func TestActNormTrace(t *testing.T) {
	sh := Shape{C: 2, H: 2, W: 2}
	tr := Trace(Arch{In: sh, Layers: []Layer{ActNorm{Name: "an", Shape: sh}, InvConv{Name: "mix", Shape: sh}}})
	for i, src := range tr[1].Sources {
		if len(src) != 1 || src[0] != i {
			t.Fatalf("element %d comes from %v after an actnorm, want [%d]", i, src, i)
		}
	}
	if roles := string(tr[0].ImageRoles(sh)); roles != strings.Repeat(string(rune(RolePassedThrough)), sh.Size()) {
		t.Errorf("roles %q, want every element passed through", roles)
	}
}

// glowModel is the tiny glow-mixed model with random weights (actnorms included, so that the
// initialisation has something to overwrite and the couplings are not the identity).
func glowModel(t *testing.T, dt tensor.Dtype) *Model {
	t.Helper()
	a, err := Multiscale(Shape{1, 8, 8}, Sizes{VarDeq: 2, Stage: [3]int{3, 4, 5}, GatedLayers: 1}, testVariantsGlow)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(a, dt, 4)
	if err != nil {
		t.Fatal(err)
	}
	m.Randomize(rand.New(rand.NewPCG(4, 4)), RandomScale)
	return m
}

// After InitActNorms every ActNorm's output on the init batch has zero mean and unit variance per
// channel. The check runs after all of them are set, so an ActNorm fitted to what the layers
// before it did before the earlier ActNorms were set (not layer by layer) fails it.
func TestInitActNormsNormalisesEachLayer(t *testing.T) {
	for _, tc := range []struct {
		dt        tensor.Dtype
		engine    Engine
		tolerance float64
	}{{tensor.Float64, Engine{}, 1e-9}, {tensor.Float32, Engine{}, 2e-5}, {tensor.Float32, Engine{Stock: true}, 2e-5}} {
		m := glowModel(t, tc.dt)
		m.Engine = tc.engine
		pixels := randomPixels(rand.New(rand.NewPCG(5, 5)), 6*m.Dims())
		n, err := m.InitActNorms(pixels, rand.New(rand.NewPCG(6, 6)))
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("%d actnorms initialised, want the 4 of stage 3", n)
		}
		noise := make([]float64, len(pixels))
		rng := rand.New(rand.NewPCG(6, 6)) // the init's noise again
		for i := range noise {
			noise[i] = rng.Float64()
		}
		checked := 0
		for i, l := range m.Arch.Layers {
			if Kind(l) != "actnorm" {
				continue
			}
			in, err := m.layerInput(i, pixels, noise)
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.layerInput(i+1, pixels, noise)
			if err != nil {
				t.Fatal(err)
			}
			inMoments := channelMoments(in, l.InShape(), 6)
			for c, mv := range channelMoments(out, l.OutShape(), 6) {
				// unit variance up to Glow's eps: s = 1/(σ + eps) gives (σ/(σ + eps))²
				sigma := math.Sqrt(inMoments[c][1])
				want := math.Pow(sigma/(sigma+actNormEps), 2)
				if math.Abs(mv[0]) > tc.tolerance || math.Abs(mv[1]-want) > tc.tolerance || math.Abs(mv[1]-1) > 1e-4 {
					t.Errorf("%v %s: %s channel %d has mean %.3g and variance %.9g (input σ %.4g) on the init batch, want 0 and 1",
						tc.dt, tc.engine.Name(), l.Label(), c, mv[0], mv[1], sigma)
				}
			}
			checked++
		}
		if checked != 4 {
			t.Fatalf("checked %d actnorms", checked)
		}
	}
}

// channelMoments is the mean and (population) variance of every channel of n NCHW samples.
func channelMoments(x []float64, sh Shape, n int) [][2]float64 {
	plane := sh.H * sh.W
	out := make([][2]float64, sh.C)
	for c := range out {
		var vals []float64
		for i := 0; i < n; i++ {
			vals = append(vals, x[(i*sh.C+c)*plane:(i*sh.C+c+1)*plane]...)
		}
		var mean, variance float64
		for _, v := range vals {
			mean += v
		}
		mean /= float64(len(vals))
		for _, v := range vals {
			variance += (v - mean) * (v - mean)
		}
		out[c] = [2]float64{mean, variance / float64(len(vals))}
	}
	return out
}

// Without an ActNorm, InitActNorms changes no parameter and draws nothing from its stream; a
// batch that is not whole images is an error.
func TestInitActNormsWithoutActNorm(t *testing.T) {
	m := tinyModel(t, tensor.Float64)
	before := make([][]float64, len(m.Params))
	for i, p := range m.Params {
		before[i] = floats(p.Value)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	n, err := m.InitActNorms(randomPixels(rng, 3*m.Dims()), rng)
	if err != nil || n != 0 {
		t.Fatalf("InitActNorms on a model without actnorm: %d, %v", n, err)
	}
	for i, p := range m.Params {
		if maxAbsDiff(floats(p.Value), before[i]) != 0 {
			t.Errorf("%s changed", p.Name)
		}
	}
	fresh := rand.New(rand.NewPCG(9, 9))
	randomPixels(fresh, 3*m.Dims())
	if rng.Uint64() != fresh.Uint64() {
		t.Error("InitActNorms drew from its stream on a model without actnorm")
	}
	g := glowModel(t, tensor.Float64)
	if _, err := g.InitActNorms(make([]uint8, g.Dims()+1), rng); err == nil {
		t.Error("a batch of a partial image was accepted")
	}
}

// The training gradient with respect to the actnorm parameters matches central differences.
func TestActNormGradient(t *testing.T) {
	m := glowModel(t, tensor.Float64)
	checked := checkParamGradients(t, m, func(name string) bool { return strings.Contains(name, "actnorm") })
	if checked != 4*2*8 {
		t.Fatalf("%d actnorm gradient entries checked, want 4 layers x 2 parameters x 8 channels", checked)
	}
}
