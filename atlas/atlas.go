package atlas

import (
	"bytes"
	"fmt"
	"slices"

	"squeezebench/flow"
	"squeezebench/variants"
)

// Selection is the variants an atlas covers, per axis, in the order they are drawn and listed.
type Selection map[variants.Axis][]string

// Select completes and checks a selection: an axis given no names takes every registered variant,
// its default first (so the default cell comes first in every table and figure); an unknown axis
// or variant name is an error.
func Select(given map[variants.Axis][]string) (Selection, error) {
	for a := range given {
		if !slices.Contains(variants.Axes(), a) {
			return nil, fmt.Errorf("unknown axis %q (known: %v)", a, variants.Axes())
		}
	}
	sel := Selection{}
	for _, a := range variants.Axes() {
		names := given[a]
		if len(names) == 0 {
			names = defaultFirst(a)
		}
		for _, n := range names {
			if _, err := variants.Lookup(a, n); err != nil {
				return nil, err
			}
		}
		sel[a] = names
	}
	return sel, nil
}

// defaultFirst lists the registered variants of a with the default first.
func defaultFirst(a variants.Axis) []string {
	out := []string{variants.Default(a)}
	for _, n := range variants.Names(a) {
		if n != out[0] {
			out = append(out, n)
		}
	}
	return out
}

// Atlas is what every selected cell does to the image, as data: the role of every image pixel in
// each of its layers, and the element maps of the selected squeezes and splits.
type Atlas struct {
	Image     flow.Shape
	Selection Selection
	Cells     []CellPattern      // variants.Grid order: the first axis varies slowest
	Squeezes  []SqueezeTables    // one per selected squeeze, in selection order
	Splits    []SplitTable       // one per selected squeeze and split, squeeze-major
	Mixings   []variants.Variant // the selected mixings
}

// CellPattern is one cell's model traced from the image.
type CellPattern struct {
	Cell   variants.Cell
	Arch   flow.Arch
	Layers []LayerPattern // model order
}

// LayerPattern is one layer seen from the image.
type LayerPattern struct {
	Name     string
	Kind     string // flow.Kind
	In, Out  flow.Shape
	Mask     string // flow.MaskKind of a coupling's mask; "" for other layers
	AfterMix bool   // the layer before it is an invertible 1x1 convolution
	// Roles is every image pixel's role (flow.Role*), row-major, in a layer that chooses between
	// elements (a coupling or a split); nil in one that passes every element through (a
	// permutation or a mixing).
	Roles []byte
}

// Panels are the layers drawn for a cell: those that give pixels roles, in model order.
func (c CellPattern) Panels() []LayerPattern {
	var out []LayerPattern
	for _, l := range c.Layers {
		if l.Roles != nil {
			out = append(out, l)
		}
	}
	return out
}

// Layer returns the layer of the cell named name.
func (c CellPattern) Layer(name string) (LayerPattern, bool) {
	for _, l := range c.Layers {
		if l.Name == name {
			return l, true
		}
	}
	return LayerPattern{}, false
}

// SqueezeInput is one input a squeeze is tabulated on: the two the model squeezes and the
// spec's labelled worked examples.
type SqueezeInput struct {
	Where string
	In    flow.Shape
}

// SqueezeInputs are the inputs the squeezes are tabulated on for an image: the model's first
// squeeze (the image), its second (after the split, 2C channels at half the resolution), and
// the worked examples on 1x4x4 and 2x4x4.
func SqueezeInputs(img flow.Shape) []SqueezeInput {
	return []SqueezeInput{
		{"stage 2 (first squeeze)", img},
		{"stage 3 (second squeeze, after the split)", flow.Shape{C: 2 * img.C, H: img.H / 2, W: img.W / 2}},
		{"worked example", Examples[0]},
		{"worked example", Examples[1]},
	}
}

// Examples are the spec's labelled squeeze examples, one per number of input channels the model
// squeezes.
var Examples = []flow.Shape{{C: 1, H: 4, W: 4}, {C: 2, H: 4, W: 4}}

// SqueezeTables are one squeeze variant's index tables on every SqueezeInputs input.
type SqueezeTables struct {
	Name   string
	Tables []SqueezeTable
}

// Table returns the table of input in.
func (s SqueezeTables) Table(in flow.Shape) (SqueezeTable, bool) {
	for _, t := range s.Tables {
		if t.In == in {
			return t, true
		}
	}
	return SqueezeTable{}, false
}

// SqueezeTable is a squeeze on one input: output element o is input element Index[o].
type SqueezeTable struct {
	In, Out flow.Shape
	Index   []int
}

// SplitTable is a split after a squeeze: the input elements kept (in the order of the kept
// tensor) and those factored out.
type SplitTable struct {
	Split, Squeeze string
	In, Kept       flow.Shape
	Keep, Factor   []int
}

// patternSizes are the sizes of the traced archs: the patterns do not depend on them.
var patternSizes = flow.Sizes{Stage: [3]int{1, 1, 1}, GatedLayers: 1}

// Build traces every cell of the selection from an image of shape img and tabulates its squeezes
// and splits.
func Build(sel Selection, img flow.Shape) (Atlas, error) {
	a := Atlas{Image: img, Selection: sel}
	for _, c := range variants.Grid(sel) {
		cp, err := traceCell(c, img)
		if err != nil {
			return Atlas{}, err
		}
		a.Cells = append(a.Cells, cp)
	}
	for _, name := range sel[variants.Squeeze] {
		sq, err := variants.Squeezers.Lookup(name)
		if err != nil {
			return Atlas{}, err
		}
		a.Squeezes = append(a.Squeezes, squeezeTables(name, sq, img))
		splits, err := splitTables(name, sq, sel[variants.Split], img)
		if err != nil {
			return Atlas{}, err
		}
		a.Splits = append(a.Splits, splits...)
	}
	for _, name := range sel[variants.Mixing] {
		v, err := variants.Lookup(variants.Mixing, name)
		if err != nil {
			return Atlas{}, err
		}
		a.Mixings = append(a.Mixings, v)
	}
	return a, nil
}

func traceCell(c variants.Cell, img flow.Shape) (CellPattern, error) {
	arch, err := c.Arch(img, patternSizes)
	if err != nil {
		return CellPattern{}, err
	}
	cp := CellPattern{Cell: c, Arch: arch}
	for i, t := range flow.Trace(arch) {
		cp.Layers = append(cp.Layers, layerPattern(t, img, i > 0 && isMixing(arch.Layers[i-1])))
	}
	return cp, nil
}

func layerPattern(t flow.TracedLayer, img flow.Shape, afterMix bool) LayerPattern {
	l := LayerPattern{Name: t.Layer.Label(), Kind: flow.Kind(t.Layer), In: t.Layer.InShape(),
		Out: t.Layer.OutShape(), AfterMix: afterMix}
	if c, ok := t.Layer.(flow.Coupling); ok {
		l.Mask = flow.MaskKind(c)
	}
	// A layer that passes elements through marks every one it sees so; one that chooses never does.
	if roles := t.ImageRoles(img); bytes.IndexByte(roles, flow.RolePassedThrough) < 0 {
		l.Roles = roles
	}
	return l
}

func isMixing(l flow.Layer) bool {
	_, ok := l.(flow.InvConv)
	return ok
}

func squeezeTables(name string, sq flow.Squeezer, img flow.Shape) SqueezeTables {
	st := SqueezeTables{Name: name}
	for _, in := range SqueezeInputs(img) {
		out := flow.Shape{C: 4 * in.In.C, H: in.In.H / 2, W: in.In.W / 2}
		st.Tables = append(st.Tables, SqueezeTable{In: in.In, Out: out, Index: sq.Squeeze(in.In)})
	}
	return st
}

// splitTables are the selected splits of the squeezed image (the map after stage 2).
func splitTables(squeeze string, sq flow.Squeezer, splits []string, img flow.Shape) ([]SplitTable, error) {
	in := flow.Shape{C: 4 * img.C, H: img.H / 2, W: img.W / 2}
	kept := flow.Shape{C: in.C / 2, H: in.H, W: in.W}
	var out []SplitTable
	for _, name := range splits {
		sp, err := variants.Splitters.Lookup(name)
		if err != nil {
			return nil, err
		}
		keep, factor := sp.Split(in, sq) // the traced cells' archs have validated every split
		out = append(out, SplitTable{Split: name, Squeeze: squeeze, In: in, Kept: kept, Keep: keep, Factor: factor})
	}
	return out, nil
}
