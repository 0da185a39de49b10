package varianttest_test

import (
	"fmt"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/flow/flowtest"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/varianttest"
)

// leaky is channelwise stage 2 with a broken first coupling: its network sees half of what it
// transforms (mask 0.5 instead of 0), so its Jacobian is not triangular and its log-det is wrong.
type leaky struct{}

func (leaky) Stage(in flow.Shape, sq flow.Squeezer, net flow.Net) []flow.Layer {
	s := flow.SqueezeLayer("stage2.squeeze", in, sq)
	layers := []flow.Layer{s}
	for i := 0; i < 2; i++ {
		mask := flow.ChannelMask(s.Out, i%2 == 1)
		if i == 0 {
			for j, v := range mask {
				mask[j] = 0.5 + v/2
			}
		}
		layers = append(layers, flow.Coupling{Name: fmt.Sprintf("stage2.coupling%d", i), Shape: s.Out, Mask: mask,
			Hidden: net.Hidden, GatedLayers: net.GatedLayers})
	}
	return layers
}

func init() {
	variants.Couplers.Register("leaky", "broken coupler of varianttest's test", leaky{})
}

func TestCells(t *testing.T) {
	perSqueeze := len(variants.AllCells()) / len(variants.Names(variants.Squeeze))
	if n := len(varianttest.Cells(variants.Squeeze, "tutorial")); n != perSqueeze || n < 2*3*2 {
		t.Errorf("%d cells with the tutorial squeeze, want %d (at least 2 splits x 3 couplings x 2 mixings)", n, perSqueeze)
	}
	if n := len(varianttest.Cells(variants.Squeeze, "nope")); n != 0 {
		t.Errorf("%d cells with an unregistered squeeze", n)
	}
}

// The suite TestCells runs must catch the broken coupler in every cell it takes part in, and
// name the broken layer.
func TestCatchesABrokenVariant(t *testing.T) {
	cells := varianttest.Cells(variants.Coupling, "leaky")
	if want := len(variants.AllCells()) / len(variants.Names(variants.Coupling)); len(cells) != want {
		t.Fatalf("%d cells with the leaky coupler, want %d", len(cells), want)
	}
	for _, c := range cells[:2] { // two suffice: one without and one with mixing
		a, err := c.Arch(varianttest.Image, varianttest.Sizes)
		if err != nil {
			t.Fatal(err)
		}
		err = flowtest.CheckArch(a)
		if err == nil {
			t.Fatalf("%s: the conformance suite passed a coupling that sees what it transforms", c)
		}
		if !strings.Contains(err.Error(), "(stage2.coupling0)") || strings.Contains(err.Error(), "(stage2.coupling1)") {
			t.Errorf("%s: the error does not blame stage2.coupling0 alone:\n%v", c, err)
		}
	}
}

// CheckFlow passes a registered cell, fails the leaky coupler's cell, and refuses a cell of an
// unregistered variant.
func TestCheckFlow(t *testing.T) {
	ch := flowtest.Checker{Samples: 1, Seed: 1}
	res, err := varianttest.CheckFlow(ch, variants.Cell{}, varianttest.Image, varianttest.Sizes)
	if err != nil || !res.OK() || res.Dims != varianttest.Image.C*varianttest.Image.H*varianttest.Image.W || res.Samples != 1 {
		t.Errorf("the default cell: %+v, %v", res, err)
	}
	res, err = varianttest.CheckFlow(ch, variants.Cell{variants.Coupling: "leaky"}, varianttest.Image, varianttest.Sizes)
	if err != nil || res.OK() {
		t.Errorf("the leaky coupler: %+v, %v: want a failed check", res, err)
	}
	if _, err := varianttest.CheckFlow(ch, variants.Cell{variants.Squeeze: "nope"}, varianttest.Image, varianttest.Sizes); err == nil {
		t.Error("a cell of an unregistered squeeze was checked")
	}
}
