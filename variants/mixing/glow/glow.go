// Package glow registers mixing variant "glow": Glow's step of flow before every stage-3 coupling,
// an ActNorm (per-channel scale and shift, flow.ActNorm), then an invertible 1x1 convolution
// (flow.InvConv, as in variant invconv), then the coupling.
//
// The layers go where invconv puts its convolutions, before the 4 stage-3 couplings on the 8x7x7
// maps both coupling layouts share, so glow and invconv differ only by the ActNorms, and both
// layouts get the same mixing.
//
// Glow initialises ActNorm from data: on the first minibatch each ActNorm's output has zero mean
// and unit variance per channel. The model starts with the ActNorms as the identity (flow.New) and
// the runner calls flow.Model.InitActNorms on the first minibatch of a fresh run, before its first
// step; a resumed run takes the trained parameters from its checkpoint.
package glow

import (
	"squeezebench/flow"
	"squeezebench/variants"
)

// Mixer inserts a flow.ActNorm and a flow.InvConv before every stage-3 coupling.
type Mixer struct{}

// Mix implements flow.Mixer.
func (Mixer) Mix(c flow.Coupling) []flow.Layer {
	if !flow.InStage3(c) {
		return nil
	}
	return []flow.Layer{
		flow.ActNorm{Name: flow.MixerName(c, "actnorm"), Shape: c.Shape},
		flow.InvConv{Name: flow.MixerName(c, "invconv"), Shape: c.Shape},
	}
}

func init() {
	variants.Mixers.Register("glow",
		"Glow's step: actnorm (data-initialised), then invertible 1x1 conv, before every stage-3 coupling", Mixer{})
}
