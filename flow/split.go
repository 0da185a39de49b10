package flow

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Split keeps the input elements Keep (in order, forming a tensor of shape Kept) and factors out
// the elements Factor to the standard-normal prior.
type Split struct {
	Name         string
	In, Kept     Shape
	Keep, Factor []int
}

func (s Split) Label() string   { return s.Name }
func (s Split) InShape() Shape  { return s.In }
func (s Split) OutShape() Shape { return s.Kept }
func (s Split) kind() string    { return "split" }

func (s Split) validate(Shape) error {
	if len(s.Keep) != s.Kept.Size() {
		return fmt.Errorf("split %s: keeps %d elements for a %s tensor", s.Name, len(s.Keep), s.Kept)
	}
	return checkPartition(s.Name, s.In.Size(), s.Keep, s.Factor)
}

// A Split has no parameters: it is its own module.
func (s Split) module(*paramSet) module { return s }

// forward factors out Factor (the prior scores it) and keeps Keep.
func (s Split) forward(_ *builder, st *state) {
	st.factors = append(st.factors, must(Gather(st.z, s.Factor, len(s.Factor))))
	st.z = must(Gather(st.z, s.Keep, s.Kept.C, s.Kept.H, s.Kept.W))
}

// reverse takes the last factored tensor back and puts both halves where they came from.
func (s Split) reverse(_ *builder, st *state) {
	f := st.factors[len(st.factors)-1]
	st.factors = st.factors[:len(st.factors)-1]
	n := st.z.Shape()[0]
	kept := must(G.Reshape(st.z, tensor.Shape{n, len(s.Keep)}))
	both := must(G.Concat(1, kept, f))
	order := append(append([]int(nil), s.Keep...), s.Factor...)
	st.z = must(Gather(both, inverse(order), s.In.C, s.In.H, s.In.W))
}

func (s Split) info() LayerInfo {
	return LayerInfo{Name: s.Name, Kind: fmt.Sprintf("split (factor out %d)", len(s.Factor)), In: s.In, Out: s.Kept}
}

func (s Split) trace(sources [][]int) [][]int { return gatherSources(sources, s.Keep) }

func (s Split) roles(sources [][]int, mark func([]int, byte)) {
	for _, i := range s.Keep {
		mark(sources[i], RoleKept)
	}
	for _, i := range s.Factor {
		mark(sources[i], RoleFactored)
	}
}
