package glow_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/mixing/glow"
)

// Only stage-3 couplings get Glow's step, an actnorm then an invconv named after the coupling.
func TestMixOnlyBeforeStage3(t *testing.T) {
	for _, c := range []flow.Coupling{
		{Name: "stage1.coupling0", Shape: flow.Shape{C: 1, H: 8, W: 8}},
		{Name: "stage2.coupling1", Shape: flow.Shape{C: 4, H: 4, W: 4}},
	} {
		if got := (glow.Mixer{}).Mix(c); got != nil {
			t.Errorf("%s: %v, want nothing", c.Name, got)
		}
	}
	s3 := flow.Coupling{Name: "stage3.coupling1", Shape: flow.Shape{C: 8, H: 2, W: 2}}
	got := (glow.Mixer{}).Mix(s3)
	want := []flow.Layer{flow.ActNorm{Name: "stage3.actnorm1", Shape: s3.Shape}, flow.InvConv{Name: "stage3.invconv1", Shape: s3.Shape}}
	if !slices.Equal(got, want) {
		t.Errorf("stage-3 coupling: %v, want %v", got, want)
	}
}

// On MNIST both coupling layouts get the same 4 steps, on 8x7x7, each right before its coupling,
// and glow's model is invconv's with the actnorms added (2·8 parameters each).
func TestSameStepsInBothLayouts(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	sz := flow.Sizes{VarDeq: 4, Stage: [3]int{8, 12, 16}, GatedLayers: 1}
	for _, coupling := range []string{"channelwise", "rowwise"} {
		a, err := variants.Cell{variants.Mixing: "glow", variants.Coupling: coupling}.Arch(in, sz)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for i, l := range a.Layers {
			if flow.Kind(l) != "actnorm" {
				continue
			}
			steps = append(steps, l.Label()+" "+l.InShape().String())
			if flow.Kind(a.Layers[i+1]) != "invconv" || flow.Kind(a.Layers[i+2]) != "coupling" {
				t.Errorf("%s: %s is not followed by an invconv and a coupling", coupling, l.Label())
			}
		}
		want := []string{"stage3.actnorm0 8x7x7", "stage3.actnorm1 8x7x7", "stage3.actnorm2 8x7x7", "stage3.actnorm3 8x7x7"}
		if !slices.Equal(steps, want) {
			t.Errorf("%s: actnorms %v, want %v", coupling, steps, want)
		}
		ic, err := variants.Cell{variants.Mixing: "invconv", variants.Coupling: coupling}.Arch(in, sz)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := params(t, a), params(t, ic)+4*2*8; got != want {
			t.Errorf("%s: %d parameters, want invconv's plus 64 = %d", coupling, got, want)
		}
	}
}

func params(t *testing.T, a flow.Arch) int {
	t.Helper()
	m, err := flow.New(a, tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m.NumParams()
}

// The fast engine and the stock-op oracle agree on glow cells: the data-dependent init, then a
// training step's log-likelihoods and every parameter gradient (float32, random weights, real
// variational dequantization).
func TestFastModelMatchesStock(t *testing.T) {
	for _, coupling := range []string{"channelwise", "rowwise"} {
		cell := variants.Cell{variants.Mixing: "glow", variants.Coupling: coupling, variants.Squeeze: "tf-style"}
		a, err := cell.Arch(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{VarDeq: 3, Stage: [3]int{4, 5, 6}, GatedLayers: 2})
		if err != nil {
			t.Fatal(err)
		}
		pixels := make([]uint8, 6*64)
		prng := rand.New(rand.NewPCG(6, 6))
		for i := range pixels {
			pixels[i] = uint8(prng.IntN(256))
		}
		var names []string
		run := func(e flow.Engine) (params, logpx []float64, grads [][]float64) {
			m, err := flow.New(a, tensor.Float32, 5)
			if err != nil {
				t.Fatal(err)
			}
			m.Randomize(rand.New(rand.NewPCG(5, 5)), flow.RandomScale)
			m.Engine = e
			if n, err := m.InitActNorms(pixels, rand.New(rand.NewPCG(8, 8))); err != nil || n != 4 {
				t.Fatalf("InitActNorms: %d, %v", n, err)
			}
			names = names[:0]
			for _, p := range m.Params {
				params = append(params, float64s(p.Value.Data())...)
				names = append(names, p.Name)
			}
			d, err := m.NewDensity(6, true)
			if err != nil {
				t.Fatal(err)
			}
			if logpx, _, err = d.Run(pixels, rand.New(rand.NewPCG(7, 7))); err != nil {
				t.Fatal(err)
			}
			gs, err := d.Grads()
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gs {
				grads = append(grads, float64s(g.Data()))
			}
			return params, logpx, grads
		}
		wantP, wantLP, wantG := run(flow.Engine{Stock: true})
		gotP, gotLP, gotG := run(flow.Engine{Workers: 2})
		if d := maxRelDiff(gotP, wantP); d > 1e-5 {
			t.Errorf("%s: the initialised parameters differ by %.2e", coupling, d)
		}
		if d := maxRelDiff(gotLP, wantLP); d > 1e-5 {
			t.Errorf("%s: log p(x) differs by %.2e: %v vs %v", coupling, d, gotLP, wantLP)
		}
		worst := 0.0
		for i := range wantG {
			d := maxRelDiff(gotG[i], wantG[i])
			if d > 1e-3 {
				t.Errorf("%s: gradient of %s differs by %.2e", coupling, names[i], d)
			}
			worst = math.Max(worst, d)
		}
		t.Logf("%s: fast vs stock: initialised parameters %.2e, log p(x) %.2e, worst gradient %.2e (of %d)",
			coupling, maxRelDiff(gotP, wantP), maxRelDiff(gotLP, wantLP), worst, len(wantG))
	}
}

func float64s(data any) []float64 {
	var out []float64
	for _, v := range data.([]float32) {
		out = append(out, float64(v))
	}
	return out
}

// maxRelDiff is max |a-b| / (1 + max |b|): relative to the scale of the reference (as flow's own
// fast/stock test measures it).
func maxRelDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var scale, d float64
	for i := range b {
		scale = math.Max(scale, math.Abs(b[i]))
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d / (1 + scale)
}
