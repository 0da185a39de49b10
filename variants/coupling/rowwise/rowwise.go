// Package rowwise registers coupling variant "rowwise": stage 2 as 2 couplings with row-stripe
// masks on the full-resolution map (the first conditions on even rows, the second on odd rows),
// followed by the squeeze.
//
// With the tutorial squeeze of a one-channel image this partitions the variables exactly as
// package channelwise does; what differs is the nets' input (1x28x28 rather than 4x14x14), hence
// their receptive field and parameters. That is the "is the squeeze redundant?" question.
package rowwise

import (
	"fmt"

	"squeezebench/flow"
	"squeezebench/variants"
)

// Coupler is 2 row-mask couplings, then the squeeze.
type Coupler struct{}

// Stage implements flow.Coupler.
func (Coupler) Stage(in flow.Shape, sq flow.Squeezer, net flow.Net) []flow.Layer {
	var layers []flow.Layer
	for i := 0; i < 2; i++ {
		layers = append(layers, flow.Coupling{
			Name: fmt.Sprintf("stage2.coupling%d", i), Shape: in, Mask: flow.RowMask(in, i%2 == 1),
			Hidden: net.Hidden, GatedLayers: net.GatedLayers,
		})
	}
	return append(layers, flow.SqueezeLayer("stage2.squeeze", in, sq))
}

func init() {
	variants.Couplers.Register("rowwise",
		"2 row-stripe-mask couplings at full resolution, then squeeze", Coupler{})
}
