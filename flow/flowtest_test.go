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
