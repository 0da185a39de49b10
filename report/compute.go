package report

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/variants"
)

// Matched is a main effect compared at equal training compute: where one level costs more FLOPs
// per image than the other, the costlier level's validation bpd is read off its learning curve
// (between evaluations, linearly in log FLOPs) at the training FLOPs the cheaper level had at its last
// evaluation, and compared with the cheaper level's there, seed by seed like every contrast. A
// win that is only more compute shrinks or vanishes here.
type Matched struct {
	Main  *Contrast
	Ratio float64 // FLOPs per image of the alternative over the reference's (mean over strata)
	stats.Test
}

// trainFLOPs is the training compute of a run up to step: forward and backward (about three
// forward passes) of every image of every step.
func trainFLOPs(r *Run, step int) float64 {
	return 3 * float64(r.Result.FLOPsPerImage) * float64(r.Result.Config.Batch) * float64(step)
}

// evalCurve is a run's validation bpd at every evaluation against training FLOPs.
func evalCurve(r *Run) (flops, bpd []float64) {
	for _, m := range r.Metrics {
		if !math.IsNaN(m.ValBPD) {
			flops, bpd = append(flops, trainFLOPs(r, m.Step)), append(bpd, m.ValBPD)
		}
	}
	return flops, bpd
}

// at is the curve's value at x, linear in log x between points (learning curves are close to
// power laws in compute, so this bends with them); NaN outside the curve.
func at(xs, ys []float64, x float64) float64 {
	i := sort.SearchFloat64s(xs, x)
	switch {
	case i < len(xs) && xs[i] == x:
		return ys[i]
	case i == 0 || i == len(xs):
		return nan
	}
	f := math.Log(x/xs[i-1]) / math.Log(xs[i]/xs[i-1])
	return ys[i-1] + f*(ys[i]-ys[i-1])
}

// matched computes the compute-matched comparison of every main effect whose levels differ in
// FLOPs per image by more than 5%, adjusted as one family.
func (an *Analysis) matched() []*Matched {
	var out []*Matched
	for _, c := range an.Main {
		m := an.match(c)
		if m != nil {
			out = append(out, m)
		}
	}
	var ts []*stats.Test
	for _, m := range out {
		ts = append(ts, &m.Test)
	}
	stats.Adjust(ts, stats.Alpha)
	return out
}

func (an *Analysis) match(c *Contrast) *Matched {
	if len(c.strata) == 0 {
		return nil
	}
	ratios, n := 0.0, 0
	var vals []float64
	for _, s := range an.Data.Experiment.Seeds {
		sum, ok := 0.0, true
		for _, st := range c.strata {
			d, r, good := an.matchedStratum(st, s)
			if !good {
				ok = false
				break
			}
			sum += d
			if s == an.Data.Experiment.Seeds[0] {
				ratios, n = ratios+r, n+1
			}
		}
		if ok {
			vals = append(vals, sum/float64(len(c.strata)))
		}
	}
	if n == 0 || math.Abs(ratios/float64(n)-1) < 0.05 {
		return nil
	}
	return &Matched{Main: c, Ratio: ratios / float64(n), Test: stats.OneSample(vals)}
}

// matchedStratum is alternative − reference of one stratum of a main effect at equal training
// FLOPs, and the alternative's FLOPs ratio.
func (an *Analysis) matchedStratum(st []stratumTerm, seed uint64) (diff, ratio float64, ok bool) {
	var alt, ref *Run
	for _, t := range st {
		r := an.byKey[runKey(t.cell, seed)]
		if r == nil || !r.OK() {
			return 0, 0, false
		}
		if t.sign > 0 {
			alt = r
		} else {
			ref = r
		}
	}
	fa, ya := evalCurve(alt)
	fr, yr := evalCurve(ref)
	if len(fa) == 0 || len(fr) == 0 {
		return 0, 0, false
	}
	budget := math.Min(fa[len(fa)-1], fr[len(fr)-1])
	a, r := at(fa, ya, budget), at(fr, yr, budget)
	if math.IsNaN(a) || math.IsNaN(r) {
		return 0, 0, false
	}
	return a - r, float64(alt.Result.FLOPsPerImage) / float64(ref.Result.FLOPsPerImage), true
}

// Words is the compute-matched comparison in plain words.
func (m *Matched) Words() string {
	c := m.Main
	pricier, cheaper := c.Alt, c.Ref
	if m.Ratio < 1 {
		pricier, cheaper = c.Ref, c.Alt
	}
	ratio := math.Max(m.Ratio, 1/m.Ratio)
	if m.N < 2 {
		return fmt.Sprintf("%s costs %.2f× the FLOPs of %s; too few complete seeds to compare at equal compute.", pricier, ratio, cheaper)
	}
	what := fmt.Sprintf("%s − %s = %s bpd (%s CI %s to %s, %d seeds)", c.Alt, c.Ref, signed(m.Mean), levelText(m.Level), signed(m.Lo), signed(m.Hi), m.N)
	verdict := "no difference detectable at equal compute"
	if m.Claimed() {
		better := c.Alt
		if m.Mean > 0 {
			better = c.Ref
		}
		verdict = better + " is better at equal compute"
	}
	return fmt.Sprintf("%s costs %.2f× the training FLOPs of %s. Compared at the FLOPs %s had at its last evaluation (validation bpd, the evaluations' estimator, %s's curve read between its evaluations, linearly in log FLOPs): %s; %s.",
		pricier, ratio, cheaper, cheaper, pricier, what, verdict)
}

// levelCurve is the mean over ok runs (seeds and the other axes' levels) of the validation bpd
// of the cells with axis at level, against x(run, metric) at every evaluation step.
func (an *Analysis) levelCurve(axis variants.Axis, level string, x func(*Run, runner.Metric) float64) (xs, ys []float64) {
	type acc struct{ x, y, n float64 }
	bystep := map[int]*acc{}
	for _, cs := range an.Cells {
		if cs.Twin() || cs.Cell.Get(axis) != level {
			continue
		}
		for _, s := range cs.Seeds {
			r := an.byKey[runKey(cs.Cell, s)]
			for _, m := range r.Metrics {
				if math.IsNaN(m.ValBPD) {
					continue
				}
				a := bystep[m.Step]
				if a == nil {
					a = &acc{}
					bystep[m.Step] = a
				}
				a.x, a.y, a.n = a.x+x(r, m), a.y+m.ValBPD, a.n+1
			}
		}
	}
	var steps []int
	for s := range bystep {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	for _, s := range steps {
		a := bystep[s]
		xs, ys = append(xs, a.x/a.n), append(ys, a.y/a.n)
	}
	return xs, ys
}

// ComputeFigure is the validation bpd of every level of every varied axis (mean over seeds and the
// other axes' levels) against training compute (top row, GFLOP) and training time (bottom row,
// steps times the runs' measured ms/step): a difference that is only more compute moves along
// the x axis.
func (an *Analysis) ComputeFigure() ([]byte, error) {
	if len(an.Varied) == 0 || len(an.evalSteps()) < 2 {
		return nil, nil
	}
	flops := func(r *Run, m runner.Metric) float64 { return trainFLOPs(r, m.Step) / 1e9 }
	secs := func(r *Run, m runner.Metric) float64 { return float64(m.Step) * r.Result.MsPerStep / 1000 }
	var top, bottom []*plot.Plot
	for _, a := range an.Varied {
		for row, x := range []func(*Run, runner.Metric) float64{flops, secs} {
			xl := "training compute (GFLOP)"
			if row == 1 {
				xl = "training time (s, at the measured ms/step)"
			}
			p := newPlot(string(a), xl, "validation bpd (mean)")
			p.Title.TextStyle.Font.Size = vg.Points(9)
			for k, l := range an.Data.Levels[a] {
				xs, ys := an.levelCurve(a, l, x)
				if len(xs) < 2 {
					continue
				}
				// Leave out the first quarter of the steps: the bpd falls from about 20 there.
				from := len(xs) / 4
				var pts plotter.XYs
				for i := from; i < len(xs); i++ {
					pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
				}
				ln, sc, err := plotter.NewLinePoints(pts)
				if err != nil {
					continue
				}
				ln.Color, ln.Width = colorOf(k), vg.Points(1.5)
				sc.GlyphStyle.Color, sc.GlyphStyle.Radius = colorOf(k), vg.Points(2)
				p.Add(ln, sc)
				p.Legend.Add(l, ln, sc)
			}
			p.Legend.Top = true
			p.Legend.TextStyle.Font.Size = vg.Points(7)
			if row == 0 {
				top = append(top, p)
			} else {
				bottom = append(bottom, p)
			}
		}
	}
	return encodePNG([][]*plot.Plot{top, bottom}, vg.Length(len(top))*4*vg.Inch, 6.4*vg.Inch)
}
