package variants_test

import (
	"testing"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/internal/golden"
)

// Among the built-in cells exactly the tf-ordered squeeze's two splits are one model (for every
// coupling and mixing), at both the small and the tutorial size; the tutorial and tf-style
// squeezes agree on one channel but not on the second squeeze, so they are not twins.
func TestBuiltinTwinsAreTheTFOrderedSplits(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	for _, sz := range []flow.Sizes{{VarDeq: 4, Stage: [3]int{8, 12, 16}, GatedLayers: 1}, flow.TutorialSizes} {
		cells := variants.Grid(golden.Builtin)
		primary, err := variants.Primaries(cells, in, sz)
		if err != nil {
			t.Fatal(err)
		}
		pairs := 0
		for i, p := range primary {
			if p == i {
				continue
			}
			a, b := cells[p], cells[i]
			pairs++
			if a.Get(variants.Squeeze) != "tf-ordered" || b.Get(variants.Squeeze) != "tf-ordered" {
				t.Errorf("%s and %s are twins, but only tf-ordered cells should be", a, b)
			}
			if a.Get(variants.Split) == b.Get(variants.Split) {
				t.Errorf("%s and %s are twins with the same split", a, b)
			}
			for _, ax := range []variants.Axis{variants.Coupling, variants.Mixing} {
				if a.Get(ax) != b.Get(ax) {
					t.Errorf("%s and %s are twins across %s levels", a, b, ax)
				}
			}
		}
		want := len(golden.Builtin[variants.Coupling]) * len(golden.Builtin[variants.Mixing])
		if pairs != want {
			t.Errorf("sizes %+v: %d twin pairs, want %d (tf-ordered channel/checkerboard for each coupling x mixing)", sz, pairs, want)
		}
	}
}

// A change anywhere in the architecture changes the fingerprint: one mask entry, one index.
func TestFingerprintSeesEveryField(t *testing.T) {
	in := flow.Shape{C: 1, H: 8, W: 8}
	sz := flow.Sizes{VarDeq: 2, Stage: [3]int{2, 3, 4}, GatedLayers: 1}
	a, err := variants.Cell{}.Arch(in, sz)
	if err != nil {
		t.Fatal(err)
	}
	base := a.Fingerprint()
	if a.Fingerprint() != base {
		t.Fatal("fingerprint is not deterministic")
	}
	mutate := map[string]func(flow.Arch) flow.Arch{
		"a coupling mask entry": func(x flow.Arch) flow.Arch {
			c := x.Layers[0].(flow.Coupling)
			c.Mask = append([]float64(nil), c.Mask...)
			c.Mask[0] = 1 - c.Mask[0]
			x.Layers = append([]flow.Layer{c}, x.Layers[1:]...)
			return x
		},
		"hidden channels": func(x flow.Arch) flow.Arch {
			c := x.Layers[0].(flow.Coupling)
			c.Hidden++
			x.Layers = append([]flow.Layer{c}, x.Layers[1:]...)
			return x
		},
		"a permutation index": func(x flow.Arch) flow.Arch {
			out := append([]flow.Layer(nil), x.Layers...)
			for i, l := range out {
				if p, ok := l.(flow.Permute); ok {
					p.Index = append([]int(nil), p.Index...)
					p.Index[0], p.Index[1] = p.Index[1], p.Index[0]
					out[i] = p
					break
				}
			}
			x.Layers = out
			return x
		},
		"the dequantization": func(x flow.Arch) flow.Arch { x.VarDeq = x.VarDeq[:len(x.VarDeq)-1]; return x },
	}
	for what, f := range mutate {
		if f(a).Fingerprint() == base {
			t.Errorf("changing %s leaves the fingerprint unchanged", what)
		}
	}
}
