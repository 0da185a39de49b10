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

// Layer is one step of an Arch: a Coupling, a Permute, a Split or an InvConv.
type Layer interface {
	Label() string
	InShape() Shape
	OutShape() Shape
}

// Coupling is an affine coupling layer: Mask (one entry per element of Shape, 1 = conditioning,
// 0 = transformed) selects what the GatedConvNet sees; CondChannels extra channels of
// conditioning input are concatenated to its input (the image, inside variational dequantization).
type Coupling struct {
	Name         string
	Shape        Shape
	Mask         []float64
	Hidden       int // hidden channels of the GatedConvNet
	GatedLayers  int // GatedConv + LayerNorm blocks of the GatedConvNet
	CondChannels int
}

// Permute moves elements: output element i (row-major over Out) is input element Index[i]
// (row-major over In). Squeezes are Permutes, so any squeeze order is one index table.
type Permute struct {
	Name    string
	In, Out Shape
	Index   []int
}

// Split keeps the input elements Keep (in order, forming a tensor of shape Kept) and factors out
// the elements Factor to the standard-normal prior.
type Split struct {
	Name         string
	In, Kept     Shape
	Keep, Factor []int
}

func (c Coupling) Label() string   { return c.Name }
func (c Coupling) InShape() Shape  { return c.Shape }
func (c Coupling) OutShape() Shape { return c.Shape }
func (p Permute) Label() string    { return p.Name }
func (p Permute) InShape() Shape   { return p.In }
func (p Permute) OutShape() Shape  { return p.Out }
func (s Split) Label() string      { return s.Name }
func (s Split) InShape() Shape     { return s.In }
func (s Split) OutShape() Shape    { return s.Kept }
