package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBlockANOVAHand(t *testing.T) {
	// y = 10 + cell (−2, 0, 2) + seed (−3, −1, 1, 3) + e, with residuals of zero row and column sums
	//	e = [ 1 −1  1 −1 ]
	//	    [−1  1  0  0 ]
	//	    [ 0  0 −1  1 ]
	// Cell means 8, 10, 12; seed means 7, 9, 11, 13; grand mean 10; the residuals are e, so
	// SSE = 4 + 2 + 2 = 8 on (3−1)(4−1) = 6 df, MSE = 8/6 = 4/3.
	y := [][]float64{
		{6, 6, 10, 10},
		{6, 10, 11, 13},
		{9, 11, 12, 16},
	}
	// w = (1, −1, 0): estimate 8 − 10 = −2; SE = sqrt(MSE·Σw²/S) = sqrt(4/3·2/4) = sqrt(2/3) = 0.8164966;
	// T = −2/0.8164966 = −sqrt(6). t(0.975, 6) = 2.4469119, half width 2.4469119·0.8164966 = 1.9978952:
	// interval −3.9978952 .. −0.0021048. Two-sided p of t_6 at sqrt(6): θ = atan(sqrt(6)/sqrt(6)) = π/4,
	// p = 1 − sin θ (1 + cos²θ/2 + 3cos⁴θ/8) = 1 − (1/sqrt 2)(1 + 1/4 + 3/32) = 1 − 43/(32·sqrt 2)
	// = 1 − 1.34375/1.4142136 = 1 − 0.9501747 = 0.0498253 (just below 0.05: the interval just excludes 0).
	be, err := BlockANOVA(y, []float64{1, -1, 0}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if be.Estimate != -2 || be.DF != 6 || !near(be.SE, math.Sqrt(2.0/3), 1e-15) {
		t.Errorf("estimate %v se %v df %d, want −2, sqrt(2/3), 6", be.Estimate, be.SE, be.DF)
	}
	if !near(be.Lo, -3.9978952, 1e-7) || !near(be.Hi, -0.0021048, 1e-7) {
		t.Errorf("interval %v .. %v, want −3.9978952 .. −0.0021048", be.Lo, be.Hi)
	}
	if want := 1 - 43/(32*math.Sqrt2); !near(be.P, want, 1e-12) || !near(be.P, 0.0498253, 1e-7) {
		t.Errorf("p %v, want %v", be.P, want)
	}
	// w = (1/2, 1/2, −1): estimate 9 − 12 = −3; Σw² = 1.5, SE = sqrt(4/3·1.5/4) = sqrt(1/2).
	be, err = BlockANOVA(y, []float64{0.5, 0.5, -1}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	q := TQuantile(0.95, 6)
	if be.Estimate != -3 || !near(be.SE, math.Sqrt(0.5), 1e-15) || !near(be.Lo, -3-q*math.Sqrt(0.5), 1e-14) {
		t.Errorf("second contrast: %+v", be)
	}
}

// With two cells and w = (1, −1) the block ANOVA is the paired t test of the per-seed differences.
func TestBlockANOVATwoCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 50 {
		S := 2 + rng.IntN(10)
		y := [][]float64{make([]float64, S), make([]float64, S)}
		d := make([]float64, S)
		for s := range S {
			seed := rng.NormFloat64() * 5
			y[0][s] = 3 + seed + rng.NormFloat64()
			y[1][s] = 2.5 + seed + rng.NormFloat64()
			d[s] = y[0][s] - y[1][s]
		}
		be, err := BlockANOVA(y, []float64{1, -1}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		ts := OneSample(d)
		if be.DF != ts.DF || !near(be.Estimate, ts.Mean, 1e-12) || !near(be.SE, ts.SE, 1e-12) ||
			!near(be.Lo, ts.Lo, 1e-11) || !near(be.Hi, ts.Hi, 1e-11) || !near(be.P, ts.P, 1e-10) {
			t.Fatalf("block %+v, paired t: mean %v se %v [%v, %v] p %v", be, ts.Mean, ts.SE, ts.Lo, ts.Hi, ts.P)
		}
	}
}

func TestBlockANOVASeedEffect(t *testing.T) {
	// A strong additive seed effect (sd 1) and small noise (sd 0.01): the block SE removes the seed
	// effect, an unpaired comparison of the two cells' means does not.
	rng := rand.New(rand.NewPCG(15, 16))
	C, S := 4, 8
	seed := make([]float64, S)
	for s := range seed {
		seed[s] = rng.NormFloat64()
	}
	y := make([][]float64, C)
	for c := range y {
		y[c] = make([]float64, S)
		for s := range S {
			y[c][s] = 1 + 0.05*float64(c) + seed[s] + 0.01*rng.NormFloat64()
		}
	}
	be, err := BlockANOVA(y, []float64{1, -1, 0, 0}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	a, b := Summarize(y[0]), Summarize(y[1])
	unpaired := math.Sqrt(a.SD*a.SD/float64(S) + b.SD*b.SD/float64(S))
	if !(be.SE*20 < unpaired) {
		t.Errorf("block SE %v, unpaired SE %v", be.SE, unpaired)
	}
	if !near(be.Estimate, -0.05, 0.02) || !(be.Hi < 0) || !(be.P < 1e-6) {
		t.Errorf("block estimate %+v", be)
	}
	t.Logf("block SE %.4g, unpaired SE %.4g", be.SE, unpaired)
}

func TestBlockANOVAExactlyAdditive(t *testing.T) {
	// No residual: SE 0, the interval is the point, p 0 (1 for a zero contrast).
	y := [][]float64{{1, 2, 5, 4}, {3, 4, 7, 6}}
	be, err := BlockANOVA(y, []float64{-1, 1}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if be.Estimate != 2 || be.SE != 0 || be.Lo != 2 || be.Hi != 2 || be.P != 0 {
		t.Errorf("additive: %+v", be)
	}
	be, err = BlockANOVA([][]float64{{1, 2, 5, 4}, {1, 2, 5, 4}}, []float64{-1, 1}, 0.95)
	if err != nil || be.Estimate != 0 || be.P != 1 || be.Lo != 0 || be.Hi != 0 {
		t.Errorf("equal cells: %+v %v", be, err)
	}
}

func TestBlockANOVAErrors(t *testing.T) {
	good := [][]float64{{1, 2, 3}, {2, 3, 5}}
	for name, c := range map[string]struct {
		y     [][]float64
		w     []float64
		level float64
	}{
		"one cell":        {[][]float64{{1, 2, 3}}, []float64{0}, 0.95},
		"no cells":        {nil, nil, 0.95},
		"one seed":        {[][]float64{{1}, {2}}, []float64{1, -1}, 0.95},
		"ragged":          {[][]float64{{1, 2, 3}, {2, 3}}, []float64{1, -1}, 0.95},
		"weights length":  {good, []float64{1, -1, 0}, 0.95},
		"weights sum":     {good, []float64{1, -0.9}, 0.95},
		"weights zero":    {good, []float64{0, 0}, 0.95},
		"weights NaN":     {good, []float64{math.NaN(), 1}, 0.95},
		"value NaN":       {[][]float64{{1, math.NaN(), 3}, {2, 3, 5}}, []float64{1, -1}, 0.95},
		"value Inf":       {[][]float64{{1, 2, 3}, {2, math.Inf(1), 5}}, []float64{1, -1}, 0.95},
		"level 1":         {good, []float64{1, -1}, 1},
		"level 0":         {good, []float64{1, -1}, 0},
		"level 95":        {good, []float64{1, -1}, 95},
		"weights missing": {good, nil, 0.95},
	} {
		if _, err := BlockANOVA(c.y, c.w, c.level); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Weights summing to 0 up to rounding are accepted.
	if _, err := BlockANOVA([][]float64{{1, 2}, {2, 3}, {4, 4}}, []float64{0.1, 0.2, -0.3}, 0.95); err != nil {
		t.Errorf("weights 0.1 + 0.2 − 0.3: %v", err)
	}
}
