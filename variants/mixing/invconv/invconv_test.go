package invconv_test

import (
	"slices"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/mixing/invconv"
)

// Only stage-3 couplings get an invconv, whatever their channels: not stage 1's nor stage 2's,
// also where stage 2 couples four channels (channelwise).
func TestMixOnlyBeforeStage3(t *testing.T) {
	for _, c := range []flow.Coupling{
		{Name: "stage1.coupling0", Shape: flow.Shape{C: 1, H: 8, W: 8}},
		{Name: "stage2.coupling0", Shape: flow.Shape{C: 1, H: 8, W: 8}},
		{Name: "stage2.coupling1", Shape: flow.Shape{C: 4, H: 4, W: 4}},
	} {
		if got := (invconv.Mixer{}).Mix(c); got != nil {
			t.Errorf("%s (%s): %v, want no invconv", c.Name, c.Shape, got)
		}
	}
	s3 := flow.Coupling{Name: "stage3.coupling2", Shape: flow.Shape{C: 8, H: 2, W: 2}}
	got := (invconv.Mixer{}).Mix(s3)
	if len(got) != 1 || got[0] != (flow.InvConv{Name: "stage3.invconv2", Shape: s3.Shape}) {
		t.Errorf("stage-3 coupling: %v, want stage3.invconv2 of shape %s", got, s3.Shape)
	}
}

// On MNIST both coupling layouts get the same invconvs: one before each of the 4 stage-3
// couplings, on 8x7x7, and nothing else changes place.
func TestSameInvConvsInBothLayouts(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	for _, coupling := range []string{"channelwise", "rowwise"} {
		cell := variants.Cell{variants.Mixing: "invconv", variants.Coupling: coupling}
		a, err := cell.Arch(in, flow.Sizes{Stage: [3]int{3, 3, 3}, GatedLayers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, l := range a.Layers {
			if flow.Kind(l) != "invconv" {
				continue
			}
			got = append(got, l.Label()+" "+l.InShape().String())
			if next, ok := a.Layers[i+1].(flow.Coupling); !ok || next.Name != strings.Replace(l.Label(), "invconv", "coupling", 1) {
				t.Errorf("%s: %s is not followed by its coupling", coupling, l.Label())
			}
		}
		want := []string{"stage3.invconv0 8x7x7", "stage3.invconv1 8x7x7", "stage3.invconv2 8x7x7", "stage3.invconv3 8x7x7"}
		if !slices.Equal(got, want) {
			t.Errorf("%s: invconvs %v, want %v", coupling, got, want)
		}
	}
}

// Both stage-2 couplers with invconv mixing pass the conformance suite (whole flow and every layer).
func TestArch(t *testing.T) {
	for _, coupling := range []string{"channelwise", "rowwise"} {
		cell := variants.Cell{variants.Mixing: "invconv", variants.Coupling: coupling, variants.Squeeze: "tf-style"}
		a, err := cell.Arch(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{Stage: [3]int{3, 3, 3}, GatedLayers: 1})
		if err != nil {
			t.Fatal(err)
		}
		flowtest.TestArch(t, a)
	}
}
