// Package imagetest has helpers for the variant tests: they express index tables in image
// coordinates so tests can be written against the worked examples of the spec.
package imagetest

import (
	"fmt"
	"slices"

	"squeezebench/flow"
)

// Coord is the (c, h, w) of flat index i of shape s.
func Coord(s flow.Shape, i int) (c, h, w int) {
	return i / (s.H * s.W), i / s.W % s.H, i % s.W
}

// Channel returns the entries of table idx (over shape out) that belong to output channel oc, row-major.
func Channel(out flow.Shape, idx []int, oc int) []int {
	n := out.H * out.W
	return idx[oc*n : (oc+1)*n]
}

// Block is one output channel of a squeeze: which input channel and 2x2 block position it holds.
type Block struct{ C, DH, DW int }

// At is the Block of input channel c at block position (dh, dw).
func At(c, dh, dw int) Block { return Block{C: c, DH: dh, DW: dw} }

func (b Block) String() string { return fmt.Sprintf("c%d(%d,%d)", b.C, b.DH, b.DW) }

// BlockOf reports the (input channel, block position) that channel oc of out holds, where idx
// maps out (a squeeze of in, or a half of one) to flat indices of in; an error if the channel
// mixes several of them.
func BlockOf(in, out flow.Shape, idx []int, oc int) (Block, error) {
	var first Block
	for k, src := range Channel(out, idx, oc) {
		i, j := k/out.W, k%out.W
		c, h, w := Coord(in, src)
		b := Block{C: c, DH: h - 2*i, DW: w - 2*j}
		if k == 0 {
			first = b
		} else if b != first {
			return Block{}, fmt.Errorf("channel %d mixes %v and %v", oc, first, b)
		}
	}
	return first, nil
}

// Squeezed is the shape a 2x2 squeeze makes of in.
func Squeezed(in flow.Shape) flow.Shape { return flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2} }

// IsPermutation reports whether p holds each of 0..n-1 exactly once.
func IsPermutation(p []int, n int) bool {
	if len(p) != n {
		return false
	}
	seen := make([]bool, n)
	for _, v := range p {
		if v < 0 || v >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// Set is a sorted copy of a list of indices, for comparing which elements a table selects
// regardless of order.
func Set(xs []int) []int {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// Shapes are the shapes every squeeze must permute: C in {1, 2, 3, 8}, H and W in {2, 4, 6}.
func Shapes() []flow.Shape {
	var out []flow.Shape
	for _, c := range []int{1, 2, 3, 8} {
		for _, h := range []int{2, 4, 6} {
			for _, w := range []int{2, 4, 6} {
				out = append(out, flow.Shape{C: c, H: h, W: w})
			}
		}
	}
	return out
}

// ToImage maps indices into the squeezed map sq makes of img back to flat indices of img.
func ToImage(sq flow.Squeezer, img flow.Shape, idx []int) []int {
	p := sq.Squeeze(img)
	out := make([]int, len(idx))
	for i, v := range idx {
		out[i] = p[v]
	}
	return out
}

// Span is lo, lo+1, ..., hi-1.
func Span(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}
