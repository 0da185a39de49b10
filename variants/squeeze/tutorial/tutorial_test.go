package tutorial_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/internal/imagetest"
	"squeezebench/variants/squeeze/tutorial"
)

// Spec worked example: 1x4x4 with labels 4h+w; each output channel's 2x2 map of labels.
func TestSqueeze1x4x4(t *testing.T) {
	in := flow.Shape{C: 1, H: 4, W: 4}
	idx := tutorial.Squeezer{}.Squeeze(in)
	want := [][]int{{0, 2, 8, 10}, {1, 3, 9, 11}, {4, 6, 12, 14}, {5, 7, 13, 15}}
	out := flow.Shape{C: 4, H: 2, W: 2}
	for oc, w := range want {
		if got := imagetest.Channel(out, idx, oc); !slices.Equal(got, w) {
			t.Errorf("output channel %d: labels %v, want %v", oc, got, w)
		}
	}
}

// Spec worked example: 2x4x4, (input channel, block position) of each output channel.
func TestSqueeze2x4x4(t *testing.T) {
	in := flow.Shape{C: 2, H: 4, W: 4}
	idx := tutorial.Squeezer{}.Squeeze(in)
	want := []imagetest.Block{
		imagetest.At(0, 0, 0), imagetest.At(0, 0, 1), imagetest.At(0, 1, 0), imagetest.At(0, 1, 1),
		imagetest.At(1, 0, 0), imagetest.At(1, 0, 1), imagetest.At(1, 1, 0), imagetest.At(1, 1, 1),
	}
	for oc, w := range want {
		got, err := imagetest.BlockOf(in, imagetest.Squeezed(in), idx, oc)
		if err != nil || got != w {
			t.Errorf("output channel %d: %v (%v), want %v", oc, got, err, w)
		}
	}
}

// Notebook cell 44: arange(1,17).view(1,1,4,4) squeezed, printed as HxWxC.
func TestNotebookExample(t *testing.T) {
	in := flow.Shape{C: 1, H: 4, W: 4}
	out := flow.Shape{C: 4, H: 2, W: 2}
	idx := tutorial.Squeezer{}.Squeeze(in)
	want := [2][2][4]int{{{1, 2, 5, 6}, {3, 4, 7, 8}}, {{9, 10, 13, 14}, {11, 12, 15, 16}}}
	var got [2][2][4]int
	for c := 0; c < out.C; c++ {
		for i := 0; i < out.H; i++ {
			for j := 0; j < out.W; j++ {
				got[i][j][c] = idx[out.Index(c, i, j)] + 1 // value of arange(1,17) at that input index
			}
		}
	}
	if got != want {
		t.Errorf("HxWxC = %v, want %v", got, want)
	}
}

func TestIsPermutation(t *testing.T) {
	for _, s := range imagetest.Shapes() {
		if idx := (tutorial.Squeezer{}).Squeeze(s); !imagetest.IsPermutation(idx, s.Size()) {
			t.Errorf("%s: not a permutation", s)
		}
	}
}
