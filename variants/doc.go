// Package variants is the registry of the ablation's choices. An axis is one design decision of
// Tutorial 11's multi-scale flow; the built-in ones are squeeze, split, coupling and mixing. A
// variant is one implementation of an axis's interface (a flow.Squeezer, flow.Splitter,
// flow.Coupler or flow.Mixer); a Cell picks one variant per axis and lays out its model with
// flow.Multiscale. Names come from the registry, so command-line flags, experiment grids, run
// directories and the report all use the same strings.
//
// Every axis has one typed table, made by NewAxis: Squeezers, Splitters, Couplers and Mixers for
// the built-in axes. A table knows its default variant, whether the axis is implicit (left out of
// cell names while at its default, so that an axis added later renames no existing cell), and how
// a variant enters the flow.Blueprint of a cell's model. Cell.Resolve iterates the tables in
// order and never names an axis, so a new axis is one NewAxis call and its variant packages.
//
// A variant lives in its own package under variants/<axis>/<name> and registers itself from init,
// as database/sql drivers do:
//
//	func init() { variants.Squeezers.Register("tutorial", "one-line doc", Squeezer{}) }
//
// Register panics on a duplicate name, so mistakes show up at program start; an implementation of
// the wrong interface does not compile. Package variants/all imports every built-in variant for its
// side effect; binaries and tests import it:
//
//	import _ "squeezebench/variants/all"
//
// Package variants/varianttest runs the conformance suite (package flow/flowtest) on every cell a
// variant takes part in. variants/README.md walks through adding a variant and adding an axis.
package variants
