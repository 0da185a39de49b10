package flow

import (
	"fmt"
	"slices"
)

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
		rows = append(rows, c.info("vardeq coupling"))
	}
	for _, l := range m.layers {
		switch l := l.(type) {
		case *couplingModule:
			rows = append(rows, l.info(MaskKind(l.spec)+" coupling"))
		case *invConvModule:
			rows = append(rows, l.info())
		case Permute:
			rows = append(rows, LayerInfo{Name: l.Name, Kind: "squeeze", In: l.In, Out: l.Out})
		case Split:
			rows = append(rows, LayerInfo{Name: l.Name, Kind: fmt.Sprintf("split (factor out %d)", len(l.Factor)), In: l.In, Out: l.Kept})
		}
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

func (c *couplingModule) info(kind string) LayerInfo {
	n := 0
	for _, p := range c.params() {
		n += p.Size()
	}
	return LayerInfo{Name: c.spec.Name, Kind: kind, In: c.spec.Shape, Out: c.spec.Shape, Params: n, FLOPs: c.flops()}
}

func (c *couplingModule) params() []*Param {
	ps := []*Param{c.scale, c.net.in.W, c.net.in.B, c.net.out.W, c.net.out.B}
	for _, b := range c.net.blocks {
		ps = append(ps, b.conv3.W, b.conv3.B, b.conv1.W, b.conv1.B, b.gamma, b.beta)
	}
	return ps
}

func (c *couplingModule) flops() int64 {
	pixels := int64(c.spec.Shape.H * c.spec.Shape.W)
	convCost := func(cv conv) int64 {
		s := cv.W.Value.Shape() // cout, cin, k, k
		return 2 * int64(s[0]*s[1]*s[2]*s[3]) * pixels
	}
	total := convCost(c.net.in) + convCost(c.net.out)
	for _, b := range c.net.blocks {
		total += convCost(b.conv3) + convCost(b.conv1)
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
