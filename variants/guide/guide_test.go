// Package guide_test follows variants/README.md step by step: it adds a squeeze variant that
// exists only in this test binary, and shows that the registry, cell names, grids, the model
// builder and the brute-force check pick it up without a change to any other code.
package guide_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/internal/blockperm"
)

// Step 1: the implementation. Reversed is the tutorial squeeze with its output channels in reverse
// order: output channel 4C-1 - (4c + 2dh + dw).
type Reversed struct{}

func (Reversed) Squeeze(in flow.Shape) []int {
	return blockperm.Squeeze(in, func(c, dh, dw int) int { return 4*in.C - 1 - (4*c + 2*dh + dw) })
}

// Step 2: registration from init, as a variant package does.
func init() {
	variants.Squeezers.Register("reversed", "tutorial squeeze with the output channels reversed (guide example)", Reversed{})
}

// Step 3: an exact index test against a worked example. On a 1x4x4 image labelled 4h+w, output
// channel 0 is the tutorial's channel 3, block position (1,1): labels 5, 7, 13, 15.
func TestReversedWorkedExample(t *testing.T) {
	idx := Reversed{}.Squeeze(flow.Shape{C: 1, H: 4, W: 4})
	if got := idx[:4]; !slices.Equal(got, []int{5, 7, 13, 15}) {
		t.Errorf("output channel 0 holds %v, want [5 7 13 15]", got)
	}
}

// Step 4: the registry lists it, and the full grid now has 4 squeezes.
func TestReversedIsRegistered(t *testing.T) {
	if !slices.Contains(variants.Names(variants.Squeeze), "reversed") {
		t.Fatalf("squeeze variants %v lack \"reversed\"", variants.Names(variants.Squeeze))
	}
	n := 1
	for _, a := range variants.Axes() {
		n *= len(variants.Names(a))
	}
	cells := variants.AllCells()
	if len(cells) != n || n != 4*2*2*2 {
		t.Errorf("AllCells has %d cells, want %d = 4 squeezes x 2 splits x 2 couplings x 2 mixings", len(cells), n)
	}
	grid := variants.Grid(map[variants.Axis][]string{variants.Squeeze: {"tutorial", "reversed"}})
	if len(grid) != 2 || grid[1].String() != "squeeze=reversed,split=channel,coupling=channelwise" || grid[1].Slug() != "reversed_channel_channelwise" {
		t.Errorf("grid over the new squeeze: %v", grid)
	}
}

// Step 5: every cell with the new squeeze is a bijection with the log-det it claims: the check
// that `squeezebench check` runs (it iterates variants.AllCells()), here through flowtest, which also
// checks each layer alone.
func TestReversedPassesTheCheck(t *testing.T) {
	sizes := flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}
	checked := 0
	for _, cell := range variants.AllCells() {
		if cell.Get(variants.Squeeze) != "reversed" {
			continue
		}
		a, err := cell.Arch(flow.Shape{C: 1, H: 4, W: 4}, sizes)
		if err != nil {
			t.Fatalf("%s: %v", cell, err)
		}
		if err := flowtest.CheckArch(a); err != nil {
			t.Errorf("%s: %v", cell, err)
		}
		checked++
	}
	if checked != 2*2*2 {
		t.Errorf("checked %d cells with the new squeeze, want 8", checked)
	}
}
