package flow

import "fmt"

// Permute moves elements: output element i (row-major over Out) is input element Index[i]
// (row-major over In). Squeezes are Permutes, so any squeeze order is one index table.
type Permute struct {
	Name    string
	In, Out Shape
	Index   []int
}

func (p Permute) Label() string   { return p.Name }
func (p Permute) InShape() Shape  { return p.In }
func (p Permute) OutShape() Shape { return p.Out }

// kind is "squeeze" for a 2x2 space-to-depth shape change, "permute" for any other.
func (p Permute) kind() string {
	if p.Out == (Shape{4 * p.In.C, p.In.H / 2, p.In.W / 2}) {
		return "squeeze"
	}
	return "permute"
}

func (p Permute) validate(Shape) error {
	if p.In.Size() != p.Out.Size() {
		return fmt.Errorf("permute %s: %s and %s differ in size", p.Name, p.In, p.Out)
	}
	return checkPartition(p.Name, p.In.Size(), p.Index)
}

// A Permute has no parameters: it is its own module.
func (p Permute) module(*paramSet) module { return p }

func (p Permute) forward(_ *builder, st *state) {
	st.z = must(Gather(st.z, p.Index, p.Out.C, p.Out.H, p.Out.W))
}

func (p Permute) reverse(_ *builder, st *state) {
	st.z = must(Gather(st.z, inverse(p.Index), p.In.C, p.In.H, p.In.W))
}

func (p Permute) info() LayerInfo {
	return LayerInfo{Name: p.Name, Kind: p.kind(), In: p.In, Out: p.Out}
}

func (p Permute) trace(sources [][]int) [][]int { return gatherSources(sources, p.Index) }

func (p Permute) roles(sources [][]int, mark func([]int, byte)) { passThrough(sources, mark) }

// inverse returns the inverse permutation of p.
func inverse(p []int) []int {
	inv := make([]int, len(p))
	for i, j := range p {
		inv[j] = i
	}
	return inv
}
