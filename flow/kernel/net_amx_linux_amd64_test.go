package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// netRun is one training Forward and Backward of k with L = ½|out|² (dout = the first run's
// out, given), returning out, dx and every gradient, named.
func netRun(k *Net, c netCase, x []float32, p *NetParams, dout []float32) ([]string, [][]float32) {
	out, dx := make([]float32, c.n*c.cout*c.h*c.w), make([]float32, len(x))
	_, g := randNet(rand.New(rand.NewPCG(1, 1)), c, 1)
	k.Forward(x, p, out)
	if dout == nil {
		dout = out
	}
	k.Backward(dout, p, dx, g)
	names, gs := g.tensors()
	return append([]string{"out", "dx"}, names...), append([][]float32{out, dx}, gs...)
}

func relRMS(got, want []float32) float64 {
	var ss, sd float64
	for i := range want {
		d := float64(got[i] - want[i])
		ss, sd = ss+float64(want[i])*float64(want[i]), sd+d*d
	}
	if ss == 0 {
		return math.Sqrt(sd)
	}
	return math.Sqrt(sd / ss)
}

// With UseBF16 the Net's output, dx and every gradient differ from the float32 Net's by no more
// than bfloat16 rounding explains: each tensor's RMS difference within 3% of its RMS (several
// roundings of 2⁻⁹ each), or within 4× what the float32 Net itself moves when its input gets
// noise of bfloat16's relative size (a LayerNorm over few channels makes some gradients that
// sensitive). A wrong weight, layout or tap moves them by their whole size. Twice (buffers
// reused), on several workers; besides the shared shapes, networks of 40 and 48 channel ELU pairs
// (several input blocks per tap, zero-padded channel pairs) and an odd input.
func TestNetBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	informative := 0
	cases := append(slices.Clone(netCases), netCase{3, 5, 20, 6, 7, 7, 1, 2}, netCase{2, 3, 24, 4, 9, 9, 2, 1})
	for _, c := range cases {
		p, _ := randNet(rng, c, 0.2)
		x := randSlice(rng, c.n*c.cin*c.h*c.w)
		noisy := append([]float32(nil), x...)
		for i := range noisy {
			noisy[i] *= 1 + float32(rng.NormFloat64())/512
		}
		k32 := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
		k16 := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
		if err := k16.UseBF16(); err != nil {
			t.Skip(err)
		}
		k32.Train, k16.Train = true, true
		names, want := netRun(k32, c, x, p, nil)
		_, moved := netRun(k32, c, noisy, p, want[0])
		var got [][]float32
		for range 2 {
			_, got = netRun(k16, c, x, p, want[0])
		}
		sensitive := false
		for i, name := range names {
			sens := relRMS(moved[i], want[i])
			sensitive = sensitive || sens > 0.05
			if d := relRMS(got[i], want[i]); d > math.Max(0.03, 4*sens) {
				t.Errorf("%+v: %s: RMS difference %.2g of its RMS against float32 (noise of 2⁻⁹ on the input moves it %.2g)", c, name, d, sens)
			}
		}
		if !sensitive {
			informative++
		}
	}
	if informative < len(cases)/2 {
		t.Errorf("only %d of %d cases are well enough conditioned to tell bfloat16 rounding from a mistake", informative, len(cases))
	}
}

// BenchmarkNetBF16 times a training step's Net (Forward and Backward) of the small preset's
// shapes, batch 64, one worker, in float32 and with UseBF16.
func BenchmarkNetBF16(b *testing.B) {
	for _, c := range []netCase{{64, 1, 8, 2, 28, 28, 1, 1}, {64, 4, 12, 8, 14, 14, 1, 1}, {64, 8, 16, 16, 7, 7, 1, 1}} {
		rng := rand.New(rand.NewPCG(43, 43))
		p, g := randNet(rng, c, 0.2)
		x := randSlice(rng, c.n*c.cin*c.h*c.w)
		dout := randSlice(rng, c.n*c.cout*c.h*c.w)
		out, dx := make([]float32, len(dout)), make([]float32, len(x))
		for _, bf16 := range []bool{false, true} {
			k := NewNet(NewPool(c.workers), c.n, c.cin, c.hidden, c.cout, c.h, c.w, c.layers)
			k.Train = true
			if bf16 {
				if err := k.UseBF16(); err != nil {
					b.Skip(err)
				}
			}
			b.Run(fmt.Sprintf("%dx%dx%d-hidden%d/bf16=%v", c.cin, c.h, c.w, c.hidden, bf16), func(b *testing.B) {
				for range b.N {
					k.Forward(x, p, out)
					k.Backward(dout, p, dx, g)
				}
			})
		}
	}
}
