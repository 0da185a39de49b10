package stats

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Alpha is the family-wise significance level of the verdicts.
const Alpha = 0.05

// Confidence is the nominal confidence of an unadjusted interval (1 - Alpha).
const Confidence = 1 - Alpha

// Power80 is the power at which the minimum detectable effect is reported.
const Power80 = 0.8

// exactFlipsMax is the largest number of values whose 2^n sign assignments are
// enumerated; above it the sign-flip test samples monteCarloFlips assignments
// with a fixed seed.
const (
	exactFlipsMax   = 20
	monteCarloFlips = 200000
)

// Summary is the mean of a sample with its spread and a 95% t interval
// (unadjusted; for descriptive tables).
type Summary struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`    // sample standard deviation (n-1); 0 when N < 2
	Lo   float64 `json:"ci_lo"` // 95% t interval; NaN when N < 2
	Hi   float64 `json:"ci_hi"`
}

// Summarize is the mean, standard deviation and 95% t interval of xs. The
// mean of an empty sample is NaN.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs), Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if len(xs) == 0 {
		return s
	}
	var sd float64
	s.Mean, sd = meanSD(xs)
	if len(xs) < 2 {
		return s
	}
	s.SD = sd
	h := TQuantile(1-(1-Confidence)/2, len(xs)-1) * s.SD / math.Sqrt(float64(len(xs)))
	s.Lo, s.Hi = s.Mean-h, s.Mean+h
	return s
}

// meanSD is the mean and the sample standard deviation (n-1) of xs. When all
// values are equal the mean is that value and the standard deviation exactly 0
// (a floating-point mean of equal values need not reproduce them exactly).
func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	equal := true
	for _, x := range xs[1:] {
		if x != xs[0] {
			equal = false
			break
		}
	}
	if equal {
		if len(xs) < 2 {
			return xs[0], math.NaN()
		}
		return xs[0], 0
	}
	mean = stat.Mean(xs, nil)
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	return mean, stat.StdDev(xs, nil)
}

// TQuantile is the p-quantile of Student's t with df degrees of freedom. It is
// NaN when df < 1 or p is outside [0, 1].
func TQuantile(p float64, df int) float64 {
	if df < 1 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(p)
}

// tSurvival is P(T > x) for Student's t with df degrees of freedom.
func tSurvival(x float64, df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Survival(x)
}

// Test is the seed-level test of one contrast from one value per seed.
//
// The fields from Values to SignFlipExact are set by OneSample; the fields from
// Family on by Adjust (OneSample adjusts it as a family of one at Alpha).
//
// Degenerate samples: when N >= 2 and every value is the same non-zero number,
// SD = SE = 0, T = ±Inf, P = 0 and the interval collapses to the point Mean
// (Claimed is true); when every value is 0, T = 0, P = 1 and the interval is
// [0, 0] (Claimed is false). Tests with N < 2 have NaN SD, SE, T, P, PSignFlip,
// interval, adjusted p-values and MDE, and do not count in a family.
type Test struct {
	Values        []float64 // the per-seed values d_s, as given (a copy)
	N             int
	Mean, SD, SE  float64
	T             float64
	DF            int     // N - 1 (0 when N < 2)
	P             float64 // two-sided one-sample t p-value, unadjusted
	PSignFlip     float64 // two-sided sign-flip p over the N values: exact (all 2^N assignments) for N <= 20, else Monte Carlo with a fixed seed, (k+1)/(M+1)
	SignFlipExact bool

	// Set by Adjust (or by OneSample for a family of one):
	Family       int     // m, the tests of the family that could be done (N >= 2)
	TestAlpha    float64 // the per-test level after adjustment: alpha/m (Bonferroni; alpha when m = 0)
	Level        float64 // the interval's confidence: 1 - TestAlpha
	Lo, Hi       float64 // t interval at Level: Mean ± t(1 - TestAlpha/2, N-1)·SE
	PAdj         float64 // min(1, m·P), see Claimed for the boundary convention
	PSignFlipAdj float64 // min(1, m·PSignFlip)
	MDE          float64 // MDE(SD, N, TestAlpha, Power80): 0 when SD = 0, NaN when N < 2

	alpha float64 // the family-wise level Adjust was given
}

// OneSample tests mean(d) = 0 from one value per seed; the result is adjusted
// as a family of one at Alpha (Adjust may be called again for a larger family).
func OneSample(d []float64) Test {
	nan := math.NaN()
	t := Test{
		Values: append([]float64(nil), d...),
		N:      len(d),
		Mean:   nan, SD: nan, SE: nan, T: nan, P: nan, PSignFlip: nan,
		SignFlipExact: true,
	}
	if len(d) > 0 {
		t.Mean, _ = meanSD(d)
	}
	if len(d) >= 2 {
		t.DF = len(d) - 1
		t.Mean, t.SD = meanSD(d)
		t.SE = t.SD / math.Sqrt(float64(len(d)))
		switch {
		case t.SE > 0:
			t.T = t.Mean / t.SE
			t.P = math.Min(1, 2*tSurvival(math.Abs(t.T), t.DF))
		case t.Mean == 0:
			t.T, t.P = 0, 1
		default: // every value the same non-zero number
			t.T, t.P = math.Copysign(math.Inf(1), t.Mean), 0
		}
		t.PSignFlip, t.SignFlipExact = signFlipP(d)
	}
	Adjust([]*Test{&t}, Alpha)
	return t
}

// Adjust applies Bonferroni at family-wise level alpha over the tests with
// N >= 2 (m = their count): it sets Family, TestAlpha, Level, Lo, Hi, PAdj,
// PSignFlipAdj and MDE of every test. Tests with N < 2 get NaN intervals,
// adjusted p-values and MDE. Adjust panics if alpha is not in (0, 1).
//
// PAdj is min(1, m·P), with one convention at the boundary: the interval and
// the p-value are computed separately in floating point (the interval from the
// t quantile, P from the t survival function), so when m·P is within rounding
// of alpha the two could fall on different sides. There the interval decides
// and PAdj is set to the nearest value on the interval's side of alpha
// (alpha itself when the interval contains 0, the next float below alpha when
// it excludes 0). The change is of the order of the quantile's rounding error
// and makes Claimed() == (PAdj < alpha) hold exactly.
func Adjust(tests []*Test, alpha float64) {
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("stats: alpha %v not in (0, 1)", alpha))
	}
	m := 0
	for _, t := range tests {
		if t.N >= 2 {
			m++
		}
	}
	testAlpha := alpha / float64(max(m, 1))
	nan := math.NaN()
	for _, t := range tests {
		t.alpha = alpha
		t.Family = m
		t.TestAlpha = testAlpha
		t.Level = 1 - testAlpha
		if t.N < 2 {
			t.Lo, t.Hi, t.PAdj, t.PSignFlipAdj, t.MDE = nan, nan, nan, nan, nan
			continue
		}
		q := TQuantile(1-testAlpha/2, t.DF)
		h := q * t.SE
		t.Lo, t.Hi = t.Mean-h, t.Mean+h
		if t.SE == 0 {
			t.Lo, t.Hi = t.Mean, t.Mean
		}
		t.PAdj = math.Min(1, float64(m)*t.P)
		claimed := t.Claimed()
		if claimed && !(t.PAdj < alpha) {
			t.PAdj = math.Nextafter(alpha, 0)
		} else if !claimed && t.PAdj < alpha {
			t.PAdj = alpha
		}
		t.PSignFlipAdj = math.Min(1, float64(m)*t.PSignFlip)
		t.MDE = MDE(t.SD, t.N, testAlpha, Power80)
	}
}

// Claimed reports whether a difference is claimed: N >= 2 and the adjusted
// interval [Lo, Hi] excludes 0. After Adjust it agrees exactly with
// PAdj < alpha (see Adjust for the boundary convention).
func (t *Test) Claimed() bool {
	return t.N >= 2 && (t.Lo > 0 || t.Hi < 0)
}

// SignFlipAgrees reports whether the robustness check rejects too: the
// Bonferroni-adjusted sign-flip p is below the family-wise alpha
// (PSignFlipAdj < alpha). It does not look at the t test, so a report can
// show both "claimed, sign-flip agrees" and "claimed, sign-flip cannot
// reject" (with few seeds the sign-flip cannot reach alpha at all: see
// MinSignFlipP).
func (t *Test) SignFlipAgrees() bool {
	a := t.alpha
	if a == 0 { // not adjusted by this package; fall back on the stored level
		a = t.TestAlpha * float64(max(t.Family, 1))
	}
	return t.N >= 2 && t.PSignFlipAdj < a
}

// MinSignFlipP is the smallest two-sided p the exact sign-flip test can give
// with n values: 2/2^n (1 for n <= 1).
func MinSignFlipP(n int) float64 {
	if n <= 1 {
		return 1
	}
	return math.Ldexp(1, 1-n)
}

// signFlipP is the two-sided p-value of the sign-flip test of mean(d) = 0: the
// share of sign assignments whose |sum| is at least the observed |sum| (ties up
// to rounding, 1e-12 of sum |d|, count as at least as extreme). With at most
// exactFlipsMax values all 2^n assignments are enumerated (exact; by symmetry
// half of them suffice); otherwise monteCarloFlips random ones with a fixed
// seed, counting the observed one ((k+1)/(M+1)), so the result is reproducible.
func signFlipP(d []float64) (p float64, exact bool) {
	n := len(d)
	if n == 0 {
		return math.NaN(), true
	}
	obs, scale := 0.0, 0.0
	for _, x := range d {
		obs += x
		scale += math.Abs(x)
	}
	obs = math.Abs(obs)
	tol := 1e-12 * scale
	if n <= exactFlipsMax {
		// An assignment and its negation have the same |sum|: enumerate the
		// assignments that leave the last value's sign alone.
		half := 1 << (n - 1)
		count := 0
		for mask := 0; mask < half; mask++ {
			s := d[n-1]
			for i, x := range d[:n-1] {
				if mask&(1<<i) != 0 {
					s -= x
				} else {
					s += x
				}
			}
			if math.Abs(s) >= obs-tol {
				count++
			}
		}
		return float64(count) / float64(half), true
	}
	rng := rand.New(rand.NewPCG(20240601, uint64(n)))
	count := 0
	for k := 0; k < monteCarloFlips; k++ {
		s := 0.0
		for _, x := range d {
			if rng.Uint64()&1 == 1 {
				s -= x
			} else {
				s += x
			}
		}
		if math.Abs(s) >= obs-tol {
			count++
		}
	}
	return float64(count+1) / float64(monteCarloFlips+1), false
}
