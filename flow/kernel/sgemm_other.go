//go:build !amd64

package kernel

// Without the AVX-512 kernels, Gemm runs the BLAS.
const hasAVX512 = false

var (
	wideKernels, narrowKernels []rowKernel
	rowsKernels                []rowsKernel
)
