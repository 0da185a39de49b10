// Package tutorial registers the squeeze of Tutorial 11's SqueezeFlow (squeeze variant
// "tutorial"): NCHW reshape(C, H/2, 2, W/2, 2) then permute(0, 1, 3, 5, 2, 4), channel-major.
// Output channel c*4 + 2*dh + dw holds block position (dh, dw) of input channel c.
//
// It is also TF RealNVP's squeeze_2x2 for every C (real_nvp_utils.py transposes NHWC with the
// same interleaving, C outermost), which is why it needs no separate "tf" variant.
package tutorial

import (
	"squeezebench/flow"
	"squeezebench/variants"
	"squeezebench/variants/internal/blockperm"
)

// Squeezer is the channel-major 2x2 squeeze. H and W must be even.
type Squeezer struct{}

// Squeeze implements flow.Squeezer.
func (Squeezer) Squeeze(in flow.Shape) []int {
	return blockperm.Squeeze(in, func(c, dh, dw int) int { return 4*c + 2*dh + dw })
}

func init() {
	variants.Squeezers.Register("tutorial",
		"channel-major permute(0,1,3,5,2,4): out channel c*4+2dh+dw (Tutorial 11 = TF squeeze_2x2)", Squeezer{})
}
