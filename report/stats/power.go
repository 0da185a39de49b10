package stats

import (
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"
)

// The non-central t distribution, by numerical integration.
//
// T = (Z + λ)/S with Z standard normal and S = sqrt(V/ν), V ~ χ²_ν, so
//
//	P(T <= t) = ∫_0^∞ Φ(t·s − λ) f_S(s) ds,
//	f_S(s)    = 2 (ν/2)^(ν/2) / Γ(ν/2) · s^(ν−1) · exp(−ν s²/2).
//
// The density of S is smooth on [0, ∞) for every ν >= 1 (for ν = 1 it is the
// half-normal), so the integral over s is done with adaptive Gauss–Legendre
// quadrature (20 against 40 points per panel) on the finite range outside of
// which log f_S is more than chiTailDrop below its peak.

const (
	chiTailDrop = 46    // e^-46 ≈ 1e-20 of the peak density
	quadTol     = 1e-14 // absolute tolerance of the adaptive quadrature
	quadDepth   = 18
)

const quadPanelsInit = 8 // equal panels the range is first split into

var (
	glOnce       sync.Once
	glX20, glW20 []float64 // Gauss–Legendre nodes and weights on [-1, 1]
	glX40, glW40 []float64
)

func glInit() {
	glX20, glW20 = make([]float64, 20), make([]float64, 20)
	glX40, glW40 = make([]float64, 40), make([]float64, 40)
	quad.Legendre{}.FixedLocations(glX20, glW20, -1, 1)
	quad.Legendre{}.FixedLocations(glX40, glW40, -1, 1)
}

func glRule(f func(float64) float64, a, b float64, x, w []float64) float64 {
	c, h := (a+b)/2, (b-a)/2
	sum := 0.0
	for i, xi := range x {
		sum += w[i] * f(c+h*xi)
	}
	return sum * h
}

// adaptGL integrates f over [a, b] to the absolute tolerance tol.
func adaptGL(f func(float64) float64, a, b, tol float64, depth int) float64 {
	r20 := glRule(f, a, b, glX20, glW20)
	r40 := glRule(f, a, b, glX40, glW40)
	// The integrands are non-negative: a relative floor stops the refinement at
	// rounding level.
	if d := math.Abs(r40 - r20); d <= tol || d <= 1e-14*math.Abs(r40) || depth >= quadDepth {
		return r40
	}
	m := (a + b) / 2
	return adaptGL(f, a, m, tol/2, depth+1) + adaptGL(f, m, b, tol/2, depth+1)
}

// integrate integrates f over [a, b] split at the sorted breakpoints inside it
// and into quadPanelsInit equal panels.
func integrate(f func(float64) float64, a, b float64, breaks ...float64) float64 {
	glOnce.Do(glInit)
	pts := make([]float64, 0, quadPanelsInit+1+len(breaks))
	for i := 0; i <= quadPanelsInit; i++ {
		pts = append(pts, a+(b-a)*float64(i)/float64(quadPanelsInit))
	}
	pts[quadPanelsInit] = b
	for _, x := range breaks {
		if x > a && x < b {
			pts = append(pts, x)
		}
	}
	slices.Sort(pts)
	sum := 0.0
	for i := 1; i < len(pts); i++ {
		if pts[i] > pts[i-1] {
			sum += adaptGL(f, pts[i-1], pts[i], quadTol*(pts[i]-pts[i-1])/(b-a), 0)
		}
	}
	return sum
}

// chiS is the distribution of S = sqrt(χ²_ν/ν): its log-density constant and
// the range [lo, hi] that holds all but a negligible part of its mass.
type chiS struct {
	nu, logc, lo, hi float64
	mode, logMode    float64 // the mode (ν > 1) and log f_S there
}

func newChiS(df int) chiS {
	nu := float64(df)
	lg, _ := math.Lgamma(nu / 2)
	c := chiS{nu: nu, logc: math.Ln2 + (nu/2)*math.Log(nu/2) - lg}
	mode := 0.0
	if df > 1 {
		mode = math.Sqrt((nu - 1) / nu)
		c.mode = mode
		c.logMode = c.logc + (nu-1)*(math.Log(mode)-0.5)
	}
	floor := c.logPDF(mode) - chiTailDrop
	if df > 1 { // log f_S → −∞ as s → 0
		lo, hi := 0.0, mode
		for range 200 {
			mid := (lo + hi) / 2
			if c.logPDF(mid) < floor {
				lo = mid
			} else {
				hi = mid
			}
		}
		c.lo = lo
	}
	hi := mode + 1
	for c.logPDF(hi) >= floor {
		hi *= 2
	}
	lo := mode
	for range 200 {
		mid := (lo + hi) / 2
		if c.logPDF(mid) < floor {
			hi = mid
		} else {
			lo = mid
		}
	}
	c.hi = hi
	return c
}

func (c chiS) logPDF(s float64) float64 {
	if s <= 0 {
		if c.nu == 1 {
			return c.logc
		}
		return math.Inf(-1)
	}
	if c.nu == 1 {
		return c.logc - s*s/2
	}
	// (ν−1) ln s − ν s²/2 centred on the mode m = sqrt((ν−1)/ν): with s = m(1+x)
	// it is (ν−1)(ln m − 1/2) + (ν−1)(log1p(x) − x(x+2)/2), whose variable part
	// has no cancellation between terms of size ν (that would leave rounding
	// noise of ν·eps in the density and stall the quadrature for large ν).
	x := s/c.mode - 1
	return c.logMode + (c.nu-1)*(math.Log1p(x)-x*(x+2)/2)
}

func (c chiS) pdf(s float64) float64 { return math.Exp(c.logPDF(s)) }

// normalCDF is Φ(x), accurate in both tails.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// nctCDF is P(T <= t) for the non-central t with df degrees of freedom and
// non-centrality ncp.
func nctCDF(t float64, df int, ncp float64) float64 {
	c := newChiS(df)
	var breaks []float64
	if t != 0 {
		s0 := ncp / t // where the integrand's Φ crosses 1/2
		breaks = []float64{s0 - 4/math.Abs(t), s0, s0 + 4/math.Abs(t)}
	}
	p := integrate(func(s float64) float64 {
		return normalCDF(t*s-ncp) * c.pdf(s)
	}, c.lo, c.hi, breaks...)
	return math.Max(0, math.Min(1, p))
}

// powerNCT is P(|T| > crit) for the non-central t with df degrees of freedom
// and non-centrality ncp >= 0:
//
//	∫ [Φ(ncp − crit·s) + Φ(−ncp − crit·s)] f_S(s) ds.
func powerNCT(ncp, crit float64, c chiS) float64 {
	var breaks []float64
	if crit > 0 {
		s0 := ncp / crit
		breaks = []float64{s0 - 4/crit, s0, s0 + 4/crit}
	}
	p := integrate(func(s float64) float64 {
		return (normalCDF(ncp-crit*s) + normalCDF(-ncp-crit*s)) * c.pdf(s)
	}, c.lo, c.hi, breaks...)
	return math.Max(0, math.Min(1, p))
}

// Power is the power of the two-sided one-sample t test at level alpha with n
// values of standard deviation sd when the true mean is delta: exact, from the
// non-central t distribution with df = n-1 and non-centrality
// |delta|·sqrt(n)/sd, P(|T| > t(1-alpha/2, n-1)). At delta = 0 it is alpha.
//
// It is NaN when n < 2, alpha is not in (0, 1), delta is NaN or sd is negative
// or not finite. With sd = 0 the values are all equal to delta: the test
// always rejects when delta != 0 (Power 1) and never when delta = 0 (Power 0;
// see Test for the degenerate cases).
func Power(delta, sd float64, n int, alpha float64) float64 {
	if n < 2 || !(alpha > 0 && alpha < 1) || math.IsNaN(delta) || !(sd >= 0) || math.IsInf(sd, 1) {
		return math.NaN()
	}
	if sd == 0 {
		if delta == 0 {
			return 0
		}
		return 1
	}
	ncp := math.Abs(delta) * math.Sqrt(float64(n)) / sd
	if math.IsInf(ncp, 1) {
		return 1
	}
	crit := TQuantile(1-alpha/2, n-1)
	return powerNCT(ncp, crit, newChiS(n-1))
}

// MDE is the minimum detectable effect: the smallest delta >= 0 with
// Power(delta, sd, n, alpha) >= power, found by bisection on the
// non-centrality to a relative 1e-12 (so to better than 1e-10 relative in
// delta; the returned value is the upper end of the final bracket, so its
// power is at least power up to the quadrature's 1e-14).
//
// It is NaN when n < 2, sd is negative or not finite, or alpha or power is not
// in (0, 1). With sd = 0 it is 0: any non-zero effect is detected with
// certainty (0 itself is the infimum, not detectable). When power <= alpha it
// is 0 (the test already rejects with probability alpha at delta = 0).
func MDE(sd float64, n int, alpha, power float64) float64 {
	if n < 2 || !(sd >= 0) || math.IsInf(sd, 1) || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1) {
		return math.NaN()
	}
	if sd == 0 {
		return 0
	}
	lambda := mdeNCP(n, alpha, power)
	return lambda * sd / math.Sqrt(float64(n))
}

// mdeKey identifies a minimum detectable non-centrality: it depends on n,
// alpha and power only (the MDE is it times sd/sqrt(n)).
type mdeKey struct {
	n            int
	alpha, power float64
}

// mdeMemo caches mdeNCP: a report asks for the same few (n, alpha, power) for
// every test of a family.
var mdeMemo struct {
	sync.Mutex
	m map[mdeKey]float64
}

const mdeMemoMax = 4096

// mdeNCP is the smallest non-centrality with power >= power (memoized).
func mdeNCP(n int, alpha, power float64) float64 {
	k := mdeKey{n, alpha, power}
	mdeMemo.Lock()
	v, ok := mdeMemo.m[k]
	mdeMemo.Unlock()
	if ok {
		return v
	}
	v = mdeNCPCompute(n, alpha, power)
	mdeMemo.Lock()
	if mdeMemo.m == nil || len(mdeMemo.m) >= mdeMemoMax {
		mdeMemo.m = make(map[mdeKey]float64)
	}
	mdeMemo.m[k] = v
	mdeMemo.Unlock()
	return v
}

func mdeNCPCompute(n int, alpha, power float64) float64 {
	c := newChiS(n - 1)
	crit := TQuantile(1-alpha/2, n-1)
	pw := func(ncp float64) float64 { return powerNCT(ncp, crit, c) }
	if pw(0) >= power {
		return 0
	}
	// Bracket from the usual approximation.
	hi := math.Max(1, crit+TQuantile(power, n-1))
	for pw(hi) < power {
		hi *= 2
		if hi > 1e15 {
			return math.Inf(1)
		}
	}
	lo := 0.0
	for hi-lo > 1e-12*hi {
		mid := (lo + hi) / 2
		if pw(mid) >= power {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// MDEApprox is the usual approximation of the minimum detectable effect,
// (t(1-alpha/2, n-1) + t(power, n-1))·sd/sqrt(n); NaN when n < 2.
func MDEApprox(sd float64, n int, alpha, power float64) float64 {
	if n < 2 {
		return math.NaN()
	}
	return (TQuantile(1-alpha/2, n-1) + TQuantile(power, n-1)) * sd / math.Sqrt(float64(n))
}

// SeedsNeeded is the smallest n >= 2 with MDE(sd, n, alpha, power) <= |delta|,
// or 0 when there is none up to maxN (or the arguments are invalid). It relies
// on MDE decreasing in n and searches by bisection, so the result n satisfies
// MDE(n) <= |delta| < MDE(n-1) (for n > 2).
func SeedsNeeded(delta, sd, alpha, power float64, maxN int) int {
	delta = math.Abs(delta)
	if maxN < 2 || math.IsNaN(delta) {
		return 0
	}
	ok := func(n int) bool {
		m := MDE(sd, n, alpha, power)
		return m <= delta // false for NaN
	}
	if !ok(maxN) {
		return 0
	}
	if ok(2) {
		return 2
	}
	lo, hi := 2, maxN // !ok(lo), ok(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
