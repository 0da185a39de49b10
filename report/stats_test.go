package report

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %.10g, want %.10g (±%g)", what, got, want, tol)
	}
}

// Hand-computed: 1, 2, 3, 4 has mean 2.5, sd sqrt(5/3) = 1.2909944; t(0.975, 3) = 3.1824463;
// half-width 3.1824463 · 1.2909944 / 2 = 2.0542603.
func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, 4})
	near(t, "mean", s.Mean, 2.5, 1e-12)
	near(t, "sd", s.SD, math.Sqrt(5.0/3), 1e-12)
	near(t, "lo", s.Lo, 2.5-2.0542603, 1e-6)
	near(t, "hi", s.Hi, 2.5+2.0542603, 1e-6)
	one := Summarize([]float64{7})
	if one.N != 1 || one.Mean != 7 || !math.IsNaN(one.Lo) {
		t.Errorf("one value: %+v", one)
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Mean) {
		t.Errorf("no values: %+v", s)
	}
}

func TestPairedT(t *testing.T) {
	// d = 1, 2, 3, 4: t = 2.5 / (1.2909944/2) = 3.8729833, df 3, two-sided p = 0.030466.
	p := TestPaired([]float64{1, 2, 3, 4})
	near(t, "t", p.T, 3.8729833, 1e-6)
	near(t, "p", p.PT, 0.0304655, 1e-5)
	// The same p from gonum's t distribution, on other data.
	d := []float64{0.3, -0.1, 0.25, 0.4, 0.05, 0.12}
	q := TestPaired(d)
	m, sd := stat.MeanStdDev(d, nil)
	tt := m / (sd / math.Sqrt(6))
	near(t, "t (gonum)", q.T, tt, 1e-12)
	near(t, "p (gonum)", q.PT, 2*distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 5}.CDF(-math.Abs(tt)), 1e-12)
	// Constant differences: no spread; zero is p = 1, non-zero p = 0.
	if z := TestPaired([]float64{0, 0, 0}); z.PT != 1 || z.PPerm != 1 {
		t.Errorf("all zero: p_t %v p_perm %v, want 1, 1", z.PT, z.PPerm)
	}
	if c := TestPaired([]float64{0.5, 0.5, 0.5}); c.PT != 0 || c.PPerm != 0.25 {
		t.Errorf("constant 0.5: p_t %v p_perm %v, want 0, 2/8", c.PT, c.PPerm)
	}
	if one := TestPaired([]float64{1}); !math.IsNaN(one.PT) || !math.IsNaN(one.PPerm) {
		t.Errorf("one pair must not be tested: %+v", one)
	}
}

func TestSignFlip(t *testing.T) {
	// 1, 2, 3, 4: only all-plus and all-minus reach |sum| = 10: 2/16.
	p, exact := SignFlipP([]float64{1, 2, 3, 4})
	if !exact || p != 0.125 {
		t.Errorf("p = %v exact %v, want 0.125 exact", p, exact)
	}
	// 1, -1, 2: sums ±1±1±2 = 4, 2, 2, 0, 0, -2, -2, -4; |s| >= 2 in 6 of 8.
	if p, _ := SignFlipP([]float64{1, -1, 2}); p != 0.75 {
		t.Errorf("p = %v, want 0.75", p)
	}
	// Above 20 pairs: Monte Carlo with a fixed seed, close to the exact value and reproducible.
	d := make([]float64, 22)
	for i := range d {
		d[i] = math.Sin(float64(i)*1.7) + 0.25
	}
	exactP := bruteSignFlip(d)
	mc, ex := SignFlipP(d)
	mc2, _ := SignFlipP(d)
	if ex || mc != mc2 {
		t.Errorf("Monte Carlo: exact %v, p %v then %v", ex, mc, mc2)
	}
	near(t, "Monte Carlo p", mc, exactP, 0.005)
}

func bruteSignFlip(d []float64) float64 {
	obs := 0.0
	for _, x := range d {
		obs += x
	}
	count := 0
	for mask := 0; mask < 1<<len(d); mask++ {
		s := 0.0
		for i, x := range d {
			if mask&(1<<i) != 0 {
				s -= x
			} else {
				s += x
			}
		}
		if math.Abs(s) >= math.Abs(obs)-1e-12 {
			count++
		}
	}
	return float64(count) / float64(int(1)<<len(d))
}

func TestHolm(t *testing.T) {
	// Sorted 0.01, 0.03, 0.04, 0.5 -> 4·0.01, 3·0.03, max(2·0.04, 0.09), 0.5.
	got := Holm([]float64{0.01, 0.04, 0.03, 0.5})
	want := []float64{0.04, 0.09, 0.09, 0.5}
	for i := range want {
		near(t, "holm", got[i], want[i], 1e-12)
	}
	// NaN (untestable) stays NaN and does not count; capped at 1.
	got = Holm([]float64{math.NaN(), 0.6, 0.01})
	if !math.IsNaN(got[0]) {
		t.Errorf("NaN adjusted to %v", got[0])
	}
	near(t, "holm cap", got[1], 0.6, 1e-12)
	near(t, "holm m=2", got[2], 0.02, 1e-12)
}

func TestFmt(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want string
	}{{0.0004, "< 0.001"}, {0.0123, "= 0.012"}, {math.NaN(), "= n/a"}} {
		if got := FmtP(c.p); got != c.want {
			t.Errorf("FmtP(%v) = %q, want %q", c.p, got, c.want)
		}
	}
	if got := fmtNum(-0.00001, 4); got != "0.0000" {
		t.Errorf("fmtNum(-0.00001) = %q", got)
	}
	if got := groupThousands(1711818); got != "1,711,818" {
		t.Errorf("groupThousands = %q", got)
	}
}
