package kernel

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVectorLoopsMatchGo: each assembly form of the layer norm, copy, mask and product loops
// gives the Go loop's result (to float32 rounding: the assembly fuses some multiply-adds) at
// lengths that leave every tail from 0 to 15 lanes.
func TestVectorLoopsMatchGo(t *testing.T) {
	levels := vectorLevels()
	if len(levels) == 0 {
		t.Skip("no AVX2 or AVX-512 on this processor")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100} {
		d, x, mean := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
		rstd, sumG, sumGX, base := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
		for i := range rstd {
			rstd[i] = 0.5 + float32(math.Abs(float64(rstd[i])))
			base[i] = float32(math.Abs(float64(base[i])))
		}
		mask := make([]uint32, n)
		for i := range mask {
			mask[i] = uint32(rng.IntN(2)) * math.MaxUint32
		}
		const rows, stride = 3, 2
		loops := map[string]func() []float32{
			"lnAcc":      func() []float32 { dst := clone(base); lnAcc(dst, x); return dst },
			"lnSqDevAcc": func() []float32 { dst := clone(base); lnSqDevAcc(dst, x, mean); return dst },
			"lnNorm":     func() []float32 { out := make([]float32, n); lnNorm(out, x, mean, rstd, 1.3, -0.2); return out },
			"lnGradSums": func() []float32 {
				g, gx := clone(sumG), clone(sumGX)
				lnGradSums(g, gx, d, x, mean, rstd, 0.7)
				return append(g, gx...)
			},
			"lnGrad": func() []float32 {
				dx := make([]float32, n)
				lnGrad(dx, d, x, mean, rstd, sumG, sumGX, 0.7, 0.25)
				return dx
			},
			"lnParamSums": func() []float32 { sg, sb := lnParamSums(d, x, mean, rstd); return []float32{sg, sb} },
			"lnRstd":      func() []float32 { v := clone(base); lnRstd(v, 0.3); return v },
			"mul":         func() []float32 { out := make([]float32, n); mul(out, x, d); return out },
			"mulAdd":      func() []float32 { dst := clone(base); mulAdd(dst, x, d); return dst },
			"copyRows": func() []float32 {
				src := randSlice(rand.New(rand.NewPCG(uint64(n), 1)), rows*(n+stride))
				dst := make([]float32, rows*(n+2*stride))
				copyRows(dst, n+2*stride, src, n+stride, rows, n)
				return dst
			},
			"keep": func() []float32 { // Net.clean's mask, against its definition
				dst := clone(x)
				switch {
				case hasAVX512:
					keepAVX512(dst, mask)
				case hasAVX2FMA:
					keepAVX2(dst, mask)
				default:
					for i, m := range mask {
						if m == 0 {
							dst[i] = 0
						}
					}
				}
				return dst
			},
		}
		for name, loop := range loops {
			want := atLevel(false, false, loop)
			for _, l := range levels {
				got := atLevel(l.avx512, l.avx2, loop)
				for i := range want {
					tol := 1e-5 * (1 + math.Abs(float64(want[i]))) * math.Sqrt(float64(n))
					if math.Abs(float64(got[i]-want[i])) > tol || len(got) != len(want) {
						t.Fatalf("%s %s n=%d: [%d] = %v, Go loop %v", l.name, name, n, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// TestNoLegacySSE: no assembly file of the package uses a legacy SSE instruction on a vector
// register (MOVQ AX, X1 rather than VMOVQ): between VEX instructions with the upper halves in
// use one cost about 150 ns a call on an AMD processor. The generators refuse them in what they
// write; this covers the hand-written files too.
func TestNoLegacySSE(t *testing.T) {
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly files: %v", err)
	}
	vectorReg := regexp.MustCompile(`\b[XYZ]\d+\b`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code := strings.SplitN(line, "//", 2)[0]
			fields := strings.Fields(code)
			if len(fields) == 0 || strings.HasPrefix(fields[0], "V") || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if vectorReg.MatchString(code) {
				t.Errorf("%s:%d: legacy SSE instruction %q", f, i+1, strings.TrimSpace(code))
			}
		}
	}
}

// TestDotTilesCoverRows: every instruction set's dot tiles for a width of B end with a 1-row
// tile, so that addDotRows' loop covers any number of A's rows; a width may have no tiles (then
// the narrower ones cover its columns).
func TestDotTilesCoverRows(t *testing.T) {
	for _, ks := range []*gemmKernels{avx512Gemm, avx2Gemm} {
		for w, tiles := range ks.dots {
			if len(tiles) > 0 && tiles[len(tiles)-1].rows != 1 {
				t.Errorf("%s: the tiles for B's rows by %d end with %d rows, not 1", ks.name, []int{8, 4, 2, 1}[w], tiles[len(tiles)-1].rows)
			}
		}
		if len(ks.dots[3]) == 0 {
			t.Errorf("%s: no tile for single rows of B", ks.name)
		}
	}
}
