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

// avx512Loops are this file's loops as a set (pointLoops).
var avx512Loops = &pointLoops{lnAcc: lnAccAVX512, lnSqDevAcc: lnSqDevAccAVX512, lnNorm: lnNormAVX512,
	lnGradSums: lnGradSumsAVX512, lnGrad: lnGradAVX512, lnParamSums: lnParamSumsAVX512,
	lnRstd: lnRstdAVX512, keep: keepAVX512, copyRows: copyRowsAVX512, mul: mulAVX512, mulAdd: mulAddAVX512}

// vectorLoops is the widest set the flags allow (nil: the Go loops); read per call, so that tests
// can switch the flags.
func vectorLoops() *pointLoops {
	switch {
	case hasAVX512:
		return avx512Loops
	case hasAVX2FMA:
		return avx2Loops
	}
	return nil
}
