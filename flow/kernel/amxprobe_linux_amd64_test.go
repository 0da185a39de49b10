package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

func amxReady(tb testing.TB) {
	tb.Helper()
	if !hasAMXBF16 {
		tb.Skip("no AMX-BF16 on this CPU")
	}
	if err := requestAMX(); err != nil {
		tb.Skipf("the kernel does not grant AMX: %v", err)
	}
}

// The hand-encoded TDPBF16PS computes c[m][n] + Σ_k a[m][k]·b[k][n] over bfloat16 pairs, to
// float32 rounding of a float64 definition.
func TestAMXBF16Encoding(t *testing.T) {
	amxReady(t)
	var a, b, c [1024]byte
	A, B := (*[512]uint16)(unsafe.Pointer(&a)), (*[512]uint16)(unsafe.Pointer(&b))
	C := (*[256]float32)(unsafe.Pointer(&c))
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range A {
		A[i] = bf16(float32(rng.NormFloat64()))
		B[i] = bf16(float32(rng.NormFloat64()))
	}
	var want [256]float64
	for m := range 16 {
		for n := range 16 {
			C[16*m+n] = float32(rng.NormFloat64())
			s := float64(C[16*m+n])
			for k := range 32 { // k-th bfloat16 of row m of a; pair k/2, element k%2 of row k/2 of b
				s += float64(fromBF16(A[32*m+k])) * float64(fromBF16(B[32*(k/2)+2*n+k%2]))
			}
			want[16*m+n] = s
		}
	}
	amxDot(amxTileConfig(), &a, &b, &c)
	for i, w := range want {
		if d := math.Abs(float64(C[i]) - w); d > 1e-5*math.Max(1, math.Abs(w)) {
			t.Fatalf("c[%d][%d] = %v, want %v", i/16, i%16, C[i], w)
		}
	}
}

// BenchmarkAMXBF16Throughput: the rate of TDPBF16PS (m·16·k·2 FLOPs each) on one core, for the
// full tile (m = 16 rows, k = 32) and the narrower ones the small model's channel counts give.
func BenchmarkAMXBF16Throughput(b *testing.B) {
	amxReady(b)
	for _, m := range []int{4, 8, 16} {
		for _, k := range []int{8, 16, 32} {
			b.Run(fmt.Sprintf("m=%d/k=%d", m, k), func(b *testing.B) { amxThroughput(b, m, k) })
		}
	}
}

func amxThroughput(b *testing.B, m, k int) {
	var x, y [1024]byte // normal bfloat16 data, not zeros that could flatter the rate
	X, Y := (*[512]uint16)(unsafe.Pointer(&x)), (*[512]uint16)(unsafe.Pointer(&y))
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range X {
		X[i], Y[i] = bf16(float32(rng.NormFloat64())), bf16(float32(rng.NormFloat64()))
	}
	b.ResetTimer()
	amxLoop(amxLoopConfig(m, k), &x, &y, b.N)
	s := b.Elapsed().Seconds()
	b.ReportMetric(s*1e9/float64(4*b.N), "ns/instr")
	b.ReportMetric(float64(4*b.N)*float64(m*16*k*2)/s/1e9, "GFLOP/s")
}
