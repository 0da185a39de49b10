// Package invconv registers mixing variant "invconv": Glow's invertible 1x1 convolution (flow.InvConv,
// LU-parameterised, initialised to a random rotation) before every stage-3 coupling.
//
// Stage 3 couples the 8x7x7 maps after the second squeeze, which both coupling layouts share, so
// every cell gets the same 4 invconvs at the same places and the coupling x mixing contrast
// compares one mixing, not two. Until issue 14 the variant put one before every coupling on more
// than one channel: that added channelwise stage 2's two 4x14x14 couplings, so channelwise+invconv
// had 6 invconvs and rowwise+invconv 4 (rowwise stage 2 couples the one-channel 28x28 map, where a
// 1x1 convolution is a single scale and mixes nothing), and the contrast mixed the coupling layout
// with the amount of mixing. The rowwise cells' models are unchanged by the move; the channelwise
// ones lost their two stage-2 invconvs.
//
// An invertible 1x1 convolution W absorbs any channel permutation P that precedes it (W·P is another
// invertible 1x1 convolution). The first stage-3 invconv directly follows the second squeeze, the
// only place where the tutorial and tf-style squeezes differ, so with this variant those two span
// the same function class and can differ only through initialisation and optimisation.
package invconv

import (
	"squeezebench/flow"
	"squeezebench/variants"
)

// Mixer inserts a flow.InvConv before every stage-3 coupling.
type Mixer struct{}

// Mix implements flow.Mixer.
func (Mixer) Mix(c flow.Coupling) []flow.Layer {
	if !flow.InStage3(c) {
		return nil
	}
	return []flow.Layer{flow.InvConv{Name: flow.MixerName(c, "invconv"), Shape: c.Shape}}
}

func init() {
	variants.Mixers.Register("invconv",
		"Glow invertible 1x1 conv (LU) before every stage-3 coupling (8x7x7: 4 in both coupling layouts)", Mixer{})
}
