package report

import (
	"fmt"
	"math"
	"slices"

	"squeezebench/report/stats"
	"squeezebench/runner"
)

// Trace is one contrast followed over training: at every evaluation step, the same seed-level
// analysis of the bpd measured there (validation subset, or its gap to the training subset,
// with the evaluations' estimator), adjusted over the contrasts of its family traced at that step.
type Trace struct {
	Contrast   *Contrast    // the final contrast it follows
	Label      string       // what is traced, e.g. "validation bpd"
	Steps      []int        // evaluation steps
	Epochs     []float64    // the epoch at each of them, as the runs recorded it
	Points     []stats.Test // one per step
	Trend      stats.Test   // per seed, the fitted change in bpd over the second half of training
	TrendSteps [2]int       // the first and last step the trend is fitted over
}

// traceQuantity is the quantity of a trace at one evaluation: the validation bpd for effects on
// bpd, the validation − train gap for gaps.
func traceQuantity(c *Contrast, step int) (func(*Run) float64, string) {
	at := func(r *Run, f func(m runner.Metric) float64) float64 {
		for _, m := range r.Metrics {
			if m.Step == step {
				return f(m)
			}
		}
		return nan
	}
	if c.Quantity.Name == GapVal.Name {
		return func(r *Run) float64 { return at(r, func(m runner.Metric) float64 { return m.ValBPD - m.TrainEvalBPD }) }, "validation − train gap"
	}
	return func(r *Run) float64 { return at(r, func(m runner.Metric) float64 { return m.ValBPD }) }, "validation bpd"
}

// evalSteps is the evaluation steps of the experiment: those where every ok run has an
// evaluation (all runs of one experiment evaluate at the same steps).
func (an *Analysis) evalSteps() []int {
	count := map[int]int{}
	ok := 0
	for _, r := range an.Data.Runs {
		if !r.OK() {
			continue
		}
		ok++
		for _, m := range r.Metrics {
			if !math.IsNaN(m.ValBPD) && !math.IsNaN(m.TrainEvalBPD) {
				count[m.Step]++
			}
		}
	}
	var steps []int
	for s, n := range count {
		if n == ok {
			steps = append(steps, s)
		}
	}
	slices.Sort(steps)
	return steps
}

// epochAt is the epoch the runs recorded at an evaluation step (all runs of one experiment
// share their steps per epoch); NaN when no ok run has that step.
func (an *Analysis) epochAt(step int) float64 {
	for _, r := range an.Data.Runs {
		if !r.OK() {
			continue
		}
		for _, m := range r.Metrics {
			if m.Step == step {
				return m.Epoch
			}
		}
	}
	return nan
}

// drawnInEpochs reports whether figures over training put epochs on x: when the last of the
// evaluations' epochs is 2 or later and every one is known.
func drawnInEpochs(epochs []float64) bool {
	return len(epochs) > 0 && epochs[len(epochs)-1] >= 2 && !slices.ContainsFunc(epochs, math.IsNaN)
}

// curvesInEpochs is drawnInEpochs for the experiment's evaluation steps (the learning curves
// then use the same x as the traces).
func (an *Analysis) curvesInEpochs() bool {
	var epochs []float64
	for _, s := range an.evalSteps() {
		epochs = append(epochs, an.epochAt(s))
	}
	return drawnInEpochs(epochs)
}

// traces follows every main effect, every validation-gap test, every conditional effect and
// every interaction over training. At each step a family is adjusted over as many tests as at
// the end: the test − train gaps, which have no trace (the test set is measured at the end
// only), keep their place in the hypothesis family, so that a trace is never claimed at a
// laxer level than the final verdict on the same contrast.
func (an *Analysis) traces() []*Trace {
	steps := an.evalSteps()
	if len(steps) < 2 {
		return nil
	}
	var main, hyp, inter []*Trace
	var untraced []stats.Test // members of the hypothesis family without a trace: copies of their final tests
	for _, c := range an.Main {
		main = append(main, an.trace(c, steps))
	}
	for _, c := range an.Hypotheses {
		if c.Quantity.Name == GapTest.Name {
			untraced = append(untraced, c.Test)
			continue
		}
		hyp = append(hyp, an.trace(c, steps))
	}
	for _, c := range an.Interactions {
		inter = append(inter, an.trace(c, steps))
	}
	for _, fam := range []struct {
		traces   []*Trace
		untraced []stats.Test
	}{{main, nil}, {hyp, untraced}, {inter, nil}} {
		for i := range steps {
			var ts []*stats.Test
			for _, t := range fam.traces {
				ts = append(ts, &t.Points[i])
			}
			for _, u := range fam.untraced {
				ts = append(ts, &u) // a copy: counted in the family, its adjusted values dropped
			}
			stats.Adjust(ts, stats.Alpha)
		}
	}
	return slices.Concat(main, hyp, inter)
}

func (an *Analysis) trace(c *Contrast, steps []int) *Trace {
	t := &Trace{Contrast: c, Steps: steps}
	for _, s := range steps {
		t.Epochs = append(t.Epochs, an.epochAt(s))
	}
	perSeed := map[uint64][]float64{} // seed -> value at every step
	for _, s := range steps {
		q, label := traceQuantity(c, s)
		t.Label = label
		seeds, vals, _ := an.perSeed(c, q)
		t.Points = append(t.Points, stats.OneSample(vals))
		for i, sd := range seeds {
			perSeed[sd] = append(perSeed[sd], vals[i])
		}
	}
	// The trend: per seed, the least-squares slope of its values over the evaluations of the
	// second half of training (at least three), times that span's length in steps: the change in
	// bpd the fit says happened over it (in bpd, not per step, so that a ten-epoch run's slow
	// drift does not round to zero); then the test over seeds.
	last := steps[len(steps)-1]
	from := 0
	for from < len(steps) && steps[from] < last/2 {
		from++
	}
	if len(steps)-from >= 3 {
		t.TrendSteps = [2]int{steps[from], last}
		var changes []float64
		for _, s := range an.Data.Experiment.Seeds {
			vals := perSeed[s]
			if len(vals) != len(steps) {
				continue // a seed missing at some step
			}
			changes = append(changes, fittedChange(steps[from:], vals[from:]))
		}
		t.Trend = stats.OneSample(changes)
	} else {
		t.Trend = stats.OneSample(nil)
	}
	return t
}

// fittedChange is the change in ys from the first to the last of xs that the least-squares
// line through them gives.
func fittedChange(xs []int, ys []float64) float64 {
	return float64(xs[len(xs)-1]-xs[0]) * slope(xs, ys)
}

// slope is the least-squares slope of ys against xs.
func slope(xs []int, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += float64(xs[i]) / n
		my += ys[i] / n
	}
	var sxy, sxx float64
	for i := range xs {
		dx := float64(xs[i]) - mx
		sxy += dx * (ys[i] - my)
		sxx += dx * dx
	}
	return sxy / sxx
}

// Since is the first evaluation step from which the effect is claimed at every later step with
// one sign, and that sign (0 when the last step claims nothing).
func (t *Trace) Since() (step int, sign float64) {
	k := len(t.Points)
	for k > 0 && t.Points[k-1].Claimed() && (sign == 0 || math.Signbit(t.Points[k-1].Mean) == math.Signbit(sign)) {
		sign = math.Copysign(1, t.Points[k-1].Mean)
		k--
	}
	if k == len(t.Points) {
		return 0, 0
	}
	return t.Steps[k], sign
}

// flipped reports whether some step claims the sign opposite to a later claimed step.
func (t *Trace) flipped() bool {
	var later float64
	for i := len(t.Points) - 1; i >= 0; i-- {
		p := &t.Points[i]
		if !p.Claimed() {
			continue
		}
		s := math.Copysign(1, p.Mean)
		if later != 0 && s != later {
			return true
		}
		later = s
	}
	return false
}

// Words says in plain words how the effect evolves: since when it is detectable, and whether its
// size still changes over the second half of training.
func (t *Trace) Words() string {
	var when string
	claimedAt, testable := 0, 0
	for i := range t.Points {
		if t.Points[i].Claimed() {
			claimedAt++
		}
		if t.Points[i].N >= 2 {
			testable++
		}
	}
	if testable == 0 {
		return "cannot be traced: no evaluation has two seeds with ok runs in every stratum."
	}
	switch step, _ := t.Since(); {
	case claimedAt == 0:
		when = fmt.Sprintf("not detectable at any of the %d evaluations", len(t.Points))
	case step == t.Steps[0]:
		when = fmt.Sprintf("detectable at every evaluation, from %s on", t.stepName(step))
	case step > 0:
		when = fmt.Sprintf("detectable from %s on", t.stepName(step))
	default:
		when = fmt.Sprintf("detectable at %d of %d evaluations but not at the last", claimedAt, len(t.Points))
	}
	if t.flipped() {
		when += ", after it had been detectable with the opposite sign"
	}
	tr := t.Trend
	if tr.N < 2 {
		return when + "; too few evaluations in the second half of training (or seeds complete at all of them) to tell a trend."
	}
	final := t.Points[len(t.Points)-1].Mean
	ci := fmt.Sprintf("fitted change over that span %s bpd, 95%% CI %s to %s, %d seeds", signed(tr.Mean), signed(tr.Lo), signed(tr.Hi), tr.N)
	a, b := t.TrendSteps[0], t.TrendSteps[1]
	span := fmt.Sprintf("steps %s–%s", groupThousands(int64(a)), groupThousands(int64(b)))
	if t.inEpochs() {
		span = fmt.Sprintf("epochs %s–%s, %s", fmtEpoch(t.epochOf(a)), fmtEpoch(t.epochOf(b)), span)
	}
	switch {
	case !tr.Claimed():
		return fmt.Sprintf("%s; over the second half of training (%s) no trend in its size is detectable (%s): stable as far as these seeds tell, though a change of up to %s bpd over that span is not excluded.",
			when, span, ci, fmtNum(max(math.Abs(tr.Lo), math.Abs(tr.Hi)), 4))
	case !t.Points[len(t.Points)-1].Claimed():
		return fmt.Sprintf("%s; over the second half of training (%s) it still moves toward %s values (%s).", when, span, direction(tr.Mean), ci)
	case math.Signbit(tr.Mean) == math.Signbit(final):
		return fmt.Sprintf("%s; over the second half of training (%s) it is still growing (%s).", when, span, ci)
	default:
		return fmt.Sprintf("%s; over the second half of training (%s) it is shrinking toward zero or beyond (%s).", when, span, ci)
	}
}

// direction names the sign of a change: "more positive" or "more negative".
func direction(change float64) string {
	if change > 0 {
		return "more positive"
	}
	return "more negative"
}

// inEpochs reports whether the trace's steps are named and drawn by their epochs (drawnInEpochs:
// two epochs or more, every one known).
func (t *Trace) inEpochs() bool { return drawnInEpochs(t.Epochs) }

// axis is what a figure of the trace puts on x (epochs or steps) and the x of evaluation i.
func (t *Trace) axis() (string, func(i int) float64) {
	if t.inEpochs() {
		return "epoch", func(i int) float64 { return t.Epochs[i] }
	}
	return "step", func(i int) float64 { return float64(t.Steps[i]) }
}

// epochOf is the recorded epoch at one of the trace's steps (NaN if it has none).
func (t *Trace) epochOf(step int) float64 {
	if i := slices.Index(t.Steps, step); i >= 0 && i < len(t.Epochs) {
		return t.Epochs[i]
	}
	return nan
}

// stepName names an evaluation step, with its epoch when the trace is in epochs.
func (t *Trace) stepName(step int) string {
	if !t.inEpochs() {
		return "step " + groupThousands(int64(step))
	}
	return fmt.Sprintf("step %s (epoch %s)", groupThousands(int64(step)), fmtEpoch(t.epochOf(step)))
}

// fmtEpoch prints an epoch as a whole number when it is one, else to two decimals.
func fmtEpoch(e float64) string {
	if e == math.Trunc(e) {
		return fmt.Sprintf("%.0f", e)
	}
	return fmt.Sprintf("%.2f", e)
}

// signed formats a small number with its sign: "+0.0012", "−0.0004".
func signed(v float64) string {
	s := fmtNum(v, 4)
	if v > 0 && s != "0.0000" {
		return "+" + s
	}
	return s
}
