package report

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Level is the confidence level of every interval in the report.
const Level = 0.95

// Alpha is the significance level the verdicts use (after Holm's correction).
const Alpha = 0.05

// exactFlipsMax is the largest number of pairs whose 2^n sign flips are enumerated; above it the
// permutation test samples MonteCarloFlips flips with a fixed seed.
const (
	exactFlipsMax   = 20
	MonteCarloFlips = 200000
)

// Summary is the mean of a sample with its spread and a t confidence interval.
type Summary struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`    // sample standard deviation (n-1); 0 when N < 2
	Lo   float64 `json:"ci_lo"` // 95% t interval; NaN (null in JSON) when N < 2
	Hi   float64 `json:"ci_hi"`
}

// Summarize is the mean, standard deviation and 95% t interval of xs.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs), Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if len(xs) == 0 {
		return s
	}
	s.Mean = stat.Mean(xs, nil)
	if len(xs) < 2 {
		return s
	}
	s.SD = stat.StdDev(xs, nil)
	h := tQuantile(len(xs)-1) * s.SD / math.Sqrt(float64(len(xs)))
	s.Lo, s.Hi = s.Mean-h, s.Mean+h
	return s
}

// tQuantile is the two-sided 95% quantile of Student's t with df degrees of freedom.
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - (1-Level)/2)
}

// Paired is the test of paired differences d (alternative minus reference, or a difference of
// differences): their summary, the two-sided paired t-test p-value and the two-sided sign-flip
// permutation p-value.
type Paired struct {
	Summary
	T      float64 `json:"t"`
	PT     float64 `json:"p_t"`           // paired t-test, two-sided
	PPerm  float64 `json:"p_perm"`        // sign-flip permutation test, two-sided
	Exact  bool    `json:"perm_exact"`    // all 2^n flips enumerated (else Monte Carlo)
	PTHolm float64 `json:"p_t_holm"`      // after Holm's correction within its family
	PPHolm float64 `json:"p_perm_holm"`   // idem for the permutation p-value
	Family int     `json:"holm_family_n"` // tests in the Holm family
}

// TestPaired tests whether the mean of the paired differences d is zero.
func TestPaired(d []float64) Paired {
	p := Paired{Summary: Summarize(d), T: math.NaN(), PT: math.NaN(), PPerm: math.NaN(), PTHolm: math.NaN(), PPHolm: math.NaN()}
	if len(d) < 2 {
		return p
	}
	se := p.SD / math.Sqrt(float64(len(d)))
	switch {
	case se > 0:
		p.T = p.Mean / se
		p.PT = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(d) - 1)}.Survival(math.Abs(p.T))
	case p.Mean == 0:
		p.T, p.PT = 0, 1
	default: // every difference the same non-zero number
		p.T, p.PT = math.Copysign(math.Inf(1), p.Mean), 0
	}
	p.PPerm, p.Exact = SignFlipP(d)
	return p
}

// SignFlipP is the two-sided p-value of the sign-flip permutation test of mean(d) = 0: the share
// of sign assignments whose |sum| is at least the observed |sum|. With at most 20 differences all
// 2^n assignments are enumerated (exact); otherwise MonteCarloFlips random ones with a fixed seed,
// counting the observed one ((k+1)/(N+1)), so the result is reproducible.
func SignFlipP(d []float64) (p float64, exact bool) {
	n := len(d)
	if n == 0 {
		return math.NaN(), true
	}
	obs := 0.0
	scale := 0.0
	for _, x := range d {
		obs += x
		scale += math.Abs(x)
	}
	obs = math.Abs(obs)
	tol := 1e-12 * scale // ties up to rounding count as "at least as extreme"
	if n <= exactFlipsMax {
		count := 0
		total := 1 << n
		for mask := 0; mask < total; mask++ {
			s := 0.0
			for i, x := range d {
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
		return float64(count) / float64(total), true
	}
	rng := rand.New(rand.NewPCG(20240601, uint64(n)))
	count := 0
	for k := 0; k < MonteCarloFlips; k++ {
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
	return float64(count+1) / float64(MonteCarloFlips+1), false
}

// Holm adjusts p-values for multiple comparisons (Holm–Bonferroni step-down): the i-th smallest
// p is multiplied by (m - i), made monotone, capped at 1. NaN p-values (tests that could not be
// done) stay NaN and do not count in m.
func Holm(ps []float64) []float64 {
	out := make([]float64, len(ps))
	var idx []int
	for i, p := range ps {
		out[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	m := len(idx)
	running := 0.0
	for r, i := range idx {
		adj := math.Min(1, float64(m-r)*ps[i])
		running = math.Max(running, adj)
		out[i] = running
	}
	return out
}

// holmFamily fills PTHolm, PPHolm and Family of every test in the family.
func holmFamily(tests []*Paired) {
	pt := make([]float64, len(tests))
	pp := make([]float64, len(tests))
	n := 0
	for i, t := range tests {
		pt[i], pp[i] = t.PT, t.PPerm
		if !math.IsNaN(t.PT) {
			n++
		}
	}
	ht, hp := Holm(pt), Holm(pp)
	for i, t := range tests {
		t.PTHolm, t.PPHolm, t.Family = ht[i], hp[i], n
	}
}
