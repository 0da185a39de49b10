package kernel

import (
	"fmt"
	"math/rand/v2"
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

// BenchmarkGEMMRows times RunRows, B read through a table of row offsets as the Net's
// convolutions read their shifted planes, on the small preset's shapes (one image): the row
// counts where how the tiles cover C matters (8 rows: 4+4 on AVX2, see rowTiling).
func BenchmarkGEMMRows(b *testing.B) {
	if gemmSet == nil {
		b.Skip("no own GEMM kernels on this processor")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct{ m, n, k int }{{8, 784, 144}, {16, 784, 72}, {2, 784, 144}, {12, 196, 216}, {16, 294, 288}} {
		a := randSlice(rng, s.m*s.k)
		base := randSlice(rng, s.n+64)
		offs := make([]int, s.k)
		for i := range offs {
			offs[i] = i % 59 // shifted rows, as a 3×3 convolution's taps over padded planes
		}
		c := make([]float32, s.m*s.n)
		var g Gemm
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				g.RunRows(s.m, s.n, s.k, a, s.k, base, offs, nil, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
