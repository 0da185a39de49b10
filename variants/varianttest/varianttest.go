// Package varianttest runs the conformance suite of package flowtest on the cells a variant takes
// part in: one line in the test of every variant package,
//
//	func TestConformance(t *testing.T) { varianttest.TestCells(t, variants.Squeeze, "reversed") }
//
// Each cell's multi-scale model is laid out on a small image (Image, Sizes) and handed to
// flowtest.TestArch, which proves with brute force in float64 that the flow and each of its layers
// is inverted by its reverse and has the log-determinant it claims.
package varianttest

import (
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
)

// Image and Sizes are the model the cells are checked at: the smallest image the multi-scale
// layout accepts (the stage-3 map is 8x1x1) and nets of 3 hidden channels, so that a cell's check
// takes about half a second.
var (
	Image = flow.Shape{C: 1, H: 4, W: 4}
	Sizes = flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}
)

// Cells lists the cells of the full grid (variants.AllCells) in which axis a takes variant name.
func Cells(a variants.Axis, name string) []variants.Cell {
	var out []variants.Cell
	for _, c := range variants.AllCells() {
		if c.Get(a) == name {
			out = append(out, c)
		}
	}
	return out
}

// TestCells runs flowtest.TestArch, one subtest per cell, on every cell in which axis a takes
// variant name. A name no cell takes (it is not registered) is a failure, not a vacuous pass.
func TestCells(t *testing.T, a variants.Axis, name string) {
	t.Helper()
	cells := Cells(a, name)
	if len(cells) == 0 {
		t.Fatalf("no cell has %s variant %q (registered: %v)", a, name, variants.Names(a))
	}
	for _, c := range cells {
		t.Run(c.Slug(), func(t *testing.T) {
			arch, err := c.Arch(Image, Sizes)
			if err != nil {
				t.Fatal(err)
			}
			flowtest.TestArch(t, arch)
		})
	}
}

// CheckFlow is the checker's check (flowtest.Checker.CheckFlow) of the whole flow of cell c laid
// out on the image in with the nets sizes: what `squeezebench check` reports for every cell.
func CheckFlow(ch flowtest.Checker, c variants.Cell, in flow.Shape, sizes flow.Sizes) (flow.CheckResult, error) {
	arch, err := c.Arch(in, sizes)
	if err != nil {
		return flow.CheckResult{}, err
	}
	return ch.CheckFlow(arch)
}
