// Package tfordered registers squeeze variant "tf-ordered": TF RealNVP's squeeze_2x2_ordered.
// Output channel k*C + c holds input channel c at the k-th block position in the order
// (0,0), (1,1), (0,1), (1,0): spatial-major with the diagonal pair first.
//
// TF builds it as a stride-2 conv with a fixed 0/1 filter (SQUEEZE_MATRIX) followed by a channel
// shuffle; both are permutations, so here it is one index table. Because the diagonal pair comes
// first, keeping the first half of its channels keeps exactly the (h+w)-even pixels: TF's
// checkerboard split (see package variants/split/checkerboard).
package tfordered

import (
	"squeezebench/flow"
	"squeezebench/variants"
	"squeezebench/variants/internal/blockperm"
)

// slot is the rank k of block position 2*dh+dw in TF's order (0,0), (1,1), (0,1), (1,0).
var slot = [4]int{0, 2, 3, 1}

// Squeezer is squeeze_2x2_ordered. H and W must be even.
type Squeezer struct{}

// Squeeze implements flow.Squeezer.
func (Squeezer) Squeeze(in flow.Shape) []int {
	return blockperm.Squeeze(in, func(c, dh, dw int) int { return slot[2*dh+dw]*in.C + c })
}

func init() {
	variants.Squeezers.Register("tf-ordered",
		"TF squeeze_2x2_ordered: out channel k*C+c, block positions k in order (0,0),(1,1),(0,1),(1,0)", Squeezer{})
}
