// Package tfstyle registers squeeze variant "tf-style": the spatial-major order the question
// attributed to TF, NCHW permute(0, 3, 5, 1, 2, 4), i.e. output channel (2*dh + dw)*C + c.
//
// This is the order of tf.nn.space_to_depth (NHWC), not of TF RealNVP's squeeze_2x2. It equals
// the tutorial squeeze when C = 1 and differs from C = 2 on, so on one-channel images (MNIST) it
// changes only the multi-scale model's second squeeze, the one of the 2-channel map after the split.
package tfstyle

import (
	"squeezebench/flow"
	"squeezebench/variants"
	"squeezebench/variants/internal/blockperm"
)

// Squeezer is the spatial-major (space_to_depth) 2x2 squeeze. H and W must be even.
type Squeezer struct{}

// Squeeze implements flow.Squeezer.
func (Squeezer) Squeeze(in flow.Shape) []int {
	return blockperm.Squeeze(in, func(c, dh, dw int) int { return (2*dh+dw)*in.C + c })
}

func init() {
	variants.Squeezers.Register("tf-style",
		"spatial-major permute(0,3,5,1,2,4): out channel (2dh+dw)*C+c (tf.nn.space_to_depth order)", Squeezer{})
}
