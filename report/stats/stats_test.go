package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSummarize(t *testing.T) {
	// {1, 2, 3, 4}: mean 2.5; squared deviations 2.25+0.25+0.25+2.25 = 5, sd = sqrt(5/3) = 1.2909944;
	// t(0.975, 3) = 3.1824463; half width 3.1824463·1.2909944/2 = 3.1824463·0.6454972 = 2.0542603.
	s := Summarize([]float64{1, 2, 3, 4})
	if s.N != 4 || s.Mean != 2.5 || !near(s.SD, math.Sqrt(5.0/3), 1e-15) {
		t.Fatalf("Summarize = %+v", s)
	}
	if !near(s.Lo, 2.5-2.0542603, 1e-7) || !near(s.Hi, 2.5+2.0542603, 1e-7) {
		t.Errorf("interval [%v, %v], want 2.5 ± 2.0542603", s.Lo, s.Hi)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		xs := make([]float64, 2+rng.IntN(10))
		for i := range xs {
			xs[i] = rng.NormFloat64()*3 + 1
		}
		s := Summarize(xs)
		m, sd := stat.MeanStdDev(xs, nil)
		q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
		h := q * sd / math.Sqrt(float64(len(xs)))
		if !near(s.Mean, m, 1e-13) || !near(s.SD, sd, 1e-13) || !near(s.Lo, m-h, 1e-12) || !near(s.Hi, m+h, 1e-12) {
			t.Fatalf("Summarize(%v) = %+v, want mean %v sd %v ± %v", xs, s, m, sd, h)
		}
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Mean) || !math.IsNaN(s.Lo) || !math.IsNaN(s.Hi) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
	if s := Summarize([]float64{3}); s.Mean != 3 || s.SD != 0 || !math.IsNaN(s.Lo) || !math.IsNaN(s.Hi) {
		t.Errorf("Summarize({3}) = %+v", s)
	}
	// Equal values: sd exactly 0 and the interval is the point (0.1 is not exact in binary; a
	// floating mean would not return it).
	if s := Summarize([]float64{0.1, 0.1, 0.1}); s.Mean != 0.1 || s.SD != 0 || s.Lo != 0.1 || s.Hi != 0.1 {
		t.Errorf("Summarize(0.1 x3) = %+v", s)
	}
}

func TestTQuantile(t *testing.T) {
	for _, p := range []float64{0.6, 0.8, 0.9, 0.975, 0.995, 0.999, 0.1, 0.025} {
		// df = 1 (Cauchy): tan(π(p − 1/2)); df = 2: (2p − 1)/sqrt(2p(1 − p)).
		if q, want := TQuantile(p, 1), math.Tan(math.Pi*(p-0.5)); !near(q, want, 1e-9*math.Max(1, math.Abs(want))) {
			t.Errorf("TQuantile(%v, 1) = %v, want %v", p, q, want)
		}
		if q, want := TQuantile(p, 2), (2*p-1)/math.Sqrt(2*p*(1-p)); !near(q, want, 1e-9*math.Max(1, math.Abs(want))) {
			t.Errorf("TQuantile(%v, 2) = %v, want %v", p, q, want)
		}
	}
	// Table values.
	for _, c := range []struct {
		p    float64
		df   int
		want float64
	}{
		{0.975, 2, 4.302653}, {0.975, 7, 2.364624}, {0.8, 7, 0.896030}, {0.975, 6, 2.446912},
		{0.975, 30, 2.042272}, {0.995, 10, 3.169273},
	} {
		if q := TQuantile(c.p, c.df); !near(q, c.want, 1e-6) {
			t.Errorf("TQuantile(%v, %d) = %v, want %v", c.p, c.df, q, c.want)
		}
	}
	if !math.IsNaN(TQuantile(0.975, 0)) || !math.IsNaN(TQuantile(1.5, 3)) || !math.IsNaN(TQuantile(math.NaN(), 3)) {
		t.Error("TQuantile of invalid arguments is not NaN")
	}
}

func TestOneSamplePValue(t *testing.T) {
	// df = 3, d = {1, 2, 3, 4}: T = 2.5/(sqrt(5/3)/2) = sqrt(15) = 3.8729833. With θ = atan(T/sqrt(3)),
	// the two-sided p of t_3 is 1 − (2/π)(θ + sin θ cos θ): θ = atan(sqrt(5)) = 1.1502620,
	// sin θ cos θ = tan θ/(1 + tan² θ) = sqrt(5)/6 = 0.3726780, p = 1 − (2/π)·1.5229400 = 1 − 0.9695337 = 0.0304663.
	ts := OneSample([]float64{1, 2, 3, 4})
	if !near(ts.T, math.Sqrt(15), 1e-14) || ts.DF != 3 {
		t.Fatalf("T = %v df %d, want sqrt(15), 3", ts.T, ts.DF)
	}
	if !near(ts.P, 0.0304663, 1e-7) {
		t.Errorf("P = %v, want 0.0304663", ts.P)
	}
	th := math.Atan(math.Sqrt(5))
	if want := 1 - 2/math.Pi*(th+math.Sin(th)*math.Cos(th)); !near(ts.P, want, 1e-13) {
		t.Errorf("P = %v, closed form %v", ts.P, want)
	}
	// df = 1: p = 1 − (2/π) atan|T|; df = 2: p = 1 − |T|/sqrt(2 + T²).
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		d2 := []float64{rng.NormFloat64(), rng.NormFloat64() + 1}
		t2 := OneSample(d2)
		if want := 1 - 2/math.Pi*math.Atan(math.Abs(t2.T)); !near(t2.P, want, 1e-12) {
			t.Fatalf("n=2 %v: P = %v, want %v", d2, t2.P, want)
		}
		d3 := []float64{rng.NormFloat64(), rng.NormFloat64() + 1, rng.NormFloat64() - 0.5}
		t3 := OneSample(d3)
		if want := 1 - math.Abs(t3.T)/math.Sqrt(2+t3.T*t3.T); !near(t3.P, want, 1e-12) {
			t.Fatalf("n=3 %v: P = %v, want %v", d3, t3.P, want)
		}
		dn := make([]float64, 4+rng.IntN(12))
		for i := range dn {
			dn[i] = rng.NormFloat64()*0.01 + 0.003
		}
		tn := OneSample(dn)
		m, sd := stat.MeanStdDev(dn, nil)
		se := sd / math.Sqrt(float64(len(dn)))
		tt := m / se
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(dn) - 1)}
		if !near(tn.T, tt, 1e-10*math.Abs(tt)) || !near(tn.P, 2*st.CDF(-math.Abs(tt)), 1e-12) || !near(tn.SE, se, 1e-15) {
			t.Fatalf("OneSample(%v) = T %v P %v, want %v %v", dn, tn.T, tn.P, tt, 2*st.CDF(-math.Abs(tt)))
		}
	}
}

// bruteSignFlip counts, over all 2^n sign assignments of integer values, those with |sum| >= |observed sum|.
func bruteSignFlip(d []int) float64 {
	obs := 0
	for _, x := range d {
		obs += x
	}
	obs = max(obs, -obs)
	count := 0
	for mask := 0; mask < 1<<len(d); mask++ {
		s := 0
		for i, x := range d {
			if mask>>i&1 == 1 {
				s -= x
			} else {
				s += x
			}
		}
		if max(s, -s) >= obs {
			count++
		}
	}
	return float64(count) / float64(int(1)<<len(d))
}

// dpSignFlip is the same count by dynamic programming over the attainable sums (any n).
func dpSignFlip(d []int) float64 {
	ways := map[int]float64{0: 1}
	obs := 0
	for _, x := range d {
		obs += x
		next := map[int]float64{}
		for s, w := range ways {
			next[s+x] += w / 2
			next[s-x] += w / 2
		}
		ways = next
	}
	obs = max(obs, -obs)
	p := 0.0
	for s, w := range ways {
		if max(s, -s) >= obs {
			p += w
		}
	}
	return p
}

func TestSignFlipExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		n := 1 + rng.IntN(12)
		di := make([]int, n)
		df := make([]float64, n)
		for i := range di {
			di[i] = rng.IntN(21) - 7 // ties and zeros included
			df[i] = float64(di[i])
		}
		p, exact := signFlipP(df)
		if want := bruteSignFlip(di); !exact || p != want {
			t.Fatalf("signFlipP(%v) = %v (exact %v), brute force %v", di, p, exact, want)
		}
		if n >= 2 {
			if ts := OneSample(df); ts.PSignFlip != p || !ts.SignFlipExact {
				t.Fatalf("OneSample PSignFlip %v, want %v", ts.PSignFlip, p)
			}
		}
	}
	// Scaled values give the same p (the tie tolerance is relative).
	d := []float64{0.0031, -0.0012, 0.0044, 0.0019, 0.0007, -0.0003, 0.0025}
	di := []int{31, -12, 44, 19, 7, -3, 25}
	if p, _ := signFlipP(d); p != bruteSignFlip(di) {
		t.Errorf("signFlipP(%v) = %v, brute force %v", d, p, bruteSignFlip(di))
	}
}

func TestSignFlipMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 30
	di := make([]int, n)
	df := make([]float64, n)
	for i := range di {
		di[i] = rng.IntN(41) - 15
		df[i] = float64(di[i])
	}
	p, exact := signFlipP(df)
	want := dpSignFlip(di)
	se := math.Sqrt(want * (1 - want) / monteCarloFlips)
	if exact || math.Abs(p-want) > 4*se+1.0/monteCarloFlips {
		t.Errorf("Monte Carlo sign-flip p = %v (exact %v), exact by DP %v ± %v", p, exact, want, se)
	}
	if p2, _ := signFlipP(df); p2 != p {
		t.Errorf("Monte Carlo sign-flip not reproducible: %v then %v", p, p2)
	}
	// The Monte Carlo p is never 0: (k+1)/(M+1).
	big := make([]float64, 25)
	for i := range big {
		big[i] = 1 + float64(i)
	}
	if p, _ := signFlipP(big); p < 1.0/(monteCarloFlips+1) || p > 3.0/(monteCarloFlips+1) {
		t.Errorf("all-positive n=25 Monte Carlo p = %v", p)
	}
}

func TestMinSignFlipP(t *testing.T) {
	for n, want := range map[int]float64{0: 1, 1: 1, 2: 0.5, 3: 0.25, 5: 0.0625, 7: 0.015625, 8: 0.0078125, 10: 2.0 / 1024} {
		if got := MinSignFlipP(n); got != want {
			t.Errorf("MinSignFlipP(%d) = %v, want %v", n, got, want)
		}
	}
	// It is attained by distinct values of one sign.
	for n := 2; n <= 14; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = 0.5 + float64(i)
		}
		if p, _ := signFlipP(d); p != MinSignFlipP(n) {
			t.Errorf("n=%d: sign-flip p of positive values %v, MinSignFlipP %v", n, p, MinSignFlipP(n))
		}
	}
}

// The worked example of spec/statistics.md.
func TestWorkedExample(t *testing.T) {
	// split, checkerboard − channel: mean −0.0429/3 = −0.0143; deviations −0.0015, −0.0011, +0.0026,
	// squares 2.25e-6 + 1.21e-6 + 6.76e-6 = 1.022e-5, sd = sqrt(1.022e-5/2) = 0.00226053;
	// SE = 0.00226053/sqrt(3) = 0.00130512; t(0.975, 2) = 4.302653; half width 0.00561551;
	// interval −0.0199155 .. −0.0086845. (The spec prints −0.0200 to −0.0086 from the unrounded
	// per-seed means; from the rounded ones printed there the upper end is −0.00868.)
	split := OneSample([]float64{-0.0158, -0.0154, -0.0117})
	if !near(split.Mean, -0.0143, 1e-12) || !near(split.SD, 0.00226053, 1e-8) || !near(split.SE, 0.00130512, 1e-8) {
		t.Errorf("split: mean %v sd %v se %v", split.Mean, split.SD, split.SE)
	}
	if split.Family != 1 || split.TestAlpha != 0.05 || !near(split.Level, 0.95, 1e-15) {
		t.Errorf("split: family %d alpha %v level %v", split.Family, split.TestAlpha, split.Level)
	}
	if !near(split.Lo, -0.0199155, 1e-7) || !near(split.Hi, -0.0086845, 1e-7) {
		t.Errorf("split: interval %v .. %v, want −0.0199155 .. −0.0086845", split.Lo, split.Hi)
	}
	if !near(split.Lo, -0.0200, 1e-4) || !near(split.Hi, -0.0086, 1e-4) {
		t.Errorf("split: interval %v .. %v, spec −0.0200 .. −0.0086", split.Lo, split.Hi)
	}
	// T = −0.0143/0.00130512 = −10.95686; df 2: p = 1 − |T|/sqrt(2 + T²) = 1 − 10.95686/11.04775 = 0.0082270.
	if !near(split.T, -10.95686, 1e-5) || !near(split.P, 0.0082270, 1e-7) || !split.Claimed() {
		t.Errorf("split: T %v P %v claimed %v", split.T, split.P, split.Claimed())
	}
	// Three seeds: the sign-flip cannot reject (2/8 = 0.25).
	if split.PSignFlip != 0.25 || split.SignFlipAgrees() {
		t.Errorf("split: sign-flip p %v agrees %v", split.PSignFlip, split.SignFlipAgrees())
	}

	// coupling, rowwise − channelwise: mean −0.0023/3 = −0.00076667; deviations −0.00443333, +0.00846667,
	// −0.00403333; squares sum 1.07607e-4, sd = sqrt(5.38033e-5) = 0.00733507; SE 0.00423491;
	// half width 4.302653·0.00423491 = 0.01822137: −0.0189880 .. +0.0174547 (spec: −0.0190 to +0.0174).
	coupling := OneSample([]float64{-0.0052, 0.0077, -0.0048})
	if !near(coupling.Lo, -0.0189880, 1e-6) || !near(coupling.Hi, 0.0174547, 1e-6) || coupling.Claimed() {
		t.Errorf("coupling: interval %v .. %v claimed %v", coupling.Lo, coupling.Hi, coupling.Claimed())
	}

	// A family of 3: each interval at 1 − 0.05/3, with t(1 − 0.05/6, 2) = (2p−1)/sqrt(2p(1−p)) at
	// p = 0.9916667: 0.9833333/sqrt(2·0.9916667·0.0083333) = 0.9833333/sqrt(0.0165278) = 7.648804.
	third := OneSample([]float64{0.001, -0.002, 0.0005})
	fam := []*Test{&split, &coupling, &third}
	Adjust(fam, Alpha)
	q3 := TQuantile(1-0.05/6, 2)
	if !near(q3, 7.648804, 1e-6) {
		t.Errorf("t(1 − 0.05/6, 2) = %v, want 7.648804", q3)
	}
	for _, ts := range fam {
		if ts.Family != 3 || !near(ts.TestAlpha, 0.05/3, 1e-17) || !near(ts.Level, 1-0.05/3, 1e-15) {
			t.Errorf("family member: m %d alpha %v level %v", ts.Family, ts.TestAlpha, ts.Level)
		}
		if !near(ts.Lo, ts.Mean-q3*ts.SE, 1e-15) || !near(ts.Hi, ts.Mean+q3*ts.SE, 1e-15) {
			t.Errorf("family member: interval %v .. %v, want %v ± %v", ts.Lo, ts.Hi, ts.Mean, q3*ts.SE)
		}
		if !near(ts.PAdj, math.Min(1, 3*ts.P), 1e-15) || !near(ts.PSignFlipAdj, math.Min(1, 3*ts.PSignFlip), 1e-15) {
			t.Errorf("family member: PAdj %v (P %v) PSignFlipAdj %v (%v)", ts.PAdj, ts.P, ts.PSignFlipAdj, ts.PSignFlip)
		}
	}
	// Wider than the family-of-one interval: −0.0143 ± 7.648804·0.00130512 = −0.0143 ± 0.0099826 =
	// −0.0242826 .. −0.0043174, still excluding 0 (PAdj = 3·0.0082270 = 0.0246810 < 0.05).
	if !(split.Lo < -0.0200 && split.Hi > -0.0086) || !near(split.Lo, -0.0242826, 1e-6) || !near(split.Hi, -0.0043174, 1e-6) {
		t.Errorf("split in a family of 3: %v .. %v", split.Lo, split.Hi)
	}
	if !split.Claimed() || !near(split.PAdj, 0.0246810, 1e-6) || split.PSignFlipAdj != 0.75 {
		t.Errorf("split in a family of 3: claimed %v PAdj %v PSignFlipAdj %v", split.Claimed(), split.PAdj, split.PSignFlipAdj)
	}
}

func TestDegenerate(t *testing.T) {
	c := OneSample([]float64{0.003, 0.003, 0.003, 0.003})
	if c.SD != 0 || c.SE != 0 || !math.IsInf(c.T, 1) || c.P != 0 || c.Lo != 0.003 || c.Hi != 0.003 || !c.Claimed() || c.PAdj != 0 {
		t.Errorf("equal non-zero values: %+v", c)
	}
	if c.MDE != 0 {
		t.Errorf("equal values: MDE %v, want 0", c.MDE)
	}
	neg := OneSample([]float64{-0.1, -0.1, -0.1})
	if !math.IsInf(neg.T, -1) || neg.P != 0 || !neg.Claimed() || neg.Mean != -0.1 {
		t.Errorf("equal negative values: %+v", neg)
	}
	z := OneSample([]float64{0, 0, 0})
	if z.T != 0 || z.P != 1 || z.Lo != 0 || z.Hi != 0 || z.Claimed() || z.PAdj != 1 || z.SignFlipAgrees() {
		t.Errorf("all zero: %+v", z)
	}
	one := OneSample([]float64{0.2})
	if one.Mean != 0.2 || !math.IsNaN(one.P) || !math.IsNaN(one.Lo) || !math.IsNaN(one.PAdj) || !math.IsNaN(one.MDE) || one.Claimed() || one.SignFlipAgrees() || one.Family != 0 {
		t.Errorf("one value: %+v", one)
	}
	none := OneSample(nil)
	if none.N != 0 || !math.IsNaN(none.Mean) || none.Claimed() {
		t.Errorf("no values: %+v", none)
	}
	// Tests that could not be done do not count in the family.
	a := OneSample([]float64{1, 2, 3})
	b := OneSample([]float64{1})
	cc := OneSample([]float64{-1, 0.5, 2, 3})
	Adjust([]*Test{&a, &b, &cc}, 0.05)
	if a.Family != 2 || b.Family != 2 || a.TestAlpha != 0.025 || !math.IsNaN(b.Hi) || !math.IsNaN(b.PAdj) {
		t.Errorf("family with a test of one value: a %+v b %+v", a, b)
	}
	// Values are copied.
	d := []float64{1, 2, 3}
	ts := OneSample(d)
	d[0] = 100
	if ts.Values[0] != 1 {
		t.Error("OneSample keeps the caller's slice")
	}
}

func TestAdjustPanics(t *testing.T) {
	for _, a := range []float64{0, 1, -0.1, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Adjust(alpha=%v) did not panic", a)
				}
			}()
			ts := OneSample([]float64{1, 2})
			Adjust([]*Test{&ts}, a)
		}()
	}
}

// Claimed (the interval excludes 0) and PAdj < alpha never disagree: on random data, on data built
// to sit on the boundary, and for several family sizes and levels.
func TestClaimedAgreesWithPAdj(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var checked, claimed, clamped, nearBoundary int
	maxMove := 0.0
	check := func(fam []*Test, alpha float64) {
		t.Helper()
		m := 0
		for _, ts := range fam {
			if ts.N >= 2 {
				m++
			}
		}
		for _, ts := range fam {
			if ts.N < 2 {
				continue
			}
			checked++
			if ts.Claimed() != (ts.PAdj < alpha) {
				t.Fatalf("Claimed %v but PAdj %v, alpha %v (n %d, interval %v .. %v)", ts.Claimed(), ts.PAdj, alpha, ts.N, ts.Lo, ts.Hi)
			}
			if ts.Claimed() {
				claimed++
			}
			// The boundary convention may move PAdj only within rounding of alpha.
			raw := math.Min(1, float64(m)*ts.P)
			if raw != ts.PAdj {
				clamped++
				maxMove = math.Max(maxMove, math.Abs(raw-ts.PAdj)/alpha)
				if math.Abs(raw-alpha) > 1e-9*alpha {
					t.Fatalf("PAdj %v moved from %v, far from alpha %v", ts.PAdj, raw, alpha)
				}
			}
			if math.Abs(raw-alpha) < 1e-6*alpha {
				nearBoundary++
			}
			// Away from the boundary the plain Bonferroni comparison agrees too.
			if math.Abs(raw-alpha) > 1e-9*alpha && ts.Claimed() != (raw < alpha) {
				t.Fatalf("Claimed %v, m·P = %v, alpha %v", ts.Claimed(), raw, alpha)
			}
		}
	}
	for _, alpha := range []float64{0.05, 0.01, 0.1} {
		for _, m := range []int{1, 2, 3, 5, 10} {
			for range 300 {
				fam := make([]*Test, m)
				for i := range fam {
					n := 2 + rng.IntN(11)
					d := make([]float64, n)
					shift := rng.NormFloat64() * 1.5 / math.Sqrt(float64(n))
					for j := range d {
						d[j] = (rng.NormFloat64() + shift) * 0.01
					}
					ts := OneSample(d)
					fam[i] = &ts
				}
				Adjust(fam, alpha)
				check(fam, alpha)
			}
			// On the boundary: values whose |T| is the critical value up to a factor 1 ± eps.
			q := func(n int) float64 { return TQuantile(1-alpha/float64(m)/2, n-1) }
			for _, eps := range []float64{0, 1e-16, -1e-16, 3e-16, -3e-16, 1e-15, -1e-15, 1e-13, -1e-13, 1e-10, -1e-10, 1e-7, -1e-7} {
				for range 20 {
					fam := make([]*Test, m)
					for i := range fam {
						n := 2 + rng.IntN(11)
						z := make([]float64, n)
						for j := range z {
							z[j] = rng.NormFloat64() * 0.01
						}
						zm, zsd := meanSD(z)
						mu := q(n) * zsd / math.Sqrt(float64(n)) * (1 + eps)
						if rng.IntN(2) == 0 {
							mu = -mu
						}
						for j := range z {
							z[j] += mu - zm
						}
						ts := OneSample(z)
						fam[i] = &ts
					}
					Adjust(fam, alpha)
					check(fam, alpha)
				}
			}
		}
	}
	if claimed == 0 || claimed == checked || nearBoundary < 100 {
		t.Errorf("degenerate check: %d tests, %d claimed, %d near the boundary", checked, claimed, nearBoundary)
	}
	t.Logf("%d tests, %d claimed, %d within 1e-6 of alpha, %d PAdj moved to the interval's side (by at most %.2g·alpha)", checked, claimed, nearBoundary, clamped, maxMove)
}

func TestSignFlipAgrees(t *testing.T) {
	// 8 positive seeds in a family of 3: 3·2/256 = 0.0234 < 0.05.
	d := []float64{0.1, 0.2, 0.15, 0.3, 0.12, 0.22, 0.18, 0.25}
	a := OneSample(d)
	b := OneSample([]float64{1, -1, 0.5, 0.2, -0.3, 0.1, 0, 0.4})
	c := OneSample([]float64{0.1, 0.3, 0.2, 0.15, 0.05, 0.4, 0.2, -0.01})
	Adjust([]*Test{&a, &b, &c}, Alpha)
	if a.PSignFlip != 2.0/256 || !near(a.PSignFlipAdj, 3*2.0/256, 1e-17) || !a.SignFlipAgrees() || !a.Claimed() {
		t.Errorf("a: sign-flip p %v adj %v agrees %v claimed %v", a.PSignFlip, a.PSignFlipAdj, a.SignFlipAgrees(), a.Claimed())
	}
	if b.SignFlipAgrees() {
		t.Errorf("b: sign-flip agrees with p %v", b.PSignFlipAdj)
	}
	// c: one sign change; count by brute force (integers ×100).
	want := bruteSignFlip([]int{10, 30, 20, 15, 5, 40, 20, -1})
	if c.PSignFlip != want || c.SignFlipAgrees() != (math.Min(1, 3*want) < Alpha) {
		t.Errorf("c: sign-flip p %v (brute force %v) agrees %v", c.PSignFlip, want, c.SignFlipAgrees())
	}
	// 5 seeds in a family of 3 can never agree: 3·2/32 = 0.1875.
	e := OneSample([]float64{1, 2, 3, 4, 5})
	Adjust([]*Test{&e, &a, &b}, Alpha)
	if !e.Claimed() || e.SignFlipAgrees() {
		t.Errorf("5 seeds, family of 3: claimed %v sign-flip agrees %v (p %v)", e.Claimed(), e.SignFlipAgrees(), e.PSignFlipAdj)
	}
}
