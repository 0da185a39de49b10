package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// toBF16 rounds to nearest, ties to even, quietens NaNs and flushes denormals, as
// VCVTNE2PS2BF16 does.
func TestToBF16(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1
		{0x3f808000, 0x3f80}, // halfway, even below: down
		{0x3f818000, 0x3f82}, // halfway, odd below: up
		{0x3f808001, 0x3f81}, // above halfway: up
		{0x7f7fffff, 0x7f80}, // the largest float32 rounds to +Inf
		{0x7fc00001, 0x7fc0}, // NaN stays NaN
		{0x7f800001, 0x7fc0}, // a signalling NaN too (quietened)
		{0x80000000, 0x8000}, // -0
		{0x007fffff, 0x0000}, // the largest denormal: flushed
		{0x80400000, 0x8000}, // a negative denormal: -0
		{0x00800000, 0x0080}, // the smallest normal stays
	} {
		if got := toBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("toBF16(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// bf16Specimens are floats of every kind: normal of many scales, halfway cases, denormals,
// zeros, infinities and NaNs.
func bf16Specimens(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch i % 8 {
		case 0:
			x[i] = math.Float32frombits(rng.Uint32()) // any bit pattern, NaNs and denormals included
		case 1:
			x[i] = math.Float32frombits(rng.Uint32()&0xffff0000 | 0x8000) // exactly halfway
		case 2:
			x[i] = math.Float32frombits(rng.Uint32() & 0x807fffff) // denormal or zero
		case 3:
			x[i] = float32(math.Inf(1 - 2*(i/8%2)))
		default:
			x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10)))
		}
	}
	return x
}

// The AVX512-BF16 conversions give toBF16's bits, element for element, at every length (the
// vector loop and the Go tail).
func TestBF16Conversions(t *testing.T) {
	if !hasBF16 {
		t.Skip("no AVX512-BF16: the Go loops are the only path")
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 64, 100, 1000} {
		a, b := bf16Specimens(rng, n), bf16Specimens(rng, n)
		run, pairs := make([]uint16, n), make([]uint32, n)
		toBF16Run(run, a)
		toBF16Pairs(pairs, a, b)
		for i := range n {
			if want := toBF16(a[i]); run[i] != want {
				t.Fatalf("n=%d: run[%d] = %#04x, want %#04x (from %#08x)", n, i, run[i], want, math.Float32bits(a[i]))
			}
			if want := uint32(toBF16(a[i])) | uint32(toBF16(b[i]))<<16; pairs[i] != want {
				t.Fatalf("n=%d: pairs[%d] = %#08x, want %#08x", n, i, pairs[i], want)
			}
		}
	}
}

// BenchmarkBF16Pairs: laying out a 3×3 convolution's input as bfloat16 pairs (small stage 1: 16
// planes of a 28×28 map), what the AMX forward would add per map unless the pass that writes the
// input writes it so.
func BenchmarkBF16Pairs(b *testing.B) {
	const planes, plane = 16, 912
	rng := rand.New(rand.NewPCG(17, 18))
	x := make([]float32, planes*plane)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	dst := make([]uint32, planes/2*plane)
	for range b.N {
		for q := range planes / 2 {
			toBF16Pairs(dst[q*plane:(q+1)*plane], x[2*q*plane:(2*q+1)*plane], x[(2*q+1)*plane:(2*q+2)*plane])
		}
	}
	b.ReportMetric(float64(4*planes*plane)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s-read")
}
