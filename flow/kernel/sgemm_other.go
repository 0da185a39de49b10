//go:build !amd64

package kernel

// Without amd64 kernels, Gemm runs the BLAS.
var hasAVX512 = false

func chooseGemm() *gemmKernels { return nil }
