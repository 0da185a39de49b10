package flowtest

import (
	"strings"
	"testing"

	"squeezebench/flow"
)

// smallArch is a hand-made flow on 1x4x4: two checkerboard couplings, a reversing permutation to
// 4x2x2, a split keeping the first half, and a channel coupling on the rest.
func smallArch() flow.Arch {
	in := flow.Shape{C: 1, H: 4, W: 4}
	sq := flow.Shape{C: 4, H: 2, W: 2}
	kept := flow.Shape{C: 2, H: 2, W: 2}
	rev := make([]int, in.Size())
	for i := range rev {
		rev[i] = len(rev) - 1 - i
	}
	var keep, factor []int
	for i := 0; i < sq.Size(); i++ {
		if i < kept.Size() {
			keep = append(keep, i)
		} else {
			factor = append(factor, i)
		}
	}
	coupling := func(name string, s flow.Shape, mask []float64) flow.Coupling {
		return flow.Coupling{Name: name, Shape: s, Mask: mask, Hidden: 2, GatedLayers: 1}
	}
	return flow.Arch{In: in, Layers: []flow.Layer{
		coupling("c0", in, flow.CheckerboardMask(in, false)),
		coupling("c1", in, flow.CheckerboardMask(in, true)),
		flow.Permute{Name: "reverse", In: in, Out: sq, Index: rev},
		flow.Split{Name: "split", In: sq, Kept: kept, Keep: keep, Factor: factor},
		coupling("c2", kept, flow.ChannelMask(kept, false)),
	}}
}

func TestCheckArchPasses(t *testing.T) {
	TestArch(t, smallArch())
}

// A coupling whose network also sees (half of) the positions it transforms is not a flow with a
// triangular Jacobian: CheckArch must fail, and name that layer and only that layer.
func TestCheckArchNamesTheBrokenLayer(t *testing.T) {
	a := smallArch()
	c := a.Layers[1].(flow.Coupling)
	mask := append([]float64(nil), c.Mask...)
	for i, v := range mask {
		if v == 0 {
			mask[i] = 0.5
		}
	}
	c.Name, c.Mask = "broken", mask
	a.Layers[1] = c
	err := CheckArch(a)
	if err == nil {
		t.Fatal("CheckArch passed a coupling whose network sees the transformed positions")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"whole flow", "layer 1 (broken)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %q", want)
		}
	}
	for _, other := range []string{"(c0)", "(c1)", "(reverse)", "(split)", "(c2)"} {
		if strings.Contains(msg, other) {
			t.Errorf("error blames %s, which is fine", other)
		}
	}
}

func TestCheckArchRejectsInvalidArch(t *testing.T) {
	a := smallArch()
	p := a.Layers[2].(flow.Permute)
	p.Index = append([]int(nil), p.Index...)
	p.Index[0] = p.Index[1]
	a.Layers[2] = p
	if err := CheckArch(a); err == nil || !strings.Contains(err.Error(), "invalid arch") {
		t.Errorf("CheckArch on a non-permutation: %v", err)
	}
}
