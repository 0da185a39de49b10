package flow

import (
	"fmt"
	"strings"
)

// Multiscale lays out Tutorial 11's multi-scale flow on images of shape in with sizes sz, from the
// Blueprint the choices make (applied in order): variational dequantization (4 checkerboard
// couplings), 2 checkerboard couplings, stage 2 (from the coupler), the split, a squeeze, and 4
// channel couplings; then the Blueprint's Edits in order (a mixing, for one, inserts its layers
// before each coupling of the flow, not of the dequantization).
func Multiscale(in Shape, sz Sizes, choices ...Choice) (Arch, error) {
	bp := Blueprint{In: in, Sizes: sz}
	for _, c := range choices {
		c.Choose(&bp)
	}
	return bp.Layout()
}

// Layout lays out the multi-scale flow of the Blueprint (see Multiscale) and validates it.
func (bp Blueprint) Layout() (Arch, error) {
	in, sz := bp.In, bp.Sizes
	if in.H%4 != 0 || in.W%4 != 0 {
		return Arch{}, fmt.Errorf("multiscale model: image %s must have height and width divisible by 4", in)
	}
	if err := bp.check(); err != nil {
		return Arch{}, err
	}
	a := Arch{In: in}
	if sz.VarDeq > 0 {
		for i := 0; i < 4; i++ {
			a.VarDeq = append(a.VarDeq, Coupling{
				Name: fmt.Sprintf("vardeq.%d", i), Shape: in, Mask: CheckerboardMask(in, i%2 == 1),
				Hidden: sz.VarDeq, GatedLayers: sz.GatedLayers, CondChannels: in.C,
			})
		}
	}
	for i := 0; i < 2; i++ {
		a.Layers = append(a.Layers, Coupling{
			Name: fmt.Sprintf("stage1.coupling%d", i), Shape: in, Mask: CheckerboardMask(in, i%2 == 1),
			Hidden: sz.Stage[0], GatedLayers: sz.GatedLayers,
		})
	}
	stage2 := bp.Coupling.Stage(in, bp.Squeeze, Net{Hidden: sz.Stage[1], GatedLayers: sz.GatedLayers})
	if len(stage2) == 0 {
		return Arch{}, fmt.Errorf("multiscale model: the coupler's stage 2 has no layers")
	}
	a.Layers = append(a.Layers, stage2...)
	s2 := stage2[len(stage2)-1].OutShape()
	keep, factor := bp.Split.Split(s2, bp.Squeeze)
	kept := Shape{s2.C / 2, s2.H, s2.W}
	a.Layers = append(a.Layers, Split{Name: "split", In: s2, Kept: kept, Keep: keep, Factor: factor})
	sq := SqueezeLayer(stage3+"squeeze", kept, bp.Squeeze)
	a.Layers = append(a.Layers, sq)
	for i := 0; i < 4; i++ {
		a.Layers = append(a.Layers, Coupling{
			Name: fmt.Sprintf("%scoupling%d", stage3, i), Shape: sq.Out, Mask: ChannelMask(sq.Out, i%2 == 1),
			Hidden: sz.Stage[2], GatedLayers: sz.GatedLayers,
		})
	}
	for _, e := range bp.Edits {
		a.Layers = e(a.Layers)
	}
	return a, a.Validate()
}

// InStage3 reports whether c is one of the stage-3 couplings Layout lays out (named
// stage3.couplingN): those on the map after the second squeeze (8x7x7 on MNIST), which every
// stage-2 coupler leads to, so a layer put before them is put at the same places in every cell.
func InStage3(c Coupling) bool { return strings.HasPrefix(c.Name, stage3) }

const stage3 = "stage3."

// SqueezeLayer is the Permute that squeezes in with sq.
func SqueezeLayer(name string, in Shape, sq Squeezer) Permute {
	return Permute{Name: name, In: in, Out: Shape{4 * in.C, in.H / 2, in.W / 2}, Index: sq.Squeeze(in)}
}

// CheckerboardMask is the tutorial's create_checkerboard_mask: pixels with (h+w) odd condition,
// (h+w) even are transformed; invert swaps the roles.
func CheckerboardMask(s Shape, invert bool) []float64 {
	return maskBy(s, invert, func(c, h, w int) bool { return (h+w)%2 == 1 })
}

// ChannelMask is the tutorial's create_channel_mask: the first half of the channels conditions.
func ChannelMask(s Shape, invert bool) []float64 {
	return maskBy(s, invert, func(c, h, w int) bool { return c < s.C/2 })
}

// RowMask conditions on even rows (odd rows with invert): the partition a channel mask induces
// after the tutorial squeeze of a one-channel map.
func RowMask(s Shape, invert bool) []float64 {
	return maskBy(s, invert, func(c, h, w int) bool { return h%2 == 0 })
}

func maskBy(s Shape, invert bool, conditions func(c, h, w int) bool) []float64 {
	m := make([]float64, s.Size())
	for c := 0; c < s.C; c++ {
		for h := 0; h < s.H; h++ {
			for w := 0; w < s.W; w++ {
				if conditions(c, h, w) != invert {
					m[s.Index(c, h, w)] = 1
				}
			}
		}
	}
	return m
}
