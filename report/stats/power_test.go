package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// as243 is P(T <= t) for the non-central t by Lenth's series (Applied Statistics algorithm AS 243,
// as in R's pnt): an independent method to check the quadrature against.
func as243(t float64, df int, ncp float64) float64 {
	const itrmax, errmax = 1000, 1e-12
	nu := float64(df)
	tt, del, negdel := t, ncp, false
	if t < 0 {
		tt, del, negdel = -t, -ncp, true
	}
	x := tt * tt / (tt*tt + nu)
	tnc := 0.0
	if x > 0 {
		lambda := del * del
		p := 0.5 * math.Exp(-0.5*lambda)
		q := math.Sqrt(2/math.Pi) * p * del
		s := 0.5 - p
		if s < 1e-7 {
			s = -0.5 * math.Expm1(-0.5*lambda)
		}
		a, b := 0.5, 0.5*nu
		rxb := math.Pow(1-x, b)
		lb, _ := math.Lgamma(b)
		lb5, _ := math.Lgamma(0.5 + b)
		albeta := 0.5*math.Log(math.Pi) + lb - lb5
		xodd := mathext.RegIncBeta(a, b, x)
		godd := 2 * rxb * math.Exp(a*math.Log(x)-albeta)
		tnc = b * x
		xeven := 1 - rxb
		if tnc < 2.220446049250313e-16 {
			xeven = tnc
		}
		geven := tnc * rxb
		tnc = p*xodd + q*xeven
		for it := 1; it <= itrmax; it++ {
			a++
			xodd -= godd
			xeven -= geven
			godd *= x * (a + b - 1) / a
			geven *= x * (a + b - 0.5) / (a + 0.5)
			p *= lambda / float64(2*it)
			q *= lambda / float64(2*it+1)
			tnc += p*xodd + q*xeven
			s -= p
			if s < -1e-10 || (s <= 0 && it > 1) {
				break
			}
			if math.Abs(2*s*(xodd-godd)) < errmax {
				break
			}
		}
	}
	tnc += normalCDF(-del)
	if negdel {
		return 1 - tnc
	}
	return tnc
}

func TestNCTCentral(t *testing.T) {
	maxErr := 0.0
	for _, df := range []int{1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 100, 150, 200} {
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
		for _, x := range []float64{-50, -10, -4, -2.5, -1, -0.3, 0, 0.2, 1, 1.96, 3, 6, 20, 100} {
			got, want := nctCDF(x, df, 0), st.CDF(x)
			maxErr = math.Max(maxErr, math.Abs(got-want))
			if !near(got, want, 1e-12) {
				t.Errorf("nctCDF(%v, %d, 0) = %v, central t %v", x, df, got, want)
			}
		}
	}
	t.Logf("largest difference from the central t CDF: %.2g", maxErr)
}

func TestNCTAgainstAS243(t *testing.T) {
	maxErr := 0.0
	for _, df := range []int{1, 2, 3, 5, 7, 10, 19, 30, 60, 100, 200} {
		for _, ncp := range []float64{0.1, 0.5, 1, 2, 3.5, 5, 8, 12, 20, 30, 36} {
			for _, k := range []float64{-2, -0.5, 0.3, 0.8, 0.95, 1, 1.05, 1.2, 1.5, 2, 4} {
				x := k * ncp // around the bulk of the distribution
				got, want := nctCDF(x, df, ncp), as243(x, df, ncp)
				maxErr = math.Max(maxErr, math.Abs(got-want))
				if !near(got, want, 1e-9) {
					t.Errorf("nctCDF(%v, %d, %v) = %.12g, AS 243 %.12g", x, df, ncp, got, want)
				}
			}
		}
	}
	t.Logf("largest difference from AS 243: %.2g", maxErr)
}

// chiIntegral is P(T <= t) for the non-central t by integrating over the normal numerator instead
// of the chi denominator, with gonum's chi-square CDF and fixed Gauss–Legendre quadrature:
//
//	t > 0: P(T <= t) = Φ(−ncp) + ∫_{z > −ncp} φ(z) P(V >= ν(z + ncp)²/t²) dz,
//	t < 0: P(T <= t) =           ∫_{z < −ncp} φ(z) P(V <= ν(z + ncp)²/t²) dz,
//
// V ~ χ²_ν. A second independent method, valid also where AS 243 loses accuracy (ncp near 40).
func chiIntegral(t float64, df int, ncp float64) float64 {
	chi := distuv.ChiSquared{K: float64(df)}
	nu := float64(df)
	phi := func(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
	const zmax = 12 // φ(12) ≈ 2e-32
	if t > 0 {
		lo := math.Max(-ncp, -zmax)
		if lo >= zmax {
			return normalCDF(-ncp)
		}
		f := func(z float64) float64 { u := (z + ncp) / t; return phi(z) * chi.Survival(nu*u*u) }
		return normalCDF(-ncp) + quad.Fixed(f, lo, zmax, 3000, quad.Legendre{}, 0)
	}
	hi := math.Min(-ncp, zmax)
	if hi <= -zmax {
		return 0
	}
	f := func(z float64) float64 { u := (z + ncp) / t; return phi(z) * chi.CDF(nu*u*u) }
	return quad.Fixed(f, -zmax, hi, 3000, quad.Legendre{}, 0)
}

func TestNCTAgainstChiIntegral(t *testing.T) {
	maxErr := 0.0
	for _, df := range []int{1, 2, 4, 9, 25, 80, 200} {
		for _, ncp := range []float64{0, 0.7, 3, 10, 25, 38, 40} {
			for _, k := range []float64{-1.5, 0.5, 0.9, 1, 1.1, 1.4, 3} {
				x := k * math.Max(ncp, 1)
				got, want := nctCDF(x, df, ncp), chiIntegral(x, df, ncp)
				maxErr = math.Max(maxErr, math.Abs(got-want))
				if !near(got, want, 1e-9) {
					t.Errorf("nctCDF(%v, %d, %v) = %.12g, chi integral %.12g", x, df, ncp, got, want)
				}
			}
		}
	}
	t.Logf("largest difference from the chi-square integral: %.2g", maxErr)
}

func TestNCTReferenceR(t *testing.T) {
	// R: power.t.test(n = 20, delta = 1) gives power = 0.8689528: the upper tail of the non-central t
	// with df 38 and ncp sqrt(20/2) beyond qt(0.975, 38).
	c := TQuantile(0.975, 38)
	if got := 1 - nctCDF(c, 38, math.Sqrt(10)); !near(got, 0.8689528, 1e-7) {
		t.Errorf("upper tail = %.9f, R 0.8689528", got)
	}
}

func TestPowerAtZero(t *testing.T) {
	for _, n := range []int{2, 3, 4, 5, 8, 11, 21, 51, 101, 201, 1001} {
		for _, alpha := range []float64{0.05, 0.05 / 3, 0.01, 0.005, 0.1, 0.5} {
			if p := Power(0, 0.3, n, alpha); !near(p, alpha, 1e-12) {
				t.Errorf("Power(0, n=%d, alpha=%v) = %.15g", n, alpha, p)
			}
		}
	}
}

func TestPowerMonotone(t *testing.T) {
	for _, n := range []int{2, 3, 5, 8, 20} {
		prev := Power(0, 1, n, 0.05)
		for d := 0.05; d < 6; d += 0.05 {
			p := Power(d, 1, n, 0.05)
			// Strictly increasing; within rounding (1e-14) once it is indistinguishable from 1.
			if !(p > prev || (p > 1-1e-9 && p >= prev-1e-14)) {
				t.Fatalf("n=%d: Power(%v) = %v, not above Power(%v) = %v", n, d, p, d-0.05, prev)
			}
			if p2 := Power(-d, 1, n, 0.05); p2 != p {
				t.Errorf("Power(-%v) = %v, Power(%v) = %v", d, p2, d, p)
			}
			prev = p
		}
	}
	for _, d := range []float64{0.2, 0.5, 1, 2} {
		prev := Power(d, 1, 2, 0.05)
		for n := 3; n <= 60; n++ {
			p := Power(d, 1, n, 0.05)
			if !(p > prev || (p > 1-1e-9 && p >= prev-1e-14)) {
				t.Fatalf("delta %v: Power(n=%d) = %v, not above Power(n=%d) = %v", d, n, p, n-1, prev)
			}
			prev = p
		}
	}
	// Scale invariance: only delta/sd matters.
	if a, b := Power(0.01, 0.02, 8, 0.05), Power(1, 2, 8, 0.05); !near(a, b, 1e-14) {
		t.Errorf("Power(0.01, 0.02) = %v, Power(1, 2) = %v", a, b)
	}
}

func TestPowerMonteCarlo(t *testing.T) {
	const sims = 200000
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct {
		n             int
		effect, alpha float64
	}{
		{3, 2.0, 0.05}, {5, 1.0, 0.05}, {8, 1.0, 0.05}, {8, 0.5, 0.05}, {8, 1.2, 0.05 / 3}, {12, 0.8, 0.05}, {20, 0.5, 0.05},
	} {
		crit := TQuantile(1-c.alpha/2, c.n-1)
		reject := 0
		x := make([]float64, c.n)
		for range sims {
			for i := range x {
				x[i] = c.effect + rng.NormFloat64()
			}
			m, sd := meanSD(x)
			if math.Abs(m/(sd/math.Sqrt(float64(c.n)))) > crit {
				reject++
			}
		}
		mc := float64(reject) / sims
		p := Power(c.effect, 1, c.n, c.alpha)
		se := math.Sqrt(p * (1 - p) / sims)
		if math.Abs(mc-p) > 3*se {
			t.Errorf("n=%d effect %v alpha %.4f: Power %.5f, simulated %.5f (se %.5f)", c.n, c.effect, c.alpha, p, mc, se)
		}
		t.Logf("n=%d effect %v alpha %.4f: Power %.5f, simulated %.5f (%.1f se)", c.n, c.effect, c.alpha, p, mc, (mc-p)/se)
	}
}

func TestPowerNormalLimit(t *testing.T) {
	// For large n the t test is the z test: Φ(λ − z) + Φ(−λ − z), z = Φ⁻¹(1 − alpha/2), λ = delta·sqrt(n)/sd.
	n := 5000
	z := distuv.UnitNormal.Quantile(0.975)
	for _, lambda := range []float64{0.5, 1, 2, 2.8, 3.5, 5} {
		delta := lambda / math.Sqrt(float64(n))
		want := normalCDF(lambda-z) + normalCDF(-lambda-z)
		if p := Power(delta, 1, n, 0.05); !near(p, want, 5e-4) {
			t.Errorf("n=%d lambda %v: Power %v, normal %v", n, lambda, p, want)
		}
	}
}

func TestPowerInvalid(t *testing.T) {
	for _, p := range []float64{
		Power(1, 1, 1, 0.05), Power(1, -1, 5, 0.05), Power(1, math.NaN(), 5, 0.05), Power(1, math.Inf(1), 5, 0.05),
		Power(1, 1, 5, 0), Power(1, 1, 5, 1), Power(math.NaN(), 1, 5, 0.05),
	} {
		if !math.IsNaN(p) {
			t.Errorf("Power of invalid arguments = %v", p)
		}
	}
	// sd = 0: every value equals delta; the test rejects exactly when delta != 0.
	if Power(0.1, 0, 3, 0.05) != 1 || Power(0, 0, 3, 0.05) != 0 {
		t.Error("Power with sd = 0")
	}
	if Power(math.Inf(1), 1, 3, 0.05) != 1 {
		t.Error("Power(Inf) != 1")
	}
}

func TestMDE(t *testing.T) {
	// The approximation, by hand: n = 8, sd = 0.01, alpha = 0.05, power 0.8:
	// t(0.975, 7) = 2.364624, t(0.8, 7) = 0.896030, sum 3.260654; sqrt(8) = 2.828427;
	// 3.260654·0.01/2.828427 = 0.01152815.
	if q := TQuantile(0.975, 7); !near(q, 2.364624, 1e-6) {
		t.Errorf("t(0.975, 7) = %v", q)
	}
	if q := TQuantile(0.8, 7); !near(q, 0.896030, 1e-6) {
		t.Errorf("t(0.8, 7) = %v", q)
	}
	approx := MDEApprox(0.01, 8, 0.05, 0.8)
	if !near(approx, 0.01152815, 1e-8) {
		t.Errorf("MDEApprox(0.01, 8) = %v, want 0.01152815", approx)
	}
	exact := MDE(0.01, 8, 0.05, 0.8)
	if rel := (exact - approx) / approx; !(rel > 1e-4 && rel < 0.01) {
		t.Errorf("MDE(0.01, 8) = %v, approximation %v: relative difference %v", exact, approx, rel)
	}
	if p := Power(exact, 0.01, 8, 0.05); !near(p, 0.8, 1e-10) || p < 0.8-1e-13 {
		t.Errorf("Power(MDE) = %.15g", p)
	}
	for _, n := range []int{2, 3, 5, 8, 13, 30, 100} {
		for _, alpha := range []float64{0.05, 0.05 / 3, 0.01} {
			for _, pw := range []float64{0.5, 0.8, 0.9} {
				m := MDE(2.5, n, alpha, pw)
				if p := Power(m, 2.5, n, alpha); !near(p, pw, 1e-10) || p < pw-1e-13 {
					t.Errorf("n=%d alpha %v power %v: Power(MDE = %v) = %.15g", n, alpha, pw, m, p)
				}
				if p := Power(m*(1-1e-8), 2.5, n, alpha); !(p < pw) {
					t.Errorf("n=%d alpha %v power %v: MDE %v is not the smallest (power just below %v)", n, alpha, pw, m, p)
				}
				a := MDEApprox(2.5, n, alpha, pw)
				if n >= 13 && math.Abs(m-a)/m > 0.03 {
					t.Errorf("n=%d alpha %v power %v: MDE %v far from approximation %v", n, alpha, pw, m, a)
				}
			}
		}
	}
	// Linear in sd.
	if a, b := MDE(1, 8, 0.05, 0.8), MDE(0.01, 8, 0.05, 0.8); !near(a*0.01, b, 1e-15) {
		t.Errorf("MDE not proportional to sd: %v %v", a, b)
	}
	// Decreasing in n.
	prev := MDE(1, 2, 0.05, 0.8)
	for n := 3; n <= 60; n++ {
		m := MDE(1, n, 0.05, 0.8)
		if !(m < prev) {
			t.Fatalf("MDE(n=%d) = %v, not below MDE(n=%d) = %v", n, m, n-1, prev)
		}
		prev = m
	}
}

func TestMDEDegenerate(t *testing.T) {
	if MDE(0, 5, 0.05, 0.8) != 0 {
		t.Error("MDE with sd = 0 is not 0")
	}
	for _, m := range []float64{
		MDE(1, 1, 0.05, 0.8), MDE(-1, 5, 0.05, 0.8), MDE(math.NaN(), 5, 0.05, 0.8), MDE(math.Inf(1), 5, 0.05, 0.8),
		MDE(1, 5, 0, 0.8), MDE(1, 5, 0.05, 1), MDE(1, 5, 0.05, 0), MDEApprox(1, 1, 0.05, 0.8),
	} {
		if !math.IsNaN(m) {
			t.Errorf("MDE of invalid arguments = %v", m)
		}
	}
	if MDE(1, 5, 0.05, 0.04) != 0 {
		t.Error("MDE with power below alpha is not 0")
	}
}

func TestTestMDE(t *testing.T) {
	a := OneSample([]float64{0.01, -0.003, 0.02, 0.004, 0.011})
	b := OneSample([]float64{0.1, 0.2, 0.3})
	if want := MDE(a.SD, 5, 0.05, Power80); a.MDE != want {
		t.Errorf("family of one: MDE %v, want %v", a.MDE, want)
	}
	Adjust([]*Test{&a, &b}, Alpha)
	if want := MDE(a.SD, 5, 0.025, Power80); a.MDE != want {
		t.Errorf("family of two: MDE %v, want %v", a.MDE, want)
	}
	if want := MDE(b.SD, 3, 0.025, Power80); b.MDE != want {
		t.Errorf("family of two: MDE %v, want %v", b.MDE, want)
	}
}

func TestSeedsNeeded(t *testing.T) {
	for _, sd := range []float64{0.002, 0.01} {
		for _, alpha := range []float64{0.05, 0.05 / 3} {
			for _, ratio := range []float64{0.3, 0.5, 0.8, 1, 1.5, 2, 3} {
				delta := ratio * sd
				n := SeedsNeeded(delta, sd, alpha, 0.8, 500)
				if n < 2 {
					t.Fatalf("SeedsNeeded(%v, %v, %v) = %d", delta, sd, alpha, n)
				}
				if m := MDE(sd, n, alpha, 0.8); !(m <= delta) {
					t.Errorf("SeedsNeeded = %d but MDE(%d) = %v > %v", n, n, m, delta)
				}
				if n > 2 {
					if m := MDE(sd, n-1, alpha, 0.8); !(m > delta) {
						t.Errorf("SeedsNeeded = %d but MDE(%d) = %v <= %v", n, n-1, m, delta)
					}
				}
				if n2 := SeedsNeeded(-delta, sd, alpha, 0.8, 500); n2 != n {
					t.Errorf("SeedsNeeded(-delta) = %d, want %d", n2, n)
				}
			}
		}
	}
	// An effect of one sd at 0.05 and 80%: MDE(10) = 0.996 sd (TestMDE's table), MDE(9) = 1.067 sd.
	if n := SeedsNeeded(1, 1, 0.05, 0.8, 100); n != 10 {
		t.Errorf("SeedsNeeded(1 sd) = %d, want 10", n)
	}
	if n := SeedsNeeded(0.01, 1, 0.05, 0.8, 100); n != 0 {
		t.Errorf("SeedsNeeded beyond maxN = %d, want 0", n)
	}
	if n := SeedsNeeded(100, 1, 0.05, 0.8, 100); n != 2 {
		t.Errorf("SeedsNeeded(100 sd) = %d, want 2", n)
	}
	if n := SeedsNeeded(0.1, 0, 0.05, 0.8, 100); n != 2 {
		t.Errorf("SeedsNeeded with sd = 0: %d, want 2", n)
	}
	if n := SeedsNeeded(0.1, 1, 0.05, 0.8, 1); n != 0 {
		t.Errorf("SeedsNeeded with maxN = 1: %d", n)
	}
}
