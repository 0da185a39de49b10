// Package channel registers split variant "channel": Tutorial 11's SplitFlow, z.chunk(2, dim=1).
// The first half of the channels is kept, in order, and the second half is factored out to the
// prior. Which image pixels that is depends on the squeeze that made the channels: after the
// tutorial squeeze of a one-channel image it keeps the even rows.
package channel

import (
	"squeezebench/flow"
	"squeezebench/variants"
)

// Splitter keeps channels 0..C/2-1. C should be even; for odd C it keeps the first C/2 (rounded
// down) channels, matching the kept shape flow.Multiscale declares.
type Splitter struct{}

// Split implements flow.Splitter; sq is not needed, the split works on channels as they are.
func (Splitter) Split(in flow.Shape, _ flow.Squeezer) (keep, factor []int) {
	n := (in.C / 2) * in.H * in.W
	keep = make([]int, n)
	factor = make([]int, in.Size()-n)
	for i := range keep {
		keep[i] = i
	}
	for i := range factor {
		factor[i] = n + i
	}
	return keep, factor
}

func init() {
	variants.Splitters.Register("channel",
		"keep the first half of the channels, factor out the second (Tutorial 11 SplitFlow)", Splitter{})
}
