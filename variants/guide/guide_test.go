// Package guide_test follows "Adding a variant" in variants/README.md step by step: it adds a
// squeeze variant that exists only in this test binary, and shows that the registry, cell names,
// grids, the model builder and the conformance suite pick it up without a change to any other code.
package guide_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/internal/blockperm"
	"squeezebench/variants/varianttest"
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

// Step 3, an exact index test against a worked example: on a 1x4x4 image labelled 4h+w, output
// channel 0 is the tutorial's channel 3, block position (1,1): labels 5, 7, 13, 15.
func TestReversedWorkedExample(t *testing.T) {
	idx := Reversed{}.Squeeze(flow.Shape{C: 1, H: 4, W: 4})
	if got := idx[:4]; !slices.Equal(got, []int{5, 7, 13, 15}) {
		t.Errorf("output channel 0 holds %v, want [5 7 13 15]", got)
	}
}

// Step 3, the conformance suite: every cell with the new squeeze is a bijection with the log-det
// it claims, as a whole and layer by layer (flowtest through varianttest).
func TestConformance(t *testing.T) { varianttest.TestCells(t, variants.Squeeze, "reversed") }

// Step 4: the registry lists it, and the full grid, which `squeezebench check` and `patterns`
// iterate, has a cell with it for every combination of the other axes.
func TestReversedIsRegistered(t *testing.T) {
	names := variants.Names(variants.Squeeze)
	if !slices.Contains(names, "reversed") {
		t.Fatalf("squeeze variants %v lack \"reversed\"", names)
	}
	n := 1
	for _, a := range variants.Axes() {
		n *= len(variants.Names(a))
	}
	cells := variants.AllCells()
	with := varianttest.Cells(variants.Squeeze, "reversed")
	if len(cells) != n || len(with) != n/len(names) || len(with) < 2*2*2 {
		t.Errorf("AllCells has %d cells, %d with the new squeeze; want %d and %d", len(cells), len(with), n, n/len(names))
	}
	grid := variants.Grid(map[variants.Axis][]string{variants.Squeeze: {"tutorial", "reversed"}})
	if len(grid) != 2 || grid[1].String() != "squeeze=reversed,split=channel,coupling=channelwise" || grid[1].Slug() != "reversed_channel_channelwise" {
		t.Errorf("grid over the new squeeze: %v", grid)
	}
}
