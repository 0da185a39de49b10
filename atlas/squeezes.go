package atlas

import (
	"fmt"
	"slices"

	"squeezebench/flow"
	"squeezebench/variants"
)

// SqueezeFacts say which squeezes are the same permutation, and what each does to the worked
// examples.
type SqueezeFacts struct {
	// Classes groups the selected squeezes by identical index tables, at every SqueezeInputs input.
	Classes []SqueezeClasses
	// TutorialIsTFStyle compares the tutorial squeeze with the spatial-major order the question
	// attributed to TF, at the model's first squeeze (C=1) and its second (C=2).
	TutorialIsTFStyleC1, TutorialIsTFStyleC2 Finding
	// TutorialIsTFOrderedC1 compares it with TF's squeeze_2x2_ordered at the first squeeze.
	TutorialIsTFOrderedC1 Finding
	// ChannelOrders is, per worked example, where each output channel of each squeeze comes from.
	ChannelOrders []ChannelOrder
}

// SqueezeClasses are the squeezes grouped by identical permutations of one input.
type SqueezeClasses struct {
	Input   SqueezeInput
	Classes [][]string
}

// ChannelOrder is, for one input, the source of every output channel of every squeeze:
// Sources[k][i] is output channel k of squeeze Squeezes[i].
type ChannelOrder struct {
	In       flow.Shape
	Squeezes []string
	Sources  [][]BlockSource
}

// BlockSource is where a squeeze's output channel comes from: input channel C at position
// (DH, DW) of every 2x2 block.
type BlockSource struct{ C, DH, DW int }

func squeezeFacts(a Atlas) (SqueezeFacts, error) {
	var f SqueezeFacts
	inputs := SqueezeInputs(a.Image)
	for _, in := range inputs {
		groups := groupBy(a.Squeezes, func(s SqueezeTables) string {
			t, _ := s.Table(in.In)
			return fmt.Sprint(t.Index)
		})
		sc := SqueezeClasses{Input: in}
		for _, g := range groups {
			sc.Classes = append(sc.Classes, squeezeNames(g))
		}
		f.Classes = append(f.Classes, sc)
	}
	tutorial, err := named(variants.Squeeze, "tutorial")
	if err != nil {
		return f, err
	}
	tfStyle, err := named(variants.Squeeze, "tf-style")
	if err != nil {
		return f, err
	}
	tfOrdered, err := named(variants.Squeeze, "tf-ordered")
	if err != nil {
		return f, err
	}
	f.TutorialIsTFStyleC1 = a.sameSqueeze(tutorial, tfStyle, inputs[0].In)
	f.TutorialIsTFStyleC2 = a.sameSqueeze(tutorial, tfStyle, inputs[1].In)
	f.TutorialIsTFOrderedC1 = a.sameSqueeze(tutorial, tfOrdered, inputs[0].In)
	for _, ex := range Examples {
		f.ChannelOrders = append(f.ChannelOrders, a.channelOrder(ex))
	}
	return f, nil
}

func squeezeNames(ts []SqueezeTables) []string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return names
}

// squeeze returns the tables of the selected squeeze name.
func (a Atlas) squeeze(name string) (SqueezeTables, bool) {
	for _, s := range a.Squeezes {
		if s.Name == name {
			return s, true
		}
	}
	return SqueezeTables{}, false
}

// sameSqueeze is whether squeezes x and y have one index table at input in; unknown unless both
// are selected.
func (a Atlas) sameSqueeze(x, y string, in flow.Shape) Finding {
	sx, okx := a.squeeze(x)
	sy, oky := a.squeeze(y)
	if !okx || !oky {
		return Finding{}
	}
	tx, _ := sx.Table(in)
	ty, _ := sy.Table(in)
	return finding(slices.Equal(tx.Index, ty.Index))
}

func (a Atlas) channelOrder(in flow.Shape) ChannelOrder {
	co := ChannelOrder{In: in, Squeezes: squeezeNames(a.Squeezes)}
	out := flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2}
	for k := 0; k < out.C; k++ {
		var row []BlockSource
		for _, s := range a.Squeezes {
			t, _ := s.Table(in)
			src := t.Index[out.Index(k, 0, 0)] // block (0,0) tells the channel and block position
			row = append(row, BlockSource{C: src / (in.H * in.W), DH: src / in.W % in.H, DW: src % in.W})
		}
		co.Sources = append(co.Sources, row)
	}
	return co
}
