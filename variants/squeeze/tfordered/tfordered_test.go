package tfordered_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/internal/imagetest"
	"squeezebench/variants/squeeze/tfordered"
	"squeezebench/variants/squeeze/tutorial"
)

// Spec worked example: 1x4x4 with labels 4h+w; each output channel's 2x2 map of labels.
func TestSqueeze1x4x4(t *testing.T) {
	in := flow.Shape{C: 1, H: 4, W: 4}
	idx := tfordered.Squeezer{}.Squeeze(in)
	want := [][]int{{0, 2, 8, 10}, {5, 7, 13, 15}, {1, 3, 9, 11}, {4, 6, 12, 14}}
	out := flow.Shape{C: 4, H: 2, W: 2}
	for oc, w := range want {
		if got := imagetest.Channel(out, idx, oc); !slices.Equal(got, w) {
			t.Errorf("output channel %d: labels %v, want %v", oc, got, w)
		}
	}
}

// Spec worked example: 2x4x4, the squeeze_2x2_ordered column.
func TestSqueeze2x4x4(t *testing.T) {
	in := flow.Shape{C: 2, H: 4, W: 4}
	idx := tfordered.Squeezer{}.Squeeze(in)
	want := []imagetest.Block{
		imagetest.At(0, 0, 0), imagetest.At(1, 0, 0), imagetest.At(0, 1, 1), imagetest.At(1, 1, 1),
		imagetest.At(0, 0, 1), imagetest.At(1, 0, 1), imagetest.At(0, 1, 0), imagetest.At(1, 1, 0),
	}
	for oc, w := range want {
		got, err := imagetest.BlockOf(in, imagetest.Squeezed(in), idx, oc)
		if err != nil || got != w {
			t.Errorf("output channel %d: %v (%v), want %v", oc, got, err, w)
		}
	}
}

// The spec's NCHW formula: permute(0,3,5,1,2,4) to (4, C, H/2, W/2), then take slots [0,3,1,2].
func TestNCHWFormula(t *testing.T) {
	for _, in := range imagetest.Shapes() {
		h2, w2 := in.H/2, in.W/2
		var want []int
		for _, k := range []int{0, 3, 1, 2} { // k = 2*dh+dw
			for c := 0; c < in.C; c++ {
				for i := 0; i < h2; i++ {
					for j := 0; j < w2; j++ {
						want = append(want, in.Index(c, 2*i+k/2, 2*j+k%2))
					}
				}
			}
		}
		if got := (tfordered.Squeezer{}).Squeeze(in); !slices.Equal(got, want) {
			t.Errorf("%s: differs from the NCHW formula", in)
		}
	}
}

// squeeze_2x2_ordered differs from squeeze_2x2 already for one channel.
func TestDiffersFromTutorial(t *testing.T) {
	for _, s := range imagetest.Shapes() {
		if slices.Equal(tfordered.Squeezer{}.Squeeze(s), tutorial.Squeezer{}.Squeeze(s)) {
			t.Errorf("%s: equal to the tutorial squeeze", s)
		}
	}
}

func TestIsPermutation(t *testing.T) {
	for _, s := range imagetest.Shapes() {
		if idx := (tfordered.Squeezer{}).Squeeze(s); !imagetest.IsPermutation(idx, s.Size()) {
			t.Errorf("%s: not a permutation", s)
		}
	}
}
