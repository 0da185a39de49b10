package checkerboard_test

import (
	"fmt"
	"slices"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants/internal/imagetest"
	"squeezebench/variants/split/channel"
	"squeezebench/variants/split/checkerboard"
	"squeezebench/variants/squeeze/tfordered"
	"squeezebench/variants/squeeze/tfstyle"
	"squeezebench/variants/squeeze/tutorial"
)

var squeezers = []struct {
	name string
	sq   flow.Squeezer
}{
	{"tutorial", tutorial.Squeezer{}},
	{"tf-style", tfstyle.Squeezer{}},
	{"tf-ordered", tfordered.Squeezer{}},
}

// split runs the checkerboard split on the map sq makes of img and returns keep and factor as
// flat indices of img.
func split(sq flow.Squeezer, img flow.Shape) (keep, factor []int) {
	k, f := checkerboard.Splitter{}.Split(imagetest.Squeezed(img), sq)
	return imagetest.ToImage(sq, img, k), imagetest.ToImage(sq, img, f)
}

// Spec split table, 1x4x4 (labels 4h+w) with the tutorial squeeze.
func TestSplit1x4x4(t *testing.T) {
	keep, factor := split(tutorial.Squeezer{}, flow.Shape{C: 1, H: 4, W: 4})
	if want := []int{0, 2, 5, 7, 8, 10, 13, 15}; !slices.Equal(imagetest.Set(keep), want) {
		t.Errorf("keeps %v, want %v", imagetest.Set(keep), want)
	}
	if want := []int{1, 3, 4, 6, 9, 11, 12, 14}; !slices.Equal(imagetest.Set(factor), want) {
		t.Errorf("factors %v, want %v", imagetest.Set(factor), want)
	}
}

// Spec split table, 2x4x4: the kept and factored tensors (each 4x2x2), channel by channel,
// as (image channel, block position), for every model squeeze.
func TestSplit2x4x4Order(t *testing.T) {
	img := flow.Shape{C: 2, H: 4, W: 4}
	half := flow.Shape{C: 4, H: 2, W: 2}
	wantKeep := []imagetest.Block{imagetest.At(0, 0, 0), imagetest.At(1, 0, 0), imagetest.At(0, 1, 1), imagetest.At(1, 1, 1)}
	wantFactor := []imagetest.Block{imagetest.At(0, 0, 1), imagetest.At(1, 0, 1), imagetest.At(0, 1, 0), imagetest.At(1, 1, 0)}
	for _, s := range squeezers {
		keep, factor := split(s.sq, img)
		checkBlocks(t, s.name+" keep", img, half, keep, wantKeep)
		checkBlocks(t, s.name+" factor", img, half, factor, wantFactor)
	}
}

func checkBlocks(t *testing.T, what string, img, half flow.Shape, idx []int, want []imagetest.Block) {
	t.Helper()
	for ch, w := range want {
		got, err := imagetest.BlockOf(img, half, idx, ch)
		if err != nil || got != w {
			t.Errorf("%s channel %d: %v (%v), want %v", what, ch, got, err, w)
		}
	}
}

// Whatever the model squeeze, the split keeps the (h+w)-even pixels, in the same order.
func TestIndependentOfModelSqueeze(t *testing.T) {
	for _, img := range []flow.Shape{{C: 1, H: 4, W: 4}, {C: 2, H: 4, W: 6}, {C: 3, H: 8, W: 4}, {C: 1, H: 28, W: 28}} {
		refKeep, refFactor := split(tutorial.Squeezer{}, img)
		if err := checkerboardParity(img, refKeep, refFactor); err != nil {
			t.Errorf("%s: %v", img, err)
		}
		for _, s := range squeezers {
			keep, factor := split(s.sq, img)
			if !slices.Equal(keep, refKeep) || !slices.Equal(factor, refFactor) {
				t.Errorf("%s with %s: differs from the split with the tutorial squeeze", img, s.name)
			}
		}
	}
}

func checkerboardParity(img flow.Shape, keep, factor []int) error {
	if len(keep) != img.Size()/2 || len(factor) != img.Size()/2 {
		return fmt.Errorf("keeps %d and factors %d of %d", len(keep), len(factor), img.Size())
	}
	for _, l := range []struct {
		idx  []int
		even bool
	}{{keep, true}, {factor, false}} {
		for _, i := range l.idx {
			if _, h, w := imagetest.Coord(img, i); ((h+w)%2 == 0) != l.even {
				return fmt.Errorf("pixel %d (h=%d, w=%d) on the wrong side", i, h, w)
			}
		}
	}
	return nil
}

// With squeeze_2x2_ordered the unsqueeze/re-squeeze cancels: the checkerboard split is the
// channel split, index for index.
func TestEqualsChannelSplitAfterOrderedSqueeze(t *testing.T) {
	sq := tfordered.Squeezer{}
	for _, s := range []flow.Shape{{C: 4, H: 2, W: 2}, {C: 8, H: 2, W: 3}, {C: 4, H: 14, W: 14}} {
		ck, cf := checkerboard.Splitter{}.Split(s, sq)
		hk, hf := channel.Splitter{}.Split(s, sq)
		if !slices.Equal(ck, hk) || !slices.Equal(cf, hf) {
			t.Errorf("%s: checkerboard and channel splits differ", s)
		}
	}
}

// A map whose channels are not a multiple of 4 was not made by a 2x2 squeeze: the split returns
// nil tables and flow.Arch.Validate rejects them.
func TestBadChannelsRejected(t *testing.T) {
	in := flow.Shape{C: 2, H: 2, W: 2}
	keep, factor := checkerboard.Splitter{}.Split(in, tutorial.Squeezer{})
	if keep != nil || factor != nil {
		t.Fatalf("got tables %v %v for %s", keep, factor, in)
	}
	a := flow.Arch{In: in, Layers: []flow.Layer{
		flow.Split{Name: "split", In: in, Kept: flow.Shape{C: 1, H: 2, W: 2}, Keep: keep, Factor: factor},
	}}
	if a.Validate() == nil {
		t.Error("Validate accepted a split with nil tables")
	}
}
