package flow

import (
	"fmt"
	"strings"
)

// The axes of the ablation: one interface per design decision of the multi-scale model. A variant
// of an axis implements its interface; a Choice puts it into a Blueprint, from which Multiscale
// lays the model out. An axis that only adds layers (like mixing) needs no interface here: its
// Choice appends an Edit.

// Squeezer is a 2x2 space-to-depth permutation (the squeeze axis): for an input of shape in, it
// returns for each element of the squeezed (4C, H/2, W/2) map, row-major, the flat index of the
// input element it takes.
type Squeezer interface {
	Squeeze(in Shape) []int
}

// Splitter chooses which half of a (C, H, W) map is kept and which is factored out to the prior
// (the split axis). sq is the model's squeezer, the one that made the map. keep lists the kept
// elements in the order of the kept (C/2, H, W) tensor; factor lists the rest.
type Splitter interface {
	Split(in Shape, sq Squeezer) (keep, factor []int)
}

// Coupler builds stage 2 of the multi-scale model (the coupling axis): from the full-resolution
// map in to the squeezed (4C, H/2, W/2) map, with its couplings and the squeeze.
type Coupler interface {
	Stage(in Shape, sq Squeezer, net Net) []Layer
}

// Mixer chooses the channel-mixing layers the multi-scale model inserts before a coupling (the
// mixing axis). Mix returns the layers to put before c, which must keep c.Shape; nil for none.
type Mixer interface {
	Mix(c Coupling) []Layer
}

// MixerName names the mixing layer of a coupling: "stage2.coupling1" -> "stage2.invconv1".
func MixerName(c Coupling, kind string) string {
	if strings.Contains(c.Name, "coupling") {
		return strings.Replace(c.Name, "coupling", kind, 1)
	}
	return c.Name + "." + kind
}

// Net sizes one GatedConvNet.
type Net struct{ Hidden, GatedLayers int }

// Sizes is the size configuration of the multi-scale model.
type Sizes struct {
	VarDeq      int    `json:"vardeq"` // hidden channels of the variational-dequantization nets (0: uniform dequantization)
	Stage       [3]int `json:"stage"`
	GatedLayers int    `json:"gated_layers"`
}

// TutorialSizes are Tutorial 11's multiscale model: 16/32/48/64 hidden channels, 3 gated layers.
var TutorialSizes = Sizes{VarDeq: 16, Stage: [3]int{32, 48, 64}, GatedLayers: 3}

// Blueprint is a multi-scale model before it is laid out: what Multiscale needs from the variants.
// In and Sizes come from the caller; every Choice fills in or adds to the rest.
type Blueprint struct {
	In    Shape
	Sizes Sizes

	Squeeze  Squeezer // both squeezes, and what a split may unsqueeze with
	Split    Splitter // the split after stage 2
	Coupling Coupler  // stage 2

	// Edits change the flow's layers after the layout, in order; they do not see the couplings
	// of the variational dequantization.
	Edits []Edit
}

// Choice is one variant's contribution to a Blueprint: a squeeze sets bp.Squeeze, a mixing
// appends an Edit. Choices are applied in order, so a later one sees what earlier ones set.
type Choice interface {
	Choose(bp *Blueprint)
}

// ChoiceFunc is a function used as a Choice.
type ChoiceFunc func(bp *Blueprint)

// Choose implements Choice.
func (f ChoiceFunc) Choose(bp *Blueprint) { f(bp) }

// Edit rewrites the laid-out flow: it takes the flow's layers and returns the new list, which
// Multiscale validates.
type Edit func(layers []Layer) []Layer

// BeforeCouplings is the Edit that puts insert(c) before every coupling c (nothing where insert
// returns nil): how the mixing axis adds its layers.
func BeforeCouplings(insert func(c Coupling) []Layer) Edit {
	return func(layers []Layer) []Layer {
		var out []Layer
		for _, l := range layers {
			if c, ok := l.(Coupling); ok {
				out = append(out, insert(c)...)
			}
			out = append(out, l)
		}
		return out
	}
}

// check reports the first axis a Blueprint lacks.
func (bp *Blueprint) check() error {
	for _, f := range []struct {
		missing bool
		what    string
	}{{bp.Squeeze == nil, "squeezer"}, {bp.Split == nil, "splitter"}, {bp.Coupling == nil, "coupler"}} {
		if f.missing {
			return fmt.Errorf("multiscale model: no %s chosen", f.what)
		}
	}
	return nil
}
