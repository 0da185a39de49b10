//go:build !amd64

package kernel

// Without amd64 there are no assembly loops; hasAVX512 and hasAVX2FMA are false, so these are never called.

func lnAccAVX512(dst, x []float32)                                              { panic("unreachable") }
func lnSqDevAccAVX512(dst, x, mean []float32)                                   { panic("unreachable") }
func lnNormAVX512(out, x, mean, rstd []float32, gm, b float32)                  { panic("unreachable") }
func lnGradSumsAVX512(sumG, sumGX, d, x, mean, rstd []float32, gm float32)      { panic("unreachable") }
func lnGradAVX512(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32) { panic("unreachable") }
func lnParamSumsAVX512(d, x, mean, rstd []float32) (sg, sb float32)             { panic("unreachable") }
func lnRstdAVX512(v []float32, inv, eps float32)                                { panic("unreachable") }
func keepAVX512(dst []float32, mask []uint32)                                   { panic("unreachable") }
func copyRowsAVX512(dst []float32, dstStride int, src []float32, srcStride, rows, w int) {
	panic("unreachable")
}
func mulAVX512(out, a, b []float32)    { panic("unreachable") }
func mulAddAVX512(dst, a, b []float32) { panic("unreachable") }

func lnAccAVX2(dst, x []float32)                                              { panic("unreachable") }
func lnSqDevAccAVX2(dst, x, mean []float32)                                   { panic("unreachable") }
func lnNormAVX2(out, x, mean, rstd []float32, gm, b float32)                  { panic("unreachable") }
func lnGradSumsAVX2(sumG, sumGX, d, x, mean, rstd []float32, gm float32)      { panic("unreachable") }
func lnGradAVX2(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32) { panic("unreachable") }
func lnParamSumsAVX2(d, x, mean, rstd []float32) (sg, sb float32)             { panic("unreachable") }
func lnRstdAVX2(v []float32, inv, eps float32)                                { panic("unreachable") }
func keepAVX2(dst []float32, mask []uint32)                                   { panic("unreachable") }
func copyRowsAVX2(dst []float32, dstStride int, src []float32, srcStride, rows, w int) {
	panic("unreachable")
}
func mulAVX2(out, a, b []float32)    { panic("unreachable") }
func mulAddAVX2(dst, a, b []float32) { panic("unreachable") }
