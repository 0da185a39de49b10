package channel_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/internal/imagetest"
	"squeezebench/variants/split/channel"
	"squeezebench/variants/squeeze/tutorial"
)

// Spec split table, tutorial squeeze + SplitFlow, as labels of the unsqueezed image.
func TestSplitTable(t *testing.T) {
	cases := []struct {
		img          flow.Shape
		keep, factor []int
	}{
		{flow.Shape{C: 1, H: 4, W: 4}, []int{0, 1, 2, 3, 8, 9, 10, 11}, []int{4, 5, 6, 7, 12, 13, 14, 15}},
		{flow.Shape{C: 2, H: 4, W: 4}, imagetest.Span(0, 16), imagetest.Span(16, 32)}, // all of c0, then all of c1
	}
	sq := tutorial.Squeezer{}
	for _, tc := range cases {
		keep, factor := channel.Splitter{}.Split(imagetest.Squeezed(tc.img), sq)
		if got := imagetest.Set(imagetest.ToImage(sq, tc.img, keep)); !slices.Equal(got, tc.keep) {
			t.Errorf("%s: keeps %v, want %v", tc.img, got, tc.keep)
		}
		if got := imagetest.Set(imagetest.ToImage(sq, tc.img, factor)); !slices.Equal(got, tc.factor) {
			t.Errorf("%s: factors %v, want %v", tc.img, got, tc.factor)
		}
	}
}

// The kept tensor is the first C/2 channels unchanged, so keep is 0..n/2-1 in order.
func TestKeepsFirstHalfInOrder(t *testing.T) {
	for _, s := range []flow.Shape{{C: 2, H: 1, W: 1}, {C: 4, H: 14, W: 14}, {C: 8, H: 3, W: 5}} {
		keep, factor := channel.Splitter{}.Split(s, nil)
		if !slices.Equal(keep, imagetest.Span(0, s.Size()/2)) || !slices.Equal(factor, imagetest.Span(s.Size()/2, s.Size())) {
			t.Errorf("%s: keep %v factor %v", s, keep, factor)
		}
	}
}
