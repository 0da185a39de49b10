// Package variants is the registry of the ablation's choices. An axis (squeeze, split, coupling,
// mixing) is one design decision of Tutorial 11's multi-scale flow; a variant is one implementation
// of it (a flow.Squeezer, flow.Splitter, flow.Coupler or flow.Mixer); a Cell picks one variant per axis and lays
// out its model with flow.Multiscale. Names come from the registry, so command-line flags,
// run directories and the report all use the same strings.
//
// A variant lives in its own package under variants/<axis>/<name> and registers itself from init,
// as database/sql drivers do:
//
//	func init() { variants.Squeezers.Register("tutorial", "one-line doc", Squeezer{}) }
//
// Register panics on a duplicate name or an implementation of the wrong kind, so mistakes show up
// at program start. Package variants/all imports every built-in variant for its side effect;
// binaries and tests import it:
//
//	import _ "squeezebench/variants/all"
//
// variants/README.md walks through adding a variant.
package variants
