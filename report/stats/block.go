package stats

import (
	"errors"
	"fmt"
	"math"
)

// BlockEstimate is a contrast estimated from the additive block model
// y[c][s] = mu + cell_c + seed_s + e (a sensitivity analysis: valid only if
// seeds act additively on every cell).
type BlockEstimate struct {
	Estimate, SE float64
	DF           int     // (C-1)(S-1)
	Lo, Hi       float64 // t interval at the given level
	P            float64 // two-sided
}

// BlockANOVA estimates the contrast sum_c w[c]·mean_s y[c][s] (the weights sum
// to 0) with the residual mean square of the two-way additive model cells x
// seeds without interaction:
//
//	e[c][s] = y[c][s] − ȳ[c] − ȳ[s] + ȳ,   MSE = Σ e² / ((C−1)(S−1)),
//	SE      = sqrt(MSE · Σ w² / S),
//
// with a t interval at level and a two-sided p on (C−1)(S−1) degrees of
// freedom. y is complete: C >= 2 cells (rows), each with the same S >= 2 seeds
// (columns), all values finite. It is an error when y is ragged or too small,
// len(w) != C, the weights are all 0 or do not sum to 0 (to 1e-9 of Σ|w|), or
// level is not in (0, 1). With two cells and w = (1, −1) it is the paired t
// test of the per-seed differences.
//
// When the residuals are all 0 the SE is 0: the interval collapses to the
// estimate and P is 0 (1 if the estimate is 0), as for Test.
func BlockANOVA(y [][]float64, w []float64, level float64) (BlockEstimate, error) {
	nan := math.NaN()
	be := BlockEstimate{Estimate: nan, SE: nan, Lo: nan, Hi: nan, P: nan}
	C := len(y)
	if C < 2 {
		return be, errors.New("stats: block ANOVA needs at least 2 cells")
	}
	S := len(y[0])
	if S < 2 {
		return be, errors.New("stats: block ANOVA needs at least 2 seeds")
	}
	for c, row := range y {
		if len(row) != S {
			return be, fmt.Errorf("stats: block ANOVA: cell %d has %d seeds, cell 0 has %d", c, len(row), S)
		}
		for s, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return be, fmt.Errorf("stats: block ANOVA: y[%d][%d] = %v", c, s, v)
			}
		}
	}
	if len(w) != C {
		return be, fmt.Errorf("stats: block ANOVA: %d weights for %d cells", len(w), C)
	}
	sumW, absW, sumW2 := 0.0, 0.0, 0.0
	for _, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return be, fmt.Errorf("stats: block ANOVA: weight %v", v)
		}
		sumW += v
		absW += math.Abs(v)
		sumW2 += v * v
	}
	if absW == 0 {
		return be, errors.New("stats: block ANOVA: all weights are 0")
	}
	if math.Abs(sumW) > 1e-9*absW {
		return be, fmt.Errorf("stats: block ANOVA: weights sum to %v, not 0", sumW)
	}
	if !(level > 0 && level < 1) {
		return be, fmt.Errorf("stats: block ANOVA: level %v not in (0, 1)", level)
	}

	cellMean := make([]float64, C)
	seedMean := make([]float64, S)
	grand := 0.0
	for c, row := range y {
		for s, v := range row {
			cellMean[c] += v
			seedMean[s] += v
			grand += v
		}
	}
	for c := range cellMean {
		cellMean[c] /= float64(S)
	}
	for s := range seedMean {
		seedMean[s] /= float64(C)
	}
	grand /= float64(C * S)
	sse := 0.0
	for c, row := range y {
		for s, v := range row {
			e := v - cellMean[c] - seedMean[s] + grand
			sse += e * e
		}
	}
	be.DF = (C - 1) * (S - 1)
	mse := sse / float64(be.DF)
	est := 0.0
	for c, v := range w {
		est += v * cellMean[c]
	}
	be.Estimate = est
	be.SE = math.Sqrt(mse * sumW2 / float64(S))
	h := TQuantile(1-(1-level)/2, be.DF) * be.SE
	be.Lo, be.Hi = est-h, est+h
	switch {
	case be.SE > 0:
		be.P = math.Min(1, 2*tSurvival(math.Abs(est/be.SE), be.DF))
	case est == 0:
		be.P = 1
	default:
		be.Lo, be.Hi, be.P = est, est, 0
	}
	return be, nil
}
