// Package kernel holds the float32 compute kernels behind the fast flow layers: convolution by
// im2col and GEMM, ConcatELU, LayerNormChannels and the gated residual, forward and backward, on
// NCHW batches, spread over worker goroutines with buffers that are reused from call to call.
// GEMM comes from OpenBLAS (build tag openblas) or gonum's pure-Go BLAS.
package kernel
