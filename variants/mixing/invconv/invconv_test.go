package invconv_test

import (
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/mixing/invconv"
)

func TestMixOnlyWhereChannelsMix(t *testing.T) {
	one := flow.Coupling{Name: "stage2.coupling0", Shape: flow.Shape{C: 1, H: 8, W: 8}}
	if got := (invconv.Mixer{}).Mix(one); got != nil {
		t.Errorf("one-channel coupling: %v, want no invconv", got)
	}
	four := flow.Coupling{Name: "stage3.coupling2", Shape: flow.Shape{C: 4, H: 4, W: 4}}
	got := (invconv.Mixer{}).Mix(four)
	if len(got) != 1 || got[0] != (flow.InvConv{Name: "stage3.invconv2", Shape: four.Shape}) {
		t.Errorf("four-channel coupling: %v, want stage3.invconv2 of shape %s", got, four.Shape)
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
