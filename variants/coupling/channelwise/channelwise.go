// Package channelwise registers coupling variant "channelwise": Tutorial 11's stage 2, a squeeze
// followed by 2 couplings with channel masks on the squeezed (4C, H/2, W/2) map (the first
// conditions on the first half of the channels, the second on the other half).
//
// After the tutorial squeeze of a one-channel image these masks partition the pixels as row
// stripes, like package rowwise, but the nets see a 4x14x14 input instead of 1x28x28.
package channelwise

import (
	"fmt"

	"squeezebench/flow"
	"squeezebench/variants"
)

// Coupler is squeeze, then 2 channel-mask couplings.
type Coupler struct{}

// Stage implements flow.Coupler.
func (Coupler) Stage(in flow.Shape, sq flow.Squeezer, net flow.Net) []flow.Layer {
	s := flow.SqueezeLayer("stage2.squeeze", in, sq)
	layers := []flow.Layer{s}
	for i := 0; i < 2; i++ {
		layers = append(layers, flow.Coupling{
			Name: fmt.Sprintf("stage2.coupling%d", i), Shape: s.Out, Mask: flow.ChannelMask(s.Out, i%2 == 1),
			Hidden: net.Hidden, GatedLayers: net.GatedLayers,
		})
	}
	return layers
}

func init() {
	variants.Couplers.Register("channelwise",
		"squeeze, then 2 channel-mask couplings on the 4C x H/2 x W/2 map (Tutorial 11)", Coupler{})
}
