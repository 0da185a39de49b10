package flow

import "fmt"

// Shape is the (channels, height, width) shape of one image-like tensor, without the batch axis.
type Shape struct{ C, H, W int }

// Size is the number of elements of one such tensor.
func (s Shape) Size() int { return s.C * s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.C, s.H, s.W) }

// Index is the row-major flat index of element (c, h, w).
func (s Shape) Index(c, h, w int) int { return (c*s.H+h)*s.W + w }

// Arch is a model described as data: the shapes, masks and index maps of every layer, without
// parameters. Variants produce an Arch; New turns it into a trainable Model.
type Arch struct {
	In     Shape
	VarDeq []Coupling // couplings of the variational dequantization; none means uniform dequantization
	Layers []Layer    // the flow from the logit of the dequantized image to the prior
}

// Layer is one step of an Arch: a Coupling, a Permute, a Split, an InvConv or an ActNorm. A layer is data (its
// fields are what Arch.Fingerprint hashes) that carries its behaviour: how it validates, which
// parameters it needs, its transform and log-determinant in either direction, its row of
// Model.Describe, and how it moves image elements for Trace. The set of kinds is closed (a new
// kind is code in this package); the ways of combining them are the variants.
type Layer interface {
	Label() string
	InShape() Shape
	OutShape() Shape

	// kind is the short name Kind reports.
	kind() string
	// validate checks the layer's own sizes and tables on input shape in.
	validate(in Shape) error
	// module draws the layer's parameters from ps (in a fixed order, so a seed fixes them) and
	// returns the layer as a part of a built Model.
	module(ps *paramSet) module
	// trace maps the image sources of every input element to those of every output element.
	trace(sources [][]int) [][]int
	// roles marks, through mark, the role each input element (made of the image elements
	// sources[i]) plays in the layer.
	roles(sources [][]int, mark func(src []int, role byte))
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
		if err := l.validate(cur); err != nil {
			return err
		}
		cur = l.OutShape()
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
