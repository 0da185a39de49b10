package rowwise_test

import (
	"fmt"
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/coupling/channelwise"
	"squeezebench/variants/coupling/rowwise"
	"squeezebench/variants/squeeze/tutorial"
)

var net = flow.Net{Hidden: 48, GatedLayers: 3}

// Layers: 2 row-mask couplings at full resolution, then the squeeze.
func TestLayers(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	out := flow.Shape{C: 4, H: 14, W: 14}
	sq := tutorial.Squeezer{}
	layers := rowwise.Coupler{}.Stage(in, sq, net)
	if len(layers) != 3 {
		t.Fatalf("%d layers, want 3", len(layers))
	}
	for i, l := range layers[:2] {
		c, ok := l.(flow.Coupling)
		if !ok || c.Name != fmt.Sprintf("stage2.coupling%d", i) || c.Shape != in || c.Hidden != 48 || c.GatedLayers != 3 || c.CondChannels != 0 {
			t.Errorf("layer %d = %+v", i, l)
			continue
		}
		if !slices.Equal(c.Mask, flow.RowMask(in, i%2 == 1)) {
			t.Errorf("layer %d: mask is not the row mask invert=%v", i, i%2 == 1)
		}
	}
	p, ok := layers[2].(flow.Permute)
	if !ok || p.Name != "stage2.squeeze" || p.In != in || p.Out != out || !slices.Equal(p.Index, sq.Squeeze(in)) {
		t.Errorf("layer 2 = %s %s->%s, want stage2.squeeze %s->%s", layers[2].Label(), layers[2].InShape(), layers[2].OutShape(), in, out)
	}
	if err := (flow.Arch{In: in, Layers: layers}).Validate(); err != nil {
		t.Error(err)
	}
}

// With the tutorial squeeze of one channel, rowwise and channelwise transform the same variables
// in the same order: only the nets' view of them differs.
func TestSamePartitionAsChannelwise(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	sq := tutorial.Squeezer{}
	p := sq.Squeeze(in)
	rows := rowwise.Coupler{}.Stage(in, sq, net)
	chans := channelwise.Coupler{}.Stage(in, sq, net)
	for i := 0; i < 2; i++ {
		rm := rows[i].(flow.Coupling).Mask
		cm := chans[i+1].(flow.Coupling).Mask
		for j, v := range cm {
			if rm[p[j]] != v {
				t.Fatalf("coupling %d: squeezed element %d has mask %v, image pixel %d has %v", i, j, v, p[j], rm[p[j]])
			}
		}
	}
}
