package flow

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// channelMajor is the tutorial squeeze, written out here so flow's tests need no variant package.
type channelMajor struct{}

func (channelMajor) Squeeze(in Shape) []int {
	out := Shape{4 * in.C, in.H / 2, in.W / 2}
	idx := make([]int, out.Size())
	for c := 0; c < in.C; c++ {
		for dh := 0; dh < 2; dh++ {
			for dw := 0; dw < 2; dw++ {
				for i := 0; i < out.H; i++ {
					for j := 0; j < out.W; j++ {
						idx[out.Index(4*c+2*dh+dw, i, j)] = in.Index(c, 2*i+dh, 2*j+dw)
					}
				}
			}
		}
	}
	return idx
}

type firstHalf struct{}

func (firstHalf) Split(in Shape, _ Squeezer) (keep, factor []int) {
	half := in.Size() / 2
	for i := 0; i < in.Size(); i++ {
		if i < half {
			keep = append(keep, i)
		} else {
			factor = append(factor, i)
		}
	}
	return keep, factor
}

type squeezeThenChannels struct{}

func (squeezeThenChannels) Stage(in Shape, sq Squeezer, net Net) []Layer {
	s := SqueezeLayer("stage2.squeeze", in, sq)
	return []Layer{s,
		Coupling{Name: "stage2.coupling0", Shape: s.Out, Mask: ChannelMask(s.Out, false), Hidden: net.Hidden, GatedLayers: net.GatedLayers},
		Coupling{Name: "stage2.coupling1", Shape: s.Out, Mask: ChannelMask(s.Out, true), Hidden: net.Hidden, GatedLayers: net.GatedLayers},
	}
}

// testVariants chooses the tiny test variants for Multiscale.
var testVariants = ChoiceFunc(func(bp *Blueprint) {
	bp.Squeeze, bp.Split, bp.Coupling = channelMajor{}, firstHalf{}, squeezeThenChannels{}
})

func tinyModel(t *testing.T, dt tensor.Dtype) *Model {
	t.Helper()
	a, err := Multiscale(Shape{1, 4, 4}, Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}, testVariants)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(a, dt, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCheckTinyModel(t *testing.T) {
	m := tinyModel(t, tensor.Float64)
	rng := rand.New(rand.NewPCG(1, 2))
	m.Randomize(rng, RandomScale)
	res, err := Check(m, 2, rng)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if !res.OK() {
		t.Fatalf("check failed: %+v", res)
	}
}

func TestTutorialParameterCount(t *testing.T) {
	a, err := Multiscale(Shape{1, 28, 28}, TutorialSizes, testVariants)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(a, tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Tutorial 11, cell 50, prints 1,711,818 for the multiscale model.
	if got := m.NumParams(); got != 1711818 {
		t.Fatalf("parameters = %d, want 1711818", got)
	}
}
