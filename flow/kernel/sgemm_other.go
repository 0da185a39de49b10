//go:build !amd64

package kernel

const hasAVX512 = false

func sgemmKernel8x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel4x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel2x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel1x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel24x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel16x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel8x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel4x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel2x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}
func sgemmKernel1x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int) {
	panic("kernel: no AVX-512 GEMM here")
}

var wideKernels, narrowKernels []rowKernel
