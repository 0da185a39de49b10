package kernel

import (
	"fmt"
	"testing"
)

// BenchmarkGEMMShapes times single GEMM calls of the shapes the convolutions issue, through this
// package's kernels ("own": AVX-512 or AVX2, whichever gemmSet chose) and through the BLAS the binary was built with ("blas"),
// side by side: the ceiling of the conv kernels. Note OPENBLAS_CORETYPE: where it forces an
// older kernel, the BLAS is slower.
func BenchmarkGEMMShapes(b *testing.B) {
	for _, s := range []struct {
		ta, tb  bool
		m, n, k int
	}{
		{false, false, 32, 784, 576},  // tutorial stage-1 3×3 forward, one image
		{false, false, 32, 576, 784},  // (filter-gradient shape, untransposed)
		{false, true, 576, 32, 784},   // tutorial stage-1 filter gradient, as computed (dWᵀ)
		{false, false, 64, 196, 432},  // tutorial stage-2 3×3 forward
		{false, false, 64, 294, 1152}, // tutorial stage-3, six images
		{false, false, 8, 784, 144},   // small stage-1 3×3 forward
		{false, false, 16, 784, 72},   // small stage-1 backward data
		{false, true, 144, 8, 784},    // small stage-1 filter gradient (dWᵀ)
		{false, false, 12, 196, 216},  // small stage-2 3×3 forward
		{false, false, 16, 294, 288},  // small stage-3, six images
	} {
		a, bb, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		for _, backend := range []string{"own", "blas"} {
			if backend == "own" && gemmSet == nil {
				continue
			}
			g := Gemm{BLAS: backend == "blas"}
			b.Run(fmt.Sprintf("%s/tA=%v,tB=%v/%dx%dx%d", backend, s.ta, s.tb, s.m, s.n, s.k), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					g.Run(s.ta, s.tb, s.m, s.n, s.k, a, lda, bb, ldb, 0, nil, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkFilterGradient compares the two ways of computing a filter gradient dwᵀ += col·doutᵀ
// (rows × cout × H·W): the tiled GEMM with dout transposed ("gemm") and the dot-product kernels
// ("dot").
func BenchmarkFilterGradient(b *testing.B) {
	if gemmSet == nil {
		b.Skip("the dot kernels need AVX-512 or AVX2 and FMA")
	}
	for _, s := range [][3]int{{72, 4, 784}, {144, 8, 784}, {216, 12, 196}, {288, 16, 294}, {576, 32, 784}, {1152, 64, 294}} {
		m, n, k := s[0], s[1], s[2]
		a, d, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
		offs := make([]int, m)
		for r := range offs {
			offs[r] = r * k
		}
		var g Gemm
		flops := 2 * float64(m*n*k)
		b.Run(fmt.Sprintf("gemm/%dx%dx%d", m, n, k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				g.Run(false, true, m, n, k, a, k, d, k, 1, nil, c, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("dot/%dx%dx%d", m, n, k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				g.AddDotRows(m, n, k, a, offs, d, k, c, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
