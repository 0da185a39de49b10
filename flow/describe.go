package flow

import "slices"

// LayerInfo is one row of a model description.
type LayerInfo struct {
	Name   string
	Kind   string
	In     Shape
	Out    Shape
	Params int
	FLOPs  int64 // multiply-adds ×2 of the forward pass, per image
}

// Describe lists the layers of the model with shapes, parameters and forward FLOPs per image.
func (m *Model) Describe() []LayerInfo {
	var rows []LayerInfo
	for _, c := range m.vardeq {
		rows = append(rows, c.describe("vardeq coupling"))
	}
	for _, l := range m.layers {
		rows = append(rows, l.info())
	}
	return rows
}

// FLOPs is the forward cost of the model per image (convolutions, which dominate).
func (m *Model) FLOPs() int64 {
	var total int64
	for _, r := range m.Describe() {
		total += r.FLOPs
	}
	return total
}

// MaskKind names the mask of a coupling: "checkerboard", "channel" or "row" (either parity), or
// "custom".
func MaskKind(c Coupling) string {
	s := c.Shape
	for _, kind := range []struct {
		name string
		mask func(Shape, bool) []float64
	}{{"checkerboard", CheckerboardMask}, {"channel", ChannelMask}, {"row", RowMask}} {
		for _, inv := range []bool{false, true} {
			if slices.Equal(kind.mask(s, inv), c.Mask) {
				return kind.name
			}
		}
	}
	return "custom"
}
