package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the definition: c = op(a)·op(b) + beta·c, in float64.
func naiveGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, bias, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				var av, bv float32
				if transA {
					av = a[kk*lda+i]
				} else {
					av = a[i*lda+kk]
				}
				if transB {
					bv = b[j*ldb+kk]
				} else {
					bv = b[kk*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			if bias != nil {
				s += float64(bias[i])
			}
			c[i*ldc+j] = float32(s + float64(beta)*float64(c[i*ldc+j]))
		}
	}
}

// TestGemmMatchesDefinition runs the kernels of every instruction set the processor has
// (eachGemmPath) and the BLAS path on shapes that hit every edge: rows not a multiple of the tile, columns not a
// multiple of 16 or 48, narrow C and last panels of 16 or 32 columns (the 24×16 and 8×32
// kernels and their fewer-row forms), k = 1, padded leading dimensions.
func TestGemmMatchesDefinition(t *testing.T) { eachGemmPath(t, testGemmMatchesDefinition) }

func testGemmMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {8, 48, 5}, {9, 49, 3}, {7, 17, 33}, {32, 784, 72}, {24, 16, 100},
		{25, 15, 7}, {50, 8, 13}, {3, 100, 1}, {72, 12, 196}, {64, 47, 11}, {16, 97, 40},
		{20, 16, 9}, {44, 5, 17}, {32, 10, 6}, // narrow C: 16-, 8- and 4-row kernels after the 24-row ones
		{25, 64, 7}, {13, 80, 9}, {3, 30, 4}, {47, 112, 5}} // a last panel of 16 or 32 columns: the 16- and 32-wide kernels
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, beta := range []float32{0, 1} {
					for _, variant := range []struct{ blas, bias bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
						blasPath := variant.blas
						name := fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/beta=%v/blas=%v/bias=%v", m, n, k, tA, tB, beta, blasPath, variant.bias)
						lda, ldb, ldc := k+3, n+2, n+5
						if tA {
							lda = m + 1
						}
						if tB {
							ldb = k + 4
						}
						a := randSlice(rng, max(m, k)*lda)
						b := randSlice(rng, max(n, k)*ldb)
						c := randSlice(rng, m*ldc)
						var bias []float32
						if variant.bias {
							bias = randSlice(rng, m)
						}
						want := append([]float32(nil), c...)
						naiveGemm(tA, tB, m, n, k, a, lda, b, ldb, beta, bias, want, ldc)
						g := Gemm{BLAS: blasPath}
						g.Run(tA, tB, m, n, k, a, lda, b, ldb, beta, bias, c, ldc)
						for i := range c {
							if math.Abs(float64(c[i]-want[i])) > 1e-4*math.Sqrt(float64(k)+1) {
								t.Fatalf("%s: c[%d] = %v, want %v", name, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

func BenchmarkTranspose(b *testing.B) {
	for _, rows := range []int{8, 16, 64} {
		src, dst := make([]float32, rows*784), make([]float32, rows*784)
		b.Run(fmt.Sprint(rows, "x784"), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				transpose(src, 784, rows, 784, dst)
			}
		})
	}
}

func TestSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 100, 784, 1000} {
		s := randSlice(rng, n)
		var want float64
		for _, v := range s {
			want += float64(v)
		}
		for name, got := range map[string]float32{"sum": sum(s), "sumGo": sumGo(s)} {
			if math.Abs(float64(got)-want) > 1e-5*float64(n+1) {
				t.Errorf("%s of %d: %v, want %v", name, n, got, want)
			}
		}
	}
}

// TestGemmRowsMatchesDefinition: B given as row offsets into a base (rows overlapping, as the
// shifted views of a convolution's input are) gives the product with B copied out.
func TestGemmRowsMatchesDefinition(t *testing.T) { eachGemmPath(t, testGemmRowsMatchesDefinition) }

func testGemmRowsMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{1, 1, 1}, {8, 48, 9}, {13, 784, 18}, {7, 50, 27}, {16, 196, 144}, {3, 17, 5},
		{25, 64, 11}, {9, 80, 13}, {5, 32, 3}, {47, 112, 4}, // last panels of 16 and 32 columns
		{13, 40, 5}, {25, 24, 7}} { // AVX2: a last panel of exactly 8 columns (the 12-row full kernel)
		m, n, k := s[0], s[1], s[2]
		for _, variant := range []struct{ blas, bias bool }{{false, false}, {false, true}, {true, true}} {
			base := randSlice(rng, 3*n+k)
			offs := make([]int, k)
			dense := make([]float32, k*n)
			for kk := range offs {
				offs[kk] = rng.IntN(len(base) - n + 1)
				copy(dense[kk*n:(kk+1)*n], base[offs[kk]:])
			}
			a := randSlice(rng, m*(k+2))
			var bias []float32
			if variant.bias {
				bias = randSlice(rng, m)
			}
			ldc := n + 3
			want, got := make([]float32, m*ldc), make([]float32, m*ldc)
			naiveGemm(false, false, m, n, k, a, k+2, dense, n, 0, bias, want, ldc)
			g := Gemm{BLAS: variant.blas}
			g.RunRows(m, n, k, a, k+2, base, offs, bias, got, ldc)
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-4*math.Sqrt(float64(k)+1) {
					t.Fatalf("%v %+v: c[%d] = %v, want %v", s, variant, i, got[i], want[i])
				}
			}
		}
	}
}

// TestAddDotRows: C += A·Bᵀ with A's rows as offsets into a base, for shapes that take every
// kernel of each instruction set (AVX-512: 3 and 1 rows by 8/4/2/1 columns, 6×4 and 8×2; AVX2:
// 2×4, 1×4, 4×2, 3×2, 1×2, 8×1, 3×1, 1×1), row lengths with and without a tail (8 to 15: one
// vector and the overlapping last one), and rows shorter than one vector.
func TestAddDotRows(t *testing.T) { eachGemmPath(t, testAddDotRows) }

func testAddDotRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{1, 1, 1}, {3, 8, 16}, {4, 15, 33}, {9, 12, 784}, {144, 8, 196}, {7, 3, 5}, {2, 64, 49}, {18, 1, 300},
		{17, 2, 100}, {13, 6, 40}, {72, 2, 816}, {25, 4, 17}, {11, 14, 64},
		{3, 2, 9}, {11, 2, 13}, {7, 6, 15}, {5, 5, 8}, // tails after one vector, every AVX2 tile
		{4, 9, 5}, {7, 12, 3}} { // rows shorter than one AVX2 vector
		m, n, k := s[0], s[1], s[2]
		base := randSlice(rng, 2*k+m)
		offs := make([]int, m)
		a := make([]float32, m*k)
		for r := range offs {
			offs[r] = rng.IntN(len(base) - k + 1)
			copy(a[r*k:(r+1)*k], base[offs[r]:])
		}
		ldb, ldc := k+1, n+2
		b := randSlice(rng, n*ldb)
		c := randSlice(rng, m*ldc)
		want := append([]float32(nil), c...)
		naiveGemm(false, true, m, n, k, a, k, b, ldb, 1, nil, want, ldc)
		var g Gemm
		g.AddDotRows(m, n, k, base, offs, b, ldb, c, ldc)
		for i := range want {
			if math.Abs(float64(c[i]-want[i])) > 1e-4*math.Sqrt(float64(k)+1) {
				t.Fatalf("%v: c[%d] = %v, want %v", s, i, c[i], want[i])
			}
		}
	}
}

// The kernels work through raw pointers, so Gemm checks the operands' extents first: a slice too
// short for the shape panics instead of being read or written past its end.
func TestGemmRejectsShortOperands(t *testing.T) { eachGemmPath(t, testGemmRejectsShortOperands) }

func testGemmRejectsShortOperands(t *testing.T) {
	m, n, k := 9, 50, 7
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for name, run := range map[string]func(g *Gemm){
		"a":    func(g *Gemm) { g.Run(false, false, m, n, k, a[:len(a)-1], k, b, n, 0, nil, c, n) },
		"b":    func(g *Gemm) { g.Run(false, false, m, n, k, a, k, b[:len(b)-1], n, 0, nil, c, n) },
		"c":    func(g *Gemm) { g.Run(false, false, m, n, k, a, k, b, n, 0, nil, c[:len(c)-1], n) },
		"bias": func(g *Gemm) { g.Run(false, false, m, n, k, a, k, b, n, 0, make([]float32, m-1), c, n) },
		"rows": func(g *Gemm) { g.RunRows(m, n, k, a, k, b[:n+k-1], make([]int, k), nil, c[:len(c)-1], n) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s too short: no panic", name)
				}
			}()
			run(&Gemm{})
		}()
	}
}
