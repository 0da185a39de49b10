// Package flow builds, trains and checks the normalizing flows of the squeeze/split ablation:
// Tutorial 11's multi-scale RealNVP-style image model on top of gorgonia.
//
// A model is first laid out as data, an Arch: the shapes and masks of its affine coupling layers
// (each with a GatedConvNet: gated convolutions, channel layer norm, ConcatELU, the output
// convolution zero-initialised so every coupling starts as the identity), and its squeezes and
// splits as index tables (Permute and Split), so that every squeeze order or split choice is a
// table moved by one gather op rather than code. Multiscale lays out the tutorial's model from
// pluggable Squeezer, Splitter and Coupler variants; New turns an Arch into a Model whose
// parameters are shared by every graph built from it.
//
// A Density evaluates log p(x) of 8-bit images: uniform or variational dequantization (a noise
// flow conditioned on the image), the logit, the flow, and a standard-normal prior on the output
// and on every factored-out tensor; its loss is the mean bits per dimension, whose gradients an
// Adam with PyTorch's update rule (and ClipGradNorm) consumes. A Flow runs the continuous part
// forward or in reverse, and a Sampler draws images with it.
//
// Check proves a model's flow against brute force in float64: that the reverse inverts the
// forward, and that the log-determinant equals log|det J| of the Jacobian computed by central
// differences. Package flowtest runs it on an Arch and on each of its layers.
package flow
