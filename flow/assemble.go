package flow

import "fmt"

// Squeezer is a 2x2 space-to-depth permutation: for an input of shape in, it returns for each
// element of the squeezed (4C, H/2, W/2) map, row-major, the flat index of the input element it takes.
type Squeezer interface {
	Squeeze(in Shape) []int
}

// Splitter chooses which half of a (C, H, W) map is kept and which is factored out to the prior.
// sq is the model's squeezer, the one that made the map. keep lists the kept elements in the order of
// the kept (C/2, H, W) tensor; factor lists the rest.
type Splitter interface {
	Split(in Shape, sq Squeezer) (keep, factor []int)
}

// Coupler builds stage 2 of the multi-scale model: from the full-resolution map in to the squeezed
// (4C, H/2, W/2) map, with its couplings and the squeeze.
type Coupler interface {
	Stage(in Shape, sq Squeezer, net Net) []Layer
}

// Net sizes one GatedConvNet.
type Net struct{ Hidden, GatedLayers int }

// Sizes is the size configuration of the multi-scale model.
type Sizes struct {
	VarDeq      int    `json:"vardeq"` // hidden channels of the variational-dequantization nets (0: uniform dequantization)
	Stage       [3]int `json:"stage"`
	GatedLayers int    `json:"gated_layers"`
}

// TutorialSizes are Tutorial 11's multiscale model: 16/32/48/64 hidden channels, 3 gated layers.
var TutorialSizes = Sizes{VarDeq: 16, Stage: [3]int{32, 48, 64}, GatedLayers: 3}

// Variants are the choices of one cell of the ablation.
type Variants struct {
	Squeeze  Squeezer
	Split    Splitter
	Coupling Coupler
	Mix      Mixer // nil: no channel mixing
}

// Multiscale lays out Tutorial 11's multi-scale flow with the given variants: variational
// dequantization (4 checkerboard couplings), 2 checkerboard couplings, stage 2 (from the coupler),
// the split, a squeeze, and 4 channel couplings. A Mixer, if any, inserts its layers before each
// coupling of the flow (not of the dequantization).
func Multiscale(in Shape, sz Sizes, v Variants) (Arch, error) {
	if in.H%4 != 0 || in.W%4 != 0 {
		return Arch{}, fmt.Errorf("multiscale model: image %s must have height and width divisible by 4", in)
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
	stage2 := v.Coupling.Stage(in, v.Squeeze, Net{Hidden: sz.Stage[1], GatedLayers: sz.GatedLayers})
	a.Layers = append(a.Layers, stage2...)
	s2 := stage2[len(stage2)-1].OutShape()
	keep, factor := v.Split.Split(s2, v.Squeeze)
	kept := Shape{s2.C / 2, s2.H, s2.W}
	a.Layers = append(a.Layers, Split{Name: "split", In: s2, Kept: kept, Keep: keep, Factor: factor})
	sq := SqueezeLayer("stage3.squeeze", kept, v.Squeeze)
	a.Layers = append(a.Layers, sq)
	for i := 0; i < 4; i++ {
		a.Layers = append(a.Layers, Coupling{
			Name: fmt.Sprintf("stage3.coupling%d", i), Shape: sq.Out, Mask: ChannelMask(sq.Out, i%2 == 1),
			Hidden: sz.Stage[2], GatedLayers: sz.GatedLayers,
		})
	}
	if v.Mix != nil {
		a.Layers = mixed(a.Layers, v.Mix)
	}
	return a, a.Validate()
}

// mixed inserts the mixer's layers before every coupling of layers.
func mixed(layers []Layer, mix Mixer) []Layer {
	var out []Layer
	for _, l := range layers {
		if c, ok := l.(Coupling); ok {
			out = append(out, mix.Mix(c)...)
		}
		out = append(out, l)
	}
	return out
}

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

// Validate checks that shapes chain, masks and index tables have the right sizes, and that every
// Permute is a permutation and every Split a partition of its input.
func (a Arch) Validate() error {
	for _, c := range a.VarDeq {
		if err := c.validate(a.In); err != nil {
			return err
		}
	}
	cur := a.In
	for _, l := range a.Layers {
		if l.InShape() != cur {
			return fmt.Errorf("layer %s: input shape %s, but the previous layer gives %s", l.Label(), l.InShape(), cur)
		}
		var err error
		switch l := l.(type) {
		case Coupling:
			err = l.validate(cur)
		case Permute:
			if l.In.Size() != l.Out.Size() {
				err = fmt.Errorf("permute %s: %s and %s differ in size", l.Name, l.In, l.Out)
			} else {
				err = checkPartition(l.Name, l.In.Size(), l.Index)
			}
		case InvConv:
			err = l.validate(cur)
		case Split:
			if len(l.Keep) != l.Kept.Size() {
				err = fmt.Errorf("split %s: keeps %d elements for a %s tensor", l.Name, len(l.Keep), l.Kept)
			} else {
				err = checkPartition(l.Name, l.In.Size(), l.Keep, l.Factor)
			}
		}
		if err != nil {
			return err
		}
		cur = l.OutShape()
	}
	return nil
}

func (c Coupling) validate(in Shape) error {
	if c.Shape != in {
		return fmt.Errorf("coupling %s: shape %s, want %s", c.Name, c.Shape, in)
	}
	if len(c.Mask) != c.Shape.Size() {
		return fmt.Errorf("coupling %s: mask has %d entries, want %d", c.Name, len(c.Mask), c.Shape.Size())
	}
	if c.Hidden < 1 {
		return fmt.Errorf("coupling %s: %d hidden channels, want at least 1", c.Name, c.Hidden)
	}
	return nil
}

// checkPartition reports whether the index lists together cover 0..n-1 exactly once.
func checkPartition(name string, n int, lists ...[]int) error {
	seen := make([]bool, n)
	total := 0
	for _, l := range lists {
		for _, i := range l {
			if i < 0 || i >= n || seen[i] {
				return fmt.Errorf("%s: index %d out of range or repeated (input has %d elements)", name, i, n)
			}
			seen[i] = true
		}
		total += len(l)
	}
	if total != n {
		return fmt.Errorf("%s: covers %d of %d input elements", name, total, n)
	}
	return nil
}
