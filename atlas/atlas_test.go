package atlas_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"squeezebench/atlas"
	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
)

var mnist = flow.Shape{C: 1, H: 28, W: 28}

// builtin is the atlas of every registered cell, built once for the tests that read it.
var builtin = sync.OnceValues(func() (atlas.Atlas, error) {
	sel, err := atlas.Select(nil)
	if err != nil {
		return atlas.Atlas{}, err
	}
	return atlas.Build(sel, mnist)
})

func builtinAtlas(t *testing.T) atlas.Atlas {
	t.Helper()
	a, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSelectDefaultsToEveryVariantDefaultFirst(t *testing.T) {
	sel, err := atlas.Select(map[variants.Axis][]string{variants.Squeeze: {"tf-style", "tutorial"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sel[variants.Squeeze], []string{"tf-style", "tutorial"}) {
		t.Errorf("given squeezes became %v, want them as given", sel[variants.Squeeze])
	}
	for _, a := range variants.Axes()[1:] {
		names := sel[a]
		if names[0] != variants.Default(a) || len(names) != len(variants.Names(a)) {
			t.Errorf("axis %s: %v, want every registered variant with %s first", a, names, variants.Default(a))
		}
	}
}

func TestSelectRejectsUnknownNames(t *testing.T) {
	for _, given := range []map[variants.Axis][]string{
		{variants.Split: {"diagonal"}},
		{"colour": {"red"}},
	} {
		if _, err := atlas.Select(given); err == nil {
			t.Errorf("Select(%v) accepted it", given)
		}
	}
}

func TestBuildTracesEveryCellDefaultFirst(t *testing.T) {
	a := builtinAtlas(t)
	if len(a.Cells) != len(variants.AllCells()) {
		t.Fatalf("%d cells, want every registered cell (%d)", len(a.Cells), len(variants.AllCells()))
	}
	if a.Cells[0].Cell.String() != (variants.Cell{}).String() {
		t.Errorf("first cell %s, want the default cell", a.Cells[0].Cell)
	}
	seen := map[string]bool{}
	for _, cp := range a.Cells {
		if seen[cp.Cell.Slug()] {
			t.Errorf("two cells named %s", cp.Cell.Slug())
		}
		seen[cp.Cell.Slug()] = true
	}
}

// Roles are recorded for the layers that choose between elements, couplings and the split, and
// for no other; every image pixel has one.
func TestLayerRoles(t *testing.T) {
	for _, cp := range builtinAtlas(t).Cells {
		for _, l := range cp.Layers {
			chooses := l.Kind == "coupling" || l.Kind == "split"
			if chooses != (l.Roles != nil) {
				t.Fatalf("%s %s (%s): roles %v", cp.Cell, l.Name, l.Kind, l.Roles != nil)
			}
			if l.Roles != nil && len(l.Roles) != mnist.Size() {
				t.Fatalf("%s %s: %d roles for %d pixels", cp.Cell, l.Name, len(l.Roles), mnist.Size())
			}
			if (l.Mask != "") != (l.Kind == "coupling") {
				t.Errorf("%s %s (%s): mask %q", cp.Cell, l.Name, l.Kind, l.Mask)
			}
		}
	}
}

// With channel mixing (invconv, or glow's ActNorm then invconv), every stage-3 coupling follows
// an invconv, in both coupling layouts; without, none does.
func TestAfterMix(t *testing.T) {
	for _, cp := range builtinAtlas(t).Cells {
		mixed := cp.Cell.Get(variants.Mixing) != "none"
		for _, l := range cp.Panels() {
			want := mixed && l.Kind == "coupling" && strings.HasPrefix(l.Name, "stage3.")
			if l.AfterMix != want {
				t.Errorf("%s %s on %s: after an invconv %v, want %v", cp.Cell, l.Name, l.In, l.AfterMix, want)
			}
		}
	}
}

// The tutorial cell's first stage-2 coupling conditions on the even rows of the image.
func TestTutorialStage2Roles(t *testing.T) {
	l, ok := builtinAtlas(t).Cells[0].Layer("stage2.coupling0")
	if !ok {
		t.Fatal("no stage2.coupling0")
	}
	for h := 0; h < mnist.H; h++ {
		want := strings.Repeat("T", mnist.W)
		if h%2 == 0 {
			want = strings.Repeat("C", mnist.W)
		}
		if got := string(l.Roles[h*mnist.W : (h+1)*mnist.W]); got != want {
			t.Fatalf("row %d: %s, want %s", h, got, want)
		}
	}
}

func TestSqueezeTablesAreTheRegisteredSqueezes(t *testing.T) {
	a := builtinAtlas(t)
	if len(a.Squeezes) != len(variants.Names(variants.Squeeze)) {
		t.Fatalf("%d squeezes tabulated", len(a.Squeezes))
	}
	for _, s := range a.Squeezes {
		sq, err := variants.Squeezers.Lookup(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range atlas.SqueezeInputs(mnist) {
			tab, ok := s.Table(in.In)
			if !ok || !slices.Equal(tab.Index, sq.Squeeze(in.In)) || tab.Out != (flow.Shape{C: 4 * in.In.C, H: in.In.H / 2, W: in.In.W / 2}) {
				t.Errorf("%s at %s: table %v, want the squeezer's", s.Name, in.In, tab)
			}
		}
	}
	if want := len(a.Squeezes) * len(variants.Names(variants.Split)); len(a.Splits) != want {
		t.Errorf("%d split tables, want %d", len(a.Splits), want)
	}
}
