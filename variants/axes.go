package variants

import "squeezebench/flow"

// The built-in axes.
const (
	Squeeze  Axis = "squeeze"
	Split    Axis = "split"
	Coupling Axis = "coupling"
	Mixing   Axis = "mixing"
)

// The tables of the built-in axes, in report order (the order of this declaration), each with its
// default and how a variant enters the model's blueprint. Mixing came after the first results
// were named, so it is implicit: cells at mixing "none" keep their three-axis names.
var (
	Squeezers = NewAxis(Squeeze, "tutorial", Named, func(bp *flow.Blueprint, s flow.Squeezer) { bp.Squeeze = s })
	Splitters = NewAxis(Split, "channel", Named, func(bp *flow.Blueprint, s flow.Splitter) { bp.Split = s })
	Couplers  = NewAxis(Coupling, "channelwise", Named, func(bp *flow.Blueprint, c flow.Coupler) { bp.Coupling = c })
	Mixers    = NewAxis(Mixing, "none", Implicit, func(bp *flow.Blueprint, m flow.Mixer) {
		bp.Edits = append(bp.Edits, flow.BeforeCouplings(m.Mix))
	})
)
