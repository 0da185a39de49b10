package kernel

// The AVX2 forms of layernorm_amd64.go's loops (pointwise_avx2_amd64.s), with the same contracts.

//go:noescape
func lnAccAVX2(dst, x []float32)

//go:noescape
func lnSqDevAccAVX2(dst, x, mean []float32)

//go:noescape
func lnNormAVX2(out, x, mean, rstd []float32, gm, b float32)

//go:noescape
func lnGradSumsAVX2(sumG, sumGX, d, x, mean, rstd []float32, gm float32)

//go:noescape
func lnGradAVX2(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32)

//go:noescape
func lnParamSumsAVX2(d, x, mean, rstd []float32) (sg, sb float32)

//go:noescape
func lnRstdAVX2(v []float32, inv, eps float32)

//go:noescape
func keepAVX2(dst []float32, mask []uint32)

//go:noescape
func copyRowsAVX2(dst []float32, dstStride int, src []float32, srcStride, rows, w int)

//go:noescape
func mulAVX2(out, a, b []float32)

//go:noescape
func mulAddAVX2(dst, a, b []float32)
