// Package none registers mixing variant "none": no channel-mixing layers, Tutorial 11's model.
package none

import (
	"squeezebench/flow"
	"squeezebench/variants"
)

// Mixer inserts nothing.
type Mixer struct{}

// Mix implements flow.Mixer.
func (Mixer) Mix(flow.Coupling) []flow.Layer { return nil }

func init() {
	variants.Mixers.Register("none", "no channel mixing between couplings (Tutorial 11)", Mixer{})
}
