//go:build !amd64

package kernel

// Without the AVX-512 kernels, Gemm runs the BLAS.
var hasAVX512 = false

var (
	panelKernels     [2][3][]rowKernel
	rowsPanelKernels [2][3][]rowsKernel
	dotKernels       [4][]rowsDotKernel
)
