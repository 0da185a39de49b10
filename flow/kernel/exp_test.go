package kernel

import (
	"math"
	"testing"
)

func TestExpf(t *testing.T) {
	var worstExp float64
	for x := -87.0; x <= 88.0; x += 0.0137 {
		want := math.Exp(x)
		got := float64(expf(float32(x)))
		// relative to the float32 input's own value, so input rounding does not count
		want = math.Exp(float64(float32(x)))
		worstExp = math.Max(worstExp, math.Abs(got-want)/want)
	}
	if worstExp > 3e-7 {
		t.Errorf("worst relative error of expf: %.2e", worstExp)
	}
	if expf(100) != float32(math.Inf(1)) || expf(-100) != 0 {
		t.Error("expf does not saturate")
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Error("expf(NaN) is not NaN")
	}
}

var expInputs = func() []float32 {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200-150) * 0.03
	}
	return xs
}()

func BenchmarkExpf(b *testing.B) {
	out := make([]float32, len(expInputs))
	for i := 0; i < b.N; i++ {
		for j, x := range expInputs {
			out[j] = expf(x)
		}
	}
	b.SetBytes(int64(4 * len(expInputs)))
}

func BenchmarkMathExp(b *testing.B) {
	out := make([]float32, len(expInputs))
	for i := 0; i < b.N; i++ {
		for j, x := range expInputs {
			out[j] = float32(math.Exp(float64(x)))
		}
	}
	b.SetBytes(int64(4 * len(expInputs)))
}

func TestExpSlice(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 64, 1001} {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i%400-300)*0.29 + 0.013*float32(i)
		}
		dst := make([]float32, n)
		ExpSlice(dst, src)
		for i, x := range src {
			want := math.Exp(math.Max(float64(x), -87))
			if rel := math.Abs(float64(dst[i])-want) / want; rel > 3e-7 {
				t.Fatalf("n=%d: ExpSlice(%v) = %v, want %v (rel %.1e)", n, x, dst[i], want, rel)
			}
		}
	}
}

func BenchmarkExpSlice(b *testing.B) {
	out := make([]float32, len(expInputs))
	for i := 0; i < b.N; i++ {
		ExpSlice(out, expInputs)
	}
	b.SetBytes(int64(4 * len(expInputs)))
}
