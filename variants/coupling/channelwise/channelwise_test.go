package channelwise_test

import (
	"fmt"
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/coupling/channelwise"
	"squeezebench/variants/squeeze/tfordered"
	"squeezebench/variants/squeeze/tutorial"
)

var net = flow.Net{Hidden: 48, GatedLayers: 3}

// Layers: the squeeze, then 2 channel-mask couplings on the squeezed shape.
func TestLayers(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	out := flow.Shape{C: 4, H: 14, W: 14}
	layers := channelwise.Coupler{}.Stage(in, tutorial.Squeezer{}, net)
	if len(layers) != 3 {
		t.Fatalf("%d layers, want 3", len(layers))
	}
	sq, ok := layers[0].(flow.Permute)
	if !ok || sq.Name != "stage2.squeeze" || sq.In != in || sq.Out != out {
		t.Errorf("layer 0 = %s %s->%s, want stage2.squeeze %s->%s", layers[0].Label(), layers[0].InShape(), layers[0].OutShape(), in, out)
	}
	for i, l := range layers[1:] {
		c, ok := l.(flow.Coupling)
		if !ok || c.Name != fmt.Sprintf("stage2.coupling%d", i) || c.Shape != out || c.Hidden != 48 || c.GatedLayers != 3 || c.CondChannels != 0 {
			t.Errorf("layer %d = %+v", i+1, l)
			continue
		}
		if !slices.Equal(c.Mask, flow.ChannelMask(out, i%2 == 1)) {
			t.Errorf("layer %d: mask is not the channel mask invert=%v", i+1, i%2 == 1)
		}
	}
	if err := (flow.Arch{In: in, Layers: layers}).Validate(); err != nil {
		t.Error(err)
	}
}

// imageMask maps a mask on the squeezed map back to the image the squeeze p was applied to.
func imageMask(p []int, m []float64) []float64 {
	out := make([]float64, len(m))
	for i, v := range m {
		out[p[i]] = v
	}
	return out
}

// After the tutorial squeeze of one channel, the channel masks are row stripes on the image
// (the first coupling conditions on even rows); after squeeze_2x2_ordered they are checkerboards
// (the first conditions on (h+w) even, the tutorial's checkerboard mask inverted).
func TestMasksInImageSpace(t *testing.T) {
	cases := []struct {
		name string
		sq   flow.Squeezer
		want func(s flow.Shape, invert bool) []float64
	}{
		{"tutorial", tutorial.Squeezer{}, flow.RowMask},
		{"tf-ordered", tfordered.Squeezer{}, func(s flow.Shape, inv bool) []float64 { return flow.CheckerboardMask(s, !inv) }},
	}
	for _, tc := range cases {
		for _, in := range []flow.Shape{{C: 1, H: 4, W: 4}, {C: 1, H: 28, W: 28}} {
			p := tc.sq.Squeeze(in)
			for i, l := range (channelwise.Coupler{}).Stage(in, tc.sq, net)[1:] {
				got := imageMask(p, l.(flow.Coupling).Mask)
				if !slices.Equal(got, tc.want(in, i%2 == 1)) {
					t.Errorf("%s %s coupling %d: image mask %v", tc.name, in, i, got)
				}
			}
		}
	}
}
