// Package invconv registers mixing variant "invconv": Glow's invertible 1x1 convolution (flow.InvConv,
// LU-parameterised, initialised to a random rotation) before every coupling that acts on a map with
// more than one channel.
//
// In the multi-scale model that is before each stage-3 coupling (8 channels) and, with channelwise
// stage 2, before each stage-2 coupling (4 channels). Stage 1, the dequantization and rowwise
// stage 2 couple one-channel maps, where a 1x1 convolution is a single learnable scale of the whole
// map: it mixes nothing, so none is inserted there. Consequently rowwise+invconv has 4 invconvs
// and channelwise+invconv 6.
//
// An invertible 1x1 convolution W absorbs any channel permutation P that precedes it (W·P is another
// invertible 1x1 convolution), which is why, with this variant, the squeeze orders span the same
// function class and can differ only through initialisation and optimisation.
package invconv

import (
	"squeezebench/flow"
	"squeezebench/variants"
)

// Mixer inserts a flow.InvConv before every coupling on more than one channel.
type Mixer struct{}

// Mix implements flow.Mixer.
func (Mixer) Mix(c flow.Coupling) []flow.Layer {
	if c.Shape.C < 2 {
		return nil
	}
	return []flow.Layer{flow.InvConv{Name: flow.MixerName(c, "invconv"), Shape: c.Shape}}
}

func init() {
	variants.Mixers.Register("invconv",
		"Glow invertible 1x1 conv (LU) before every coupling on C>1 channels (stage-3, channelwise stage-2)", Mixer{})
}
