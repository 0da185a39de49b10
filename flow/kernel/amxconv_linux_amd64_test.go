package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// amxLayout is a Net-like padded layout for one map of h rows of stride s: planes of p floats, the
// run of n floats (h·s rounded up to 16) at o, and the offsets of a 3×3 convolution's taps.
type amxLayout struct{ p, o, n int }

func newAMXLayout(h, s int) (amxLayout, []int) {
	up16 := func(v int) int { return (v + 15) / 16 * 16 }
	o := up16(s + 1)
	n := up16(h * s)
	var offs []int
	for kh := range 3 {
		for kw := range 3 {
			offs = append(offs, (kh-1)*s+(kw-1))
		}
	}
	return amxLayout{p: up16(o + n + s + 1), o: o, n: n}, offs
}

// rows are the float32 kernels' im2col row offsets of cin planes at the taps offs.
func (lay amxLayout) rows(cin int, offs []int) []int {
	rows := make([]int, 0, cin*len(offs))
	for ci := range cin {
		for _, off := range offs {
			rows = append(rows, ci*lay.p+lay.o+off)
		}
	}
	return rows
}

// benchGFLOPs runs fn as sub-benchmark name and reports its rate for flops per call.
func benchGFLOPs(b *testing.B, name string, flops float64, fn func()) {
	b.Run(name, func(b *testing.B) {
		for range b.N {
			fn()
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

func randomPlanes(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// amxConv computes, over every float of the run, the convolution of the bfloat16-rounded input
// and weights plus the bias, to float32 accumulation of a float64 definition; for more than 16
// output and 32 input channels (several tiles each way), odd block counts and odd channel counts.
func TestAMXConvDefinition(t *testing.T) {
	if err := amxAvailable(); err != nil {
		t.Skip(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ cout, cin, h, stride int }{
		{8, 16, 28, 29}, {12, 24, 14, 30}, {16, 32, 7, 32}, {2, 16, 28, 29},
		{8, 1, 28, 29}, {20, 40, 5, 6}, {33, 64, 3, 5}, {3, 7, 2, 3},
	} {
		t.Run(fmt.Sprintf("%d<-%d/%dx%d", s.cout, s.cin, s.h, s.stride), func(t *testing.T) {
			lay, offs := newAMXLayout(s.h, s.stride)
			x := randomPlanes(rng, s.cin*lay.p)
			w := randomPlanes(rng, s.cout*s.cin*len(offs))
			bias := randomPlanes(rng, s.cout)
			cv := newAMXConvOf(s.cout, s.cin, offs, w, bias)
			xp, _ := amxPairPlanes(x, s.cin, cv.kpad, lay.p, nil, nil)
			c := make([]float32, s.cout*lay.p)
			cv.run(xp, lay.p, lay.o, lay.n, c, lay.p)
			bf := func(v float32) float64 { return float64(fromBF16(toBF16(v))) }
			for co := range s.cout {
				for p := range lay.n {
					sum, mag := float64(bias[co]), math.Abs(float64(bias[co]))
					for ci := range s.cin {
						for tap, off := range offs {
							term := bf(w[(co*s.cin+ci)*len(offs)+tap]) * bf(x[ci*lay.p+lay.o+p+off])
							sum, mag = sum+term, mag+math.Abs(term)
						}
					}
					if got := float64(c[co*lay.p+p]); math.Abs(got-sum) > 1e-5*mag+1e-6 {
						t.Fatalf("c[%d][%d] = %v, want %v", co, p, got, sum)
					}
				}
			}
		})
	}
}

// amxBenchShapes are 3×3 convolutions the models issue over one map (a group of images for the
// small stages): output and input channels, rows and row stride.
var amxBenchShapes = []struct {
	name                 string
	cout, cin, h, stride int
}{
	{"small-stage1", 8, 16, 28, 29}, {"small-stage2-group2", 12, 24, 14, 30},
	{"small-stage3-group4", 16, 32, 7, 32}, {"small-out", 2, 16, 28, 29},
	{"tutorial-stage1", 32, 64, 28, 29}, {"tutorial-stage3-group4", 64, 128, 7, 32},
}

// BenchmarkAMXConv times a 3×3 convolution over one map of the shapes the models issue, on AMX
// (operands already bfloat16: the packing of the input is not timed, see the package notes) and
// through RunRows in float32 (this package's AVX-512 kernels), side by side.
func BenchmarkAMXConv(b *testing.B) {
	if err := amxAvailable(); err != nil {
		b.Skip(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range amxBenchShapes {
		lay, offs := newAMXLayout(s.h, s.stride)
		x := randomPlanes(rng, s.cin*lay.p)
		w := randomPlanes(rng, s.cout*s.cin*len(offs))
		bias := randomPlanes(rng, s.cout)
		c := make([]float32, s.cout*lay.p)
		flops := 2 * float64(s.cout*s.cin*len(offs)*lay.n)
		cv := newAMXConvOf(s.cout, s.cin, offs, w, bias)
		xp, _ := amxPairPlanes(x, s.cin, cv.kpad, lay.p, nil, nil)
		benchGFLOPs(b, "amx/"+s.name, flops, func() { cv.run(xp, lay.p, lay.o, lay.n, c, lay.p) })
		if !hasAVX512 {
			continue
		}
		rows := lay.rows(s.cin, offs)
		var g Gemm
		benchGFLOPs(b, "fp32/"+s.name, flops, func() { g.RunRows(s.cout, lay.n, len(rows), w, len(rows), x, rows, bias, c, lay.p) })
	}
}

// amxFilter adds into AddDotRows's accumulator (dwᵀ: a row per input channel and tap) the filter
// gradient of the bfloat16-rounded operands, to float32 accumulation of a float64 definition,
// for more than 16 channels each way, odd counts, a 1×1 convolution, and accumulated over two maps.
func TestAMXFilterDefinition(t *testing.T) {
	if err := amxAvailable(); err != nil {
		t.Skip(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range []struct {
		cout, cin, h, stride int
		pointwise            bool
	}{
		{8, 16, 28, 29, false}, {12, 24, 14, 30, false}, {16, 32, 7, 32, false}, {2, 16, 28, 29, false},
		{20, 40, 5, 6, false}, {3, 7, 2, 3, false}, {32, 32, 7, 32, true}, {17, 5, 3, 4, true},
	} {
		t.Run(fmt.Sprintf("%d<-%d/%dx%d/pointwise=%v", s.cout, s.cin, s.h, s.stride, s.pointwise), func(t *testing.T) {
			lay, offs := newAMXLayout(s.h, s.stride)
			if s.pointwise {
				offs = []int{0}
			}
			taps := len(offs)
			x := randomPlanes(rng, s.cin*lay.p)
			dy := randomPlanes(rng, s.cout*lay.p)
			dwT0 := randomPlanes(rng, s.cin*taps*s.cout)
			dwT := append([]float32(nil), dwT0...)
			xb := amxPlanes(x, s.cin, lay.p, nil)
			pairs, _, n32 := amxPixelPairs(dy, s.cout, lay.p, lay.o, lay.n, nil, nil)
			f := newAMXFilter(s.cout, s.cin, offs)
			f.add(xb, lay.p, lay.o, pairs, n32, dwT)
			f.add(xb, lay.p, lay.o, pairs, n32, dwT) // two maps (the same twice): the sums accumulate
			bf := func(v float32) float64 { return float64(fromBF16(toBF16(v))) }
			for co := range s.cout {
				for ci := range s.cin {
					for tap, off := range offs {
						i := (ci*taps+tap)*s.cout + co
						sum, mag := float64(dwT0[i]), math.Abs(float64(dwT0[i]))
						for p := range lay.n {
							term := 2 * bf(dy[co*lay.p+lay.o+p]) * bf(x[ci*lay.p+lay.o+p+off])
							sum, mag = sum+term, mag+math.Abs(term)
						}
						if got := float64(dwT[i]); math.Abs(got-sum) > 1e-5*mag+1e-6 {
							t.Fatalf("dwT[%d·%d+%d][%d] = %v, want %v", ci, taps, tap, co, got, sum)
						}
					}
				}
			}
		})
	}
}

// BenchmarkAMXFilter times the accumulation of a 3×3 convolution's filter gradient over one map
// into AddDotRows's accumulator, on AMX (operands already laid out in bfloat16, not timed) and
// through AddDotRows in float32, side by side.
func BenchmarkAMXFilter(b *testing.B) {
	if err := amxAvailable(); err != nil {
		b.Skip(err)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for _, s := range amxBenchShapes {
		lay, offs := newAMXLayout(s.h, s.stride)
		x := randomPlanes(rng, s.cin*lay.p)
		dy := randomPlanes(rng, s.cout*lay.p)
		dwT := make([]float32, s.cout*s.cin*len(offs))
		flops := 2 * float64(s.cout*s.cin*len(offs)*lay.n)
		xb := amxPlanes(x, s.cin, lay.p, nil)
		pairs, _, n32 := amxPixelPairs(dy, s.cout, lay.p, lay.o, lay.n, nil, nil)
		f := newAMXFilter(s.cout, s.cin, offs)
		benchGFLOPs(b, "amx/"+s.name, flops, func() { f.add(xb, lay.p, lay.o, pairs, n32, dwT) })
		if !hasAVX512 {
			continue
		}
		rows := lay.rows(s.cin, offs)
		var g Gemm
		benchGFLOPs(b, "fp32/"+s.name, flops, func() { g.AddDotRows(len(rows), s.cout, lay.n, x, rows, dy[lay.o:], lay.p, dwT, s.cout) })
	}
}

// BenchmarkAMXPixelPairs: laying out small stage 1's output gradient (8 planes of a 28×28 map)
// as the filter gradient's pixel pairs, which the AMX filter gradient adds per map.
func BenchmarkAMXPixelPairs(b *testing.B) {
	lay, _ := newAMXLayout(28, 29)
	dy := randomPlanes(rand.New(rand.NewPCG(19, 20)), 8*lay.p)
	var dst []uint32
	var rows []uint16
	for range b.N {
		dst, rows, _ = amxPixelPairs(dy, 8, lay.p, lay.o, lay.n, dst, rows)
	}
}

// The pixel pairs' AVX-512 transposition (a gather per pair) and the Go loop agree word for word,
// for partial and several channel blocks.
func TestAMXPixelPairsPaths(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512: the Go loop is the only path")
	}
	defer func(saved bool) { hasAVX512 = saved }(hasAVX512)
	lay, _ := newAMXLayout(5, 7)
	for _, cout := range []int{1, 3, 16, 20} {
		dy := randomPlanes(rand.New(rand.NewPCG(21, uint64(cout))), cout*lay.p)
		hasAVX512 = true
		vec, _, _ := amxPixelPairs(dy, cout, lay.p, lay.o, lay.n, nil, nil)
		hasAVX512 = false
		ref, _, _ := amxPixelPairs(dy, cout, lay.p, lay.o, lay.n, nil, nil)
		for i := range ref {
			if vec[i] != ref[i] {
				t.Fatalf("cout=%d: word %d = %#08x, the Go loop's %#08x", cout, i, vec[i], ref[i])
			}
		}
	}
}

// BenchmarkAMXConvInterleaved: small stage 1's forward on AMX alone, and with an ELU pass of its
// input between calls, as the Net runs it: whether switching between the tile unit and AVX-512
// costs more than the two alone.
func BenchmarkAMXConvInterleaved(b *testing.B) {
	if err := amxAvailable(); err != nil {
		b.Skip(err)
	}
	rng := rand.New(rand.NewPCG(23, 24))
	lay, offs := newAMXLayout(28, 29)
	const cout, cin = 8, 16
	x := randomPlanes(rng, cin*lay.p)
	cv := newAMXConvOf(cout, cin, offs, randomPlanes(rng, cout*cin*9), randomPlanes(rng, cout))
	xp, _ := amxPairPlanes(x, cin, cv.kpad, lay.p, nil, nil)
	c := make([]float32, cout*lay.p)
	pos, neg := make([]float32, lay.p), make([]float32, lay.p)
	elu := func() {
		for ci := range cin / 2 {
			eluImage(pos, neg, x[ci*lay.p:(ci+1)*lay.p])
		}
	}
	b.Run("amx", func(b *testing.B) {
		for range b.N {
			cv.run(xp, lay.p, lay.o, lay.n, c, lay.p)
		}
	})
	b.Run("elu", func(b *testing.B) {
		for range b.N {
			elu()
		}
	})
	b.Run("amx+elu", func(b *testing.B) {
		for range b.N {
			cv.run(xp, lay.p, lay.o, lay.n, c, lay.p)
			elu()
		}
	})
}
