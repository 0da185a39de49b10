package kernel

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// BenchmarkGEMMShapes times single GEMM calls of the shapes the convolutions issue (tutorial
// preset), in both orientations and grouped, to show what the BLAS gives for them: the ceiling of
// the conv kernels. Note OPENBLAS_CORETYPE: where it forces an older kernel, GEMM is slower.
func BenchmarkGEMMShapes(b *testing.B) {
	for _, s := range []struct {
		ta, tb  blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, blas.NoTrans, 32, 784, 576},  // stage-1 3×3 forward, one image
		{blas.Trans, blas.Trans, 784, 32, 576},      // the same, transposed
		{blas.NoTrans, blas.NoTrans, 32, 1568, 576}, // two images side by side
		{blas.NoTrans, blas.Trans, 32, 576, 784},    // stage-1 filter gradient
		{blas.NoTrans, blas.NoTrans, 64, 196, 432},  // stage-2 3×3 forward
		{blas.NoTrans, blas.NoTrans, 64, 49, 1152},  // stage-3 3×3 forward, one image
		{blas.NoTrans, blas.NoTrans, 64, 294, 1152}, // stage-3, six images
	} {
		a, bb, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.ta == blas.Trans {
			lda = s.m
		}
		if s.tb == blas.Trans {
			ldb = s.k
		}
		b.Run(fmt.Sprintf("%c%c/%dx%dx%d", s.ta, s.tb, s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				gemm.Sgemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
