//go:build !amd64

package kernel

// Without the AVX-512 kernels, Gemm runs the BLAS.
var hasAVX512 = false

var (
	wideKernels, narrowKernels []rowKernel
	rowsKernels                []rowsKernel
	dotKernels                 [2][4]dotKernel
)
