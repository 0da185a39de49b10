package flow

import "fmt"

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

func (c Coupling) Label() string   { return c.Name }
func (c Coupling) InShape() Shape  { return c.Shape }
func (c Coupling) OutShape() Shape { return c.Shape }
func (c Coupling) kind() string    { return "coupling" }

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

func (c Coupling) module(ps *paramSet) module { return ps.coupling(c) }

// trace: a coupling re-parameterises every element in place; none moves.
func (c Coupling) trace(sources [][]int) [][]int { return sources }

func (c Coupling) roles(sources [][]int, mark func([]int, byte)) {
	for i, src := range sources {
		if c.Mask[i] == 1 {
			mark(src, RoleConditions)
		} else {
			mark(src, RoleTransformed)
		}
	}
}

// couplingModule is a Coupling with its GatedConvNet and scaling factor.
type couplingModule struct {
	spec  Coupling
	net   gatedConvNet
	scale *Param // the tutorial's scaling_factor, one per channel, stored as (1, C, 1, 1)
	mask  []float64
}

func (ps *paramSet) coupling(c Coupling) *couplingModule {
	cin := c.Shape.C + c.CondChannels
	return &couplingModule{
		spec:  c,
		net:   ps.gatedConvNet(c.Name+".net", cin, c.Hidden, 2*c.Shape.C, c.GatedLayers),
		scale: ps.add(c.Name+".scaling_factor", []int{1, c.Shape.C, 1, 1}, constant(0)),
		mask:  c.Mask,
	}
}

// forward and reverse run the coupling of the flow, which has no conditioning input (only the
// dequantization's couplings have one, and noiseMap runs those).
func (c *couplingModule) forward(b *builder, st *state) { b.coupling(st, c, nil, false) }
func (c *couplingModule) reverse(b *builder, st *state) { b.coupling(st, c, nil, true) }

func (c *couplingModule) info() LayerInfo { return c.describe(MaskKind(c.spec) + " coupling") }

func (c *couplingModule) describe(kind string) LayerInfo {
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
