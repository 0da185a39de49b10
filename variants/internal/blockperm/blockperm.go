// Package blockperm holds the index arithmetic shared by the squeeze and split variants: every
// 2x2 squeeze is the same walk over blocks and differs only in where a block position lands.
package blockperm

import "squeezebench/flow"

// Squeeze returns the index table of a 2x2 squeeze of in (see flow.Squeezer): output element
// (outChannel(c, dh, dw), i, j) takes input element (c, 2i+dh, 2j+dw). outChannel must be a
// bijection from (c, dh, dw) onto 0..4C-1. H and W must be even; otherwise the table misses the
// last row or column and flow.Arch.Validate rejects it.
func Squeeze(in flow.Shape, outChannel func(c, dh, dw int) int) []int {
	out := flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2}
	idx := make([]int, out.Size())
	for c := 0; c < in.C; c++ {
		for dh := 0; dh < 2; dh++ {
			for dw := 0; dw < 2; dw++ {
				oc := outChannel(c, dh, dw)
				for i := 0; i < out.H; i++ {
					for j := 0; j < out.W; j++ {
						idx[out.Index(oc, i, j)] = in.Index(c, 2*i+dh, 2*j+dw)
					}
				}
			}
		}
	}
	return idx
}

// Inverse returns q with q[p[i]] = i, or nil if p is not a permutation of 0..len(p)-1.
func Inverse(p []int) []int {
	q := make([]int, len(p))
	for i := range q {
		q[i] = -1
	}
	for i, v := range p {
		if v < 0 || v >= len(p) || q[v] >= 0 {
			return nil
		}
		q[v] = i
	}
	return q
}

// Compose returns r with r[i] = outer[inner[i]]: first look up inner, then outer. Both are
// gather tables ("element i comes from index t[i]"), so Compose chains two gathers.
func Compose(outer, inner []int) []int {
	r := make([]int, len(inner))
	for i, v := range inner {
		r[i] = outer[v]
	}
	return r
}
