//go:build !amd64

package kernel

// Without amd64 kernels, Gemm runs the BLAS.
var hasAVX512, hasAVX2FMA = false, false

func chooseGemm() *gemmKernels { return nil }

// avx512Gemm and avx2Gemm are named by the tests, which switch to them only where the processor
// has them.
var avx512Gemm, avx2Gemm *gemmKernels
