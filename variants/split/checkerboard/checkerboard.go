// Package checkerboard registers split variant "checkerboard": TF RealNVP's ordered split
// (real_nvp_multiscale_dataset.py, recursion_type 2). TF unsqueezes the map back to full
// resolution, re-squeezes it with squeeze_2x2_ordered and keeps the first half of the channels:
// the pixels with (h+w) even, in the order [c(0,0) for every c, then c(1,1) for every c]. The
// (h+w)-odd pixels, [c(0,1) ..., c(1,0) ...], are factored out.
//
// The unsqueeze uses the model's own squeezer, so the kept pixels, and their order, are the same
// whatever squeeze the model uses. This package imports variants/squeeze/tfordered, so using it
// also registers the "tf-ordered" squeeze.
package checkerboard

import (
	"squeezebench/flow"
	"squeezebench/variants"
	"squeezebench/variants/internal/blockperm"
	"squeezebench/variants/squeeze/tfordered"
)

// Splitter is TF's checkerboard split. Precondition: in.C is divisible by 4 (in was made by a 2x2
// squeeze) and sq.Squeeze is a permutation. Otherwise Split returns nil tables, which
// flow.Arch.Validate rejects, because flow.Splitter has no error result.
type Splitter struct{}

// Split implements flow.Splitter as a composition of gathers: ordered position j -> full-resolution
// pixel (tf-ordered squeeze) -> position in the model's squeezed map (inverse of sq).
func (Splitter) Split(in flow.Shape, sq flow.Squeezer) (keep, factor []int) {
	if in.C%4 != 0 {
		return nil, nil
	}
	full := flow.Shape{C: in.C / 4, H: 2 * in.H, W: 2 * in.W}
	unsqueeze := blockperm.Inverse(sq.Squeeze(full)) // full-resolution index -> index in the map
	if len(unsqueeze) != in.Size() {
		return nil, nil
	}
	idx := blockperm.Compose(unsqueeze, tfordered.Squeezer{}.Squeeze(full))
	half := len(idx) / 2
	return idx[:half:half], idx[half:]
}

func init() {
	variants.Splitters.Register("checkerboard",
		"TF ordered split: unsqueeze, squeeze_2x2_ordered, keep the (h+w)-even pixels", Splitter{})
}
