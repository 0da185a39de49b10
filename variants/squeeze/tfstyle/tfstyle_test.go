package tfstyle_test

import (
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/internal/imagetest"
	"squeezebench/variants/squeeze/tfstyle"
	"squeezebench/variants/squeeze/tutorial"
)

// Spec worked example: 2x4x4, the tf.nn.space_to_depth column.
func TestSqueeze2x4x4(t *testing.T) {
	in := flow.Shape{C: 2, H: 4, W: 4}
	idx := tfstyle.Squeezer{}.Squeeze(in)
	want := []imagetest.Block{
		imagetest.At(0, 0, 0), imagetest.At(1, 0, 0), imagetest.At(0, 0, 1), imagetest.At(1, 0, 1),
		imagetest.At(0, 1, 0), imagetest.At(1, 1, 0), imagetest.At(0, 1, 1), imagetest.At(1, 1, 1),
	}
	for oc, w := range want {
		got, err := imagetest.BlockOf(in, imagetest.Squeezed(in), idx, oc)
		if err != nil || got != w {
			t.Errorf("output channel %d: %v (%v), want %v", oc, got, err, w)
		}
	}
}

// The spatial-major and channel-major orders coincide for one channel and only then.
func TestVersusTutorial(t *testing.T) {
	for _, s := range imagetest.Shapes() {
		same := slices.Equal(tfstyle.Squeezer{}.Squeeze(s), tutorial.Squeezer{}.Squeeze(s))
		if same != (s.C == 1) {
			t.Errorf("%s: equal to the tutorial squeeze = %v, want %v", s, same, s.C == 1)
		}
	}
}

func TestIsPermutation(t *testing.T) {
	for _, s := range imagetest.Shapes() {
		if idx := (tfstyle.Squeezer{}).Squeeze(s); !imagetest.IsPermutation(idx, s.Size()) {
			t.Errorf("%s: not a permutation", s)
		}
	}
}
