// Package flowtest checks architectures of package flow against brute force, in the spirit of
// testing/fstest.TestFS: a variant of any axis (a Squeezer, Splitter, Coupler, Mixer, or the
// interface of an axis of its own) is tested by laying out an Arch with small shapes and handing it
// to TestArch.
//
//	func TestMyVariant(t *testing.T) {
//		sizes := flow.Sizes{VarDeq: 2, Stage: [3]int{3, 3, 3}, GatedLayers: 1}
//		a, err := flow.Multiscale(flow.Shape{C: 1, H: 4, W: 4}, sizes, myChoices...)
//		if err != nil {
//			t.Fatal(err)
//		}
//		flowtest.TestArch(t, a)
//	}
//
// Package variants/varianttest does this for every cell a registered variant takes part in.
//
// A Checker builds a float64 model of the Arch, randomises every weight (so that no coupling is the
// identity it is at initialisation) and runs flow.Check, which compares the flow's inverse and
// log-determinant with brute force. CheckArch does so first on the whole flow and then on every
// layer alone, so that a failure names the layer at fault; CheckFlow returns the measurements of
// the whole flow (what `squeezebench check` prints for every cell). The couplings of variational
// dequantization are checked alone without their conditioning image (flow.Check does not run the
// dequantization); package flow's own tests cover the conditioned noise map.
//
// The cost grows as the square of the image size (the Jacobian takes 2·D+1 evaluations of a
// D-dimensional input), so use images of a few dozen pixels.
package flowtest
