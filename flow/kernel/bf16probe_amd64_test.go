package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bf16 is the bfloat16 of a float32 that has one (its top 16 bits).
func bf16(f float32) uint16 { return uint16(math.Float32bits(f) >> 16) }

func fromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// The hand-encoded VDPBF16PS computes, per lane, acc + a[2i+1]·b[2i+1] + a[2i]·b[2i] in float32
// (the products of two bfloat16 are exact in float32; Intel's definition adds the odd one first).
func TestBF16DotEncoding(t *testing.T) {
	if !hasBF16 {
		t.Skip("no AVX512-BF16 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 100 {
		var a, b [32]uint16
		var acc, want [16]float32
		for i := range a {
			a[i] = bf16(float32(rng.NormFloat64()))
			b[i] = bf16(float32(rng.NormFloat64()))
		}
		for i := range acc {
			acc[i] = float32(rng.NormFloat64())
			w := acc[i] + fromBF16(a[2*i+1])*fromBF16(b[2*i+1])
			want[i] = w + fromBF16(a[2*i])*fromBF16(b[2*i])
		}
		bf16Dot(&a, &b, &acc)
		for i := range acc {
			if acc[i] != want[i] {
				t.Fatalf("round %d lane %d: %v, want %v", round, i, acc[i], want[i])
			}
		}
	}
}

// BenchmarkBF16DotThroughput: instructions per second of VDPBF16PS and of VFMADD231PS, and what
// that makes in FLOP/s (64 and 32 per zmm instruction).
func BenchmarkBF16DotThroughput(b *testing.B) {
	const perRound = 16
	for _, c := range []struct {
		name  string
		flops float64
		loop  func(int)
	}{{"fp32-fma", 32, fmaLoop}, {"bf16-dot", 64, bf16DotLoop}} {
		b.Run(c.name, func(b *testing.B) {
			if c.name == "bf16-dot" && !hasBF16 {
				b.Skip("no AVX512-BF16 on this CPU")
			}
			if !hasAVX512 {
				b.Skip("no AVX-512 on this CPU")
			}
			c.loop(b.N)
			s := b.Elapsed().Seconds()
			b.ReportMetric(s*1e9/float64(perRound*b.N), "ns/instr")
			b.ReportMetric(c.flops*perRound*float64(b.N)/s/1e9, "GFLOP/s")
		})
	}
}
