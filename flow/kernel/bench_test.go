package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The convolution shapes of the small (batch 64) and tutorial (batch 128) presets' nets.
var convShapes = []struct {
	name                  string
	n, cin, cout, h, w, k int
}{
	{"small/stage1/gated3x3", 64, 16, 8, 28, 28, 3},
	{"small/stage1/gated1x1", 64, 16, 16, 28, 28, 1},
	{"small/stage2/gated3x3", 64, 24, 12, 14, 14, 3},
	{"small/stage3/gated3x3", 64, 32, 16, 7, 7, 3},
	{"tutorial/stage1/gated3x3", 128, 64, 32, 28, 28, 3},
	{"tutorial/stage2/gated3x3", 128, 96, 48, 14, 14, 3},
	{"tutorial/stage3/gated3x3", 128, 128, 64, 7, 7, 3},
	{"tutorial/stage1/gated1x1", 128, 64, 64, 28, 28, 1},
}

func BenchmarkConv(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range convShapes {
		c := NewConv(NewPool(0), s.n, s.cin, s.cout, s.h, s.w, s.k)
		x := randSlice(rng, s.n*s.cin*s.h*s.w)
		w := randSlice(rng, s.cout*s.cin*s.k*s.k)
		bias := randSlice(rng, s.cout)
		out := make([]float32, s.n*s.cout*s.h*s.w)
		dx, dw := make([]float32, len(x)), make([]float32, len(w))
		flops := float64(2 * s.n * s.cin * s.cout * s.k * s.k * s.h * s.w)
		for _, pass := range []struct {
			name  string
			gemms float64 // GEMMs of the conv's size per call
			run   func()
		}{
			{"forward", 1, func() { c.Forward(x, w, bias, out) }},
			{"backward", 2, func() { c.Backward(x, out, w, dx, dw, bias) }},
		} {
			b.Run(fmt.Sprintf("%s/%s", s.name, pass.name), func(b *testing.B) {
				pass.run()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					pass.run()
				}
				b.ReportMetric(pass.gemms*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkPointwise(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, s := range []Batch{{64, 8, 28, 28}, {128, 32, 28, 28}} {
		size := s.N * s.C * s.H * s.W
		p := NewPool(0)
		x, h := randSlice(rng, size), randSlice(rng, 2*size)
		out2, out, dx := make([]float32, 2*size), make([]float32, size), make([]float32, size)
		gamma, beta := randSlice(rng, s.C), randSlice(rng, s.C)
		stats := make([]float32, 2*s.N*s.H*s.W)
		scratch := make([][]float32, p.Workers)
		dg, db := make([]float32, s.C), make([]float32, s.C)
		for _, op := range []struct {
			name string
			run  func()
		}{
			{"concat_elu", func() { ConcatELUForward(p, s, x, out2) }},
			{"concat_elu.dx", func() { ConcatELUBackward(p, s, out2, h, dx) }},
			{"layer_norm", func() { LayerNormForward(p, s, x, gamma, beta, out, stats) }},
			{"layer_norm.dx", func() { LayerNormBackward(p, s, x, gamma, out, stats, dx, scratch) }},
			{"layer_norm.dgamma", func() { LayerNormParamGrads(p, s, x, out, stats, dg, db, scratch) }},
			{"gated", func() { GatedForward(p, s, x, h, out, dx) }},
			{"gated.dh", func() { GatedBackwardH(p, s, h, dx, x, out2) }},
		} {
			b.Run(fmt.Sprintf("%dx%dx%dx%d/%s", s.N, s.C, s.H, s.W, op.name), func(b *testing.B) {
				op.run()
				b.ReportAllocs()
				b.SetBytes(int64(4 * size))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					op.run()
				}
			})
		}
	}
}
