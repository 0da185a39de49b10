package flow_test

import (
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
)

// The tiny test variants' multi-scale model, through the conformance helper: the one line a
// variant's test needs.
func TestArchTinyVariants(t *testing.T) {
	for _, in := range []flow.Shape{{C: 1, H: 4, W: 4}, {C: 1, H: 8, W: 8}} {
		t.Run(in.String(), func(t *testing.T) {
			a, err := flow.Multiscale(in, flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, flow.TestVariants)
			if err != nil {
				t.Fatal(err)
			}
			flowtest.TestArch(t, a)
		})
	}
}

// An InvConv alone, on shapes with 1 to 8 channels, and the tiny model with invconvs before its
// channel couplings.
func TestArchInvConv(t *testing.T) {
	for _, s := range []flow.Shape{{C: 1, H: 3, W: 2}, {C: 2, H: 2, W: 3}, {C: 4, H: 2, W: 2}, {C: 8, H: 1, W: 2}} {
		flowtest.TestArch(t, flow.Arch{In: s, Layers: []flow.Layer{flow.InvConv{Name: "invconv", Shape: s}}})
	}
	a, err := flow.Multiscale(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, flow.TestVariantsInvConv)
	if err != nil {
		t.Fatal(err)
	}
	flowtest.TestArch(t, a)
}

// An ActNorm alone (with random logs and bias: flowtest randomises every parameter), on shapes
// with 1 to 8 channels, and the tiny model with Glow's step before its stage-3 couplings.
func TestArchActNorm(t *testing.T) {
	for _, s := range []flow.Shape{{C: 1, H: 3, W: 2}, {C: 2, H: 2, W: 3}, {C: 8, H: 1, W: 2}} {
		flowtest.TestArch(t, flow.Arch{In: s, Layers: []flow.Layer{flow.ActNorm{Name: "actnorm", Shape: s}}})
	}
	a, err := flow.Multiscale(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, flow.TestVariantsGlow)
	if err != nil {
		t.Fatal(err)
	}
	flowtest.TestArch(t, a)
}
