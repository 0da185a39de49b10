//go:build !amd64

package kernel

// Without amd64 kernels, Gemm runs the BLAS.
var hasAVX512, hasAVX2FMA = false, false

func chooseGemm() *gemmKernels { return nil }

// avx2Gemm is named by the tests, which switch to it only where hasAVX2FMA.
var avx2Gemm *gemmKernels
