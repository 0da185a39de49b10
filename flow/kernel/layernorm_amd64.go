package kernel

//go:noescape
func lnAccAVX512(dst, x []float32)

//go:noescape
func lnSqDevAccAVX512(dst, x, mean []float32)

//go:noescape
func lnNormAVX512(out, x, mean, rstd []float32, gm, b float32)

//go:noescape
func lnGradSumsAVX512(sumG, sumGX, d, x, mean, rstd []float32, gm float32)

//go:noescape
func lnGradAVX512(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32)

//go:noescape
func lnParamSumsAVX512(d, x, mean, rstd []float32) (sg, sb float32)

//go:noescape
func lnRstdAVX512(v []float32, inv, eps float32)

//go:noescape
func keepAVX512(dst []float32, mask []uint32)

//go:noescape
func copyRowsAVX512(dst []float32, dstStride int, src []float32, srcStride, rows, w int)

//go:noescape
func mulAVX512(out, a, b []float32)

//go:noescape
func mulAddAVX512(dst, a, b []float32)
