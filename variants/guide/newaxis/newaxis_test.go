// Package newaxis_test follows "Adding an axis" in variants/README.md: it adds a fifth axis, "flip",
// with two variants, in this test binary only and in this one file, and shows that the registry,
// cell names, grids, the model layout, the fingerprints and the conformance suite pick it up
// without a change to any other file, and that the 36 built-in cells are exactly what they were.
package newaxis_test

import (
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/internal/golden"
	"squeezebench/variants/varianttest"
)

// Step 1: the axis's interface. A Flipper chooses layers to put before a coupling. (An axis whose
// variants are of a kind flow already has, a Squeezer say, uses that interface instead.)
type Flipper interface {
	Before(c flow.Coupling) []flow.Layer
}

// Step 2: the axis: its name, its default, that it is implicit (cells at the default keep their
// names), and how a variant enters a cell's blueprint, here as an edit of the laid-out flow.
const Flip variants.Axis = "flip"

var Flips = variants.NewAxis(Flip, "none", variants.Implicit, func(bp *flow.Blueprint, f Flipper) {
	bp.Edits = append(bp.Edits, flow.BeforeCouplings(f.Before))
})

// Step 3: the variants, and their registration from init (in real life, a package each under
// variants/flip/ and an import line each in variants/all).
type none struct{}

func (none) Before(flow.Coupling) []flow.Layer { return nil }

// reverse puts a Permute reversing the channel order before every stage-3 coupling, so that
// each coupling conditions on the other half of the channels than without it.
type reverse struct{}

func (reverse) Before(c flow.Coupling) []flow.Layer {
	if !strings.HasPrefix(c.Name, "stage3.") {
		return nil
	}
	s := c.Shape
	index := make([]int, 0, s.Size())
	for ch := s.C - 1; ch >= 0; ch-- {
		for i := 0; i < s.H*s.W; i++ {
			index = append(index, ch*s.H*s.W+i)
		}
	}
	return []flow.Layer{flow.Permute{Name: flow.MixerName(c, "flip"), In: s, Out: s, Index: index}}
}

func init() {
	Flips.Register("none", "no flip: the model as before", none{})
	Flips.Register("reverse", "reverse the channel order before every stage-3 coupling", reverse{})
}

// The registry lists the axis last, with its variants and default.
func TestRegistered(t *testing.T) {
	builtin := []variants.Axis{variants.Squeeze, variants.Split, variants.Coupling, variants.Mixing}
	if got := variants.Axes(); got[len(got)-1] != Flip || !slices.Equal(got[:len(builtin)], builtin) {
		t.Errorf("Axes() = %v, want %v, any later built-in axes, then flip", got, builtin)
	}
	if got := variants.Names(Flip); !slices.Equal(got, []string{"none", "reverse"}) || variants.Default(Flip) != "none" {
		t.Errorf("flip: variants %v, default %q", got, variants.Default(Flip))
	}
	if v, err := variants.Lookup(Flip, "reverse"); err != nil || v.Doc == "" {
		t.Errorf("Lookup(flip, reverse) = %+v, %v", v, err)
	}
	if _, err := variants.Lookup(Flip, "rotate"); err == nil || !strings.Contains(err.Error(), "known: none, reverse") {
		t.Errorf("Lookup(flip, rotate): %v, want an error listing none, reverse", err)
	}
	if f, err := Flips.Lookup("reverse"); err != nil || f != (reverse{}) {
		t.Errorf("Flips.Lookup(reverse) = %v, %v", f, err)
	}
}

// At its default the axis is left out of names; otherwise it comes last.
func TestCellNames(t *testing.T) {
	cases := []struct {
		cell      variants.Cell
		str, slug string
	}{
		{variants.Cell{}, "squeeze=tutorial,split=channel,coupling=channelwise", "tutorial_channel_channelwise"},
		{variants.Cell{Flip: "none", variants.Mixing: "invconv"}, "squeeze=tutorial,split=channel,coupling=channelwise,mixing=invconv", "tutorial_channel_channelwise_invconv"},
		{variants.Cell{Flip: "reverse"}, "squeeze=tutorial,split=channel,coupling=channelwise,flip=reverse", "tutorial_channel_channelwise_reverse"},
		{variants.Cell{Flip: "reverse", variants.Mixing: "invconv"}, "squeeze=tutorial,split=channel,coupling=channelwise,mixing=invconv,flip=reverse", "tutorial_channel_channelwise_invconv_reverse"},
	}
	for _, tc := range cases {
		if got := tc.cell.String(); got != tc.str {
			t.Errorf("String = %q, want %q", got, tc.str)
		}
		if got := tc.cell.Slug(); got != tc.slug {
			t.Errorf("Slug = %q, want %q", got, tc.slug)
		}
	}
}

// The full grid doubles (72 cells from the 36 built in); a grid over the axis alone is its two cells.
func TestGrid(t *testing.T) {
	others := map[variants.Axis][]string{}
	for _, a := range variants.Axes() {
		if a != Flip {
			others[a] = variants.Names(a)
		}
	}
	if n, without := len(variants.AllCells()), len(variants.Grid(others)); n != 2*without || without < 36 {
		t.Errorf("AllCells has %d cells, want twice the %d without the axis", n, without)
	}
	g := variants.Grid(map[variants.Axis][]string{Flip: {"none", "reverse"}})
	if len(g) != 2 || g[0].Slug() != "tutorial_channel_channelwise" || g[1].Slug() != "tutorial_channel_channelwise_reverse" {
		t.Errorf("Grid over flip = %v", g)
	}
}

// Every built-in cell, at flip's default, has the name, the model fingerprint and the
// configuration hash it had before the axis existed.
func TestBuiltinCellsUnchanged(t *testing.T) { golden.Check(t) }

// The variant puts its 4 permutations before the stage-3 couplings (after the mixing's invconvs,
// whose axis comes first), which makes another model.
func TestArch(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	sz := flow.Sizes{Stage: [3]int{2, 2, 2}, GatedLayers: 1}
	base, err := variants.Cell{variants.Mixing: "invconv"}.Arch(in, sz)
	if err != nil {
		t.Fatal(err)
	}
	flipped, err := variants.Cell{variants.Mixing: "invconv", Flip: "reverse"}.Arch(in, sz)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, l := range flipped.Layers[len(flipped.Layers)-12:] {
		kinds = append(kinds, l.Label()+":"+flow.Kind(l))
	}
	want := []string{
		"stage3.invconv0:invconv", "stage3.flip0:permute", "stage3.coupling0:coupling",
		"stage3.invconv1:invconv", "stage3.flip1:permute", "stage3.coupling1:coupling",
		"stage3.invconv2:invconv", "stage3.flip2:permute", "stage3.coupling2:coupling",
		"stage3.invconv3:invconv", "stage3.flip3:permute", "stage3.coupling3:coupling",
	}
	if len(flipped.Layers) != len(base.Layers)+4 || !slices.Equal(kinds, want) {
		t.Errorf("%d layers (want %d), stage 3 = %v, want %v", len(flipped.Layers), len(base.Layers)+4, kinds, want)
	}
	if base.Fingerprint() == flipped.Fingerprint() {
		t.Error("the flipped model has the fingerprint of the unflipped one")
	}
	m, err := flow.New(flipped, tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Describe() {
		if strings.HasPrefix(r.Name, "stage3.flip") && (r.Kind != "permute" || r.Params != 0 || r.In != r.Out) {
			t.Errorf("describe row %+v, want a parameter-free permute", r)
		}
	}
}

// The conformance suite runs on the new variant like on any other: the 36 cells it takes part in.
func TestConformance(t *testing.T) { varianttest.TestCells(t, Flip, "reverse") }
