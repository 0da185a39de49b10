// Package flow builds, trains and checks the normalizing flows of the squeeze/split ablation:
// Tutorial 11's multi-scale RealNVP-style image model on top of gorgonia.
//
// # Architectures as data
//
// A model is first laid out as data, an Arch: its input Shape and its Layers. A Layer is one of
// five kinds: an affine Coupling (a mask and a GatedConvNet: gated convolutions, channel layer norm,
// ConcatELU, the output convolution zero-initialised so every coupling starts as the identity), a
// Permute (an index table: every squeeze order is one), a Split (kept and factored-out index
// tables), an InvConv (Glow's invertible 1x1 convolution) and an ActNorm (Glow's per-channel
// scale and shift, initialised from data by Model.InitActNorms). Each kind carries its behaviour:
// validation, the parameters it needs, its transform and log-determinant forward and in reverse,
// its row of Model.Describe, and how it moves image elements (Trace, ImageRoles). Everything that
// walks a model iterates its layers and asks none its kind.
//
// # Axes, blueprints and the multi-scale layout
//
// The ablation's design decisions are axes, each an interface a variant implements: Squeezer,
// Splitter, Coupler and Mixer. A cell's variants fill a Blueprint through Choice values (a squeeze
// sets Blueprint.Squeeze, a mixing appends an Edit that inserts layers before every coupling), and
// Multiscale lays out the tutorial's model from it: variational dequantization, stage 1, stage 2 from
// the coupler, the split, the second squeeze, stage 3, then the edits. A new axis that sets these
// fields or edits the layers with kinds that exist needs no change here; package variants
// registers axes and their variants by name.
//
// # Models
//
// New turns an Arch into a Model whose parameters, drawn in layer order from one seeded stream,
// are shared by every graph built from it. A Density evaluates log p(x) of 8-bit images: uniform
// or variational dequantization (a noise flow conditioned on the image), the logit, the flow, and
// a standard-normal prior on the output and on every factored-out tensor; its loss is the mean bits
// per dimension, whose gradients an Adam with PyTorch's update rule (and ClipGradNorm) consumes. A
// Flow runs the continuous part forward or in reverse, and a Sampler draws images with it. float32
// models run the GatedConvNets and couplings as fused kernel ops (package flow/kernel) unless
// Engine.Stock asks for gorgonia's own ops, the oracle the fast ones are tested against.
//
// # Checks
//
// Check proves a model's flow against brute force in float64: that the reverse inverts the
// forward, and that the log-determinant equals log|det J| of the Jacobian computed by central
// differences. Package flowtest runs it on an Arch and on each of its layers. Arch.Fingerprint
// identifies the function an Arch describes, so that two cells with one model are trained once.
package flow
