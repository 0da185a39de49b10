package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"squeezebench/variants"
)

var nan = math.NaN()

// Metric names a per-run number the comparisons can use.
type Quantity struct {
	Name  string // e.g. "test_bpd"
	Label string // e.g. "test bpd"
	Of    func(*Run) float64
}

// The quantities of the report.
var (
	TestBPD = Quantity{"test_bpd", "test bpd", func(r *Run) float64 { return r.Result.TestBPD }}
	ValBPD  = Quantity{"val_bpd", "validation bpd", func(r *Run) float64 { return r.Result.ValBPD }}
	// GapVal is validation minus training bpd: both with one dequantization sample, so like for
	// like (the training bpd is the mean over the last logging interval, the same in every cell).
	GapVal = Quantity{"gap_val_train", "val − train gap", func(r *Run) float64 { return r.Result.ValBPD - r.Result.TrainBPD }}
	// GapTest is test (importance-sampled) minus training bpd.
	GapTest = Quantity{"gap_test_train", "test − train gap", func(r *Run) float64 { return r.Result.TestBPD - r.Result.TrainBPD }}
)

// CellStats is what the seeds of one cell measured.
type CellStats struct {
	Cell       variants.Cell
	Name       string // canonical, e.g. squeeze=tutorial,split=channel,coupling=channelwise
	Slug       string
	Expected   int // seeds in the experiment
	OK         int // runs with status ok
	Test       Summary
	Val        Summary
	Train      Summary
	GapVal     Summary
	Params     Summary
	FLOPs      Summary
	MsPerStep  Summary
	Wall       Summary
	Seeds      []uint64  // of the ok runs
	TestBySeed []float64 // test bpd of the ok runs, in Seeds order
}

// Term is one cell pattern of a contrast: the contrasted axes at given levels, with a sign.
type Term struct {
	At   map[variants.Axis]string
	Sign float64
}

// Comparison is one paired contrast (a main effect, an interaction or a conditional effect) of
// one quantity, with its test and verdict.
type Comparison struct {
	Kind     string // "main", "interaction", "conditional", "hypothesis"
	Label    string // e.g. "split: checkerboard − channel"
	Axis     variants.Axis
	Ref, Alt string
	Axis2    variants.Axis // interactions: the second axis
	Ref2     string
	Alt2     string
	Given    string // conditional effects: e.g. "mixing=invconv"
	Quantity Quantity
	Terms    []Term
	Strata   int // possible pairs (other-axis levels × seeds)
	Dropped  int // of them, left out because a run was not ok
	Diffs    []float64
	Paired
}

// Analysis is every statistic of the report.
type Analysis struct {
	Data         *Data
	Varied       []variants.Axis // axes with more than one level, in report order
	Cells        []*CellStats    // in experiments.Cells order
	Main         []*Comparison   // one Holm family
	Interactions []*Comparison   // one Holm family
	Hypotheses   []*Comparison   // one Holm family: generalisation gaps and effects within mixing levels
}

// Ref is the reference level of an axis: its default variant when the grid has it, else the
// first listed.
func (d *Data) Ref(a variants.Axis) string {
	lv := d.Levels[a]
	if slices.Contains(lv, variants.Default(a)) {
		return variants.Default(a)
	}
	return lv[0]
}

// Alts is every level of a but the reference, in the grid's order.
func (d *Data) Alts(a variants.Axis) []string {
	var out []string
	for _, l := range d.Levels[a] {
		if l != d.Ref(a) {
			out = append(out, l)
		}
	}
	return out
}

func runKey(c variants.Cell, seed uint64) string { return fmt.Sprintf("%s#%d", c, seed) }

// Analyze computes the cell statistics and every comparison.
func Analyze(d *Data) *Analysis {
	an := &Analysis{Data: d}
	for _, a := range d.Axes {
		if len(d.Levels[a]) > 1 {
			an.Varied = append(an.Varied, a)
		}
	}
	byKey := map[string]*Run{}
	for _, r := range d.Runs {
		byKey[runKey(r.Cell, r.Seed)] = r
	}
	for _, c := range d.Experiment.Cells() {
		cs := &CellStats{Cell: c, Name: c.String(), Slug: c.Slug(), Expected: len(d.Experiment.Seeds)}
		var test, val, train, gap, params, flops, ms, wall []float64
		for _, s := range d.Experiment.Seeds {
			r := byKey[runKey(c, s)]
			if r == nil || !r.OK() {
				continue
			}
			cs.OK++
			res := r.Result
			cs.Seeds = append(cs.Seeds, s)
			cs.TestBySeed = append(cs.TestBySeed, res.TestBPD)
			test, val, train = append(test, res.TestBPD), append(val, res.ValBPD), append(train, res.TrainBPD)
			gap = append(gap, res.ValBPD-res.TrainBPD)
			params, flops = append(params, float64(res.Params)), append(flops, float64(res.FLOPsPerImage))
			ms, wall = append(ms, res.MsPerStep), append(wall, res.WallSeconds)
		}
		cs.Test, cs.Val, cs.Train, cs.GapVal = Summarize(test), Summarize(val), Summarize(train), Summarize(gap)
		cs.Params, cs.FLOPs, cs.MsPerStep, cs.Wall = Summarize(params), Summarize(flops), Summarize(ms), Summarize(wall)
		an.Cells = append(an.Cells, cs)
	}

	// Main effects: every non-reference level against the reference.
	for _, a := range an.Varied {
		ref := d.Ref(a)
		for _, alt := range d.Alts(a) {
			c := &Comparison{Kind: "main", Axis: a, Ref: ref, Alt: alt, Quantity: TestBPD,
				Label: fmt.Sprintf("%s: %s − %s", a, alt, ref),
				Terms: []Term{{map[variants.Axis]string{a: alt}, 1}, {map[variants.Axis]string{a: ref}, -1}}}
			an.compute(c, byKey)
			an.Main = append(an.Main, c)
		}
	}
	// Two-way interactions of the two-level axes: difference of differences.
	for i, a := range an.Varied {
		for _, b := range an.Varied[i+1:] {
			if len(d.Levels[a]) != 2 || len(d.Levels[b]) != 2 {
				continue
			}
			a0, a1, b0, b1 := d.Ref(a), d.Alts(a)[0], d.Ref(b), d.Alts(b)[0]
			c := &Comparison{Kind: "interaction", Axis: a, Ref: a0, Alt: a1, Axis2: b, Ref2: b0, Alt2: b1, Quantity: TestBPD,
				Label: fmt.Sprintf("%s × %s: (%s − %s | %s) − (%s − %s | %s)", a, b, a1, a0, b1, a1, a0, b0),
				Terms: []Term{
					{map[variants.Axis]string{a: a1, b: b1}, 1}, {map[variants.Axis]string{a: a0, b: b1}, -1},
					{map[variants.Axis]string{a: a1, b: b0}, -1}, {map[variants.Axis]string{a: a0, b: b0}, 1},
				}}
			an.compute(c, byKey)
			an.Interactions = append(an.Interactions, c)
		}
	}
	// Hypotheses. (1) The channel split generalises better: the split's effect on the
	// generalisation gap (val − train, and test − train).
	if len(d.Levels[variants.Split]) > 1 {
		a, ref := variants.Split, d.Ref(variants.Split)
		for _, alt := range d.Alts(a) {
			for _, q := range []Quantity{GapVal, GapTest} {
				c := &Comparison{Kind: "hypothesis", Axis: a, Ref: ref, Alt: alt, Quantity: q,
					Label: fmt.Sprintf("%s: %s − %s, %s", a, alt, ref, q.Label),
					Terms: []Term{{map[variants.Axis]string{a: alt}, 1}, {map[variants.Axis]string{a: ref}, -1}}}
				an.compute(c, byKey)
				an.Hypotheses = append(an.Hypotheses, c)
			}
		}
	}
	// (2) Channelwise vs rowwise, and the squeeze order, with and without channel mixing: the
	// effect within each mixing level.
	if len(d.Levels[variants.Mixing]) > 1 {
		for _, a := range []variants.Axis{variants.Coupling, variants.Squeeze} {
			if len(d.Levels[a]) < 2 {
				continue
			}
			ref := d.Ref(a)
			for _, alt := range d.Alts(a) {
				for _, m := range d.Levels[variants.Mixing] {
					c := &Comparison{Kind: "conditional", Axis: a, Ref: ref, Alt: alt, Given: "mixing=" + m, Quantity: TestBPD,
						Label: fmt.Sprintf("%s: %s − %s | mixing=%s", a, alt, ref, m),
						Terms: []Term{
							{map[variants.Axis]string{a: alt, variants.Mixing: m}, 1},
							{map[variants.Axis]string{a: ref, variants.Mixing: m}, -1},
						}}
					an.compute(c, byKey)
					an.Hypotheses = append(an.Hypotheses, c)
				}
			}
		}
	}
	for _, fam := range [][]*Comparison{an.Main, an.Interactions, an.Hypotheses} {
		var ps []*Paired
		for _, c := range fam {
			ps = append(ps, &c.Paired)
		}
		holmFamily(ps)
	}
	return an
}

// compute pairs the runs of a contrast: for every level combination of the axes the contrast
// does not fix, and every seed, the signed sum of the quantity over its terms, when every run of
// the stratum is ok.
func (an *Analysis) compute(c *Comparison, byKey map[string]*Run) {
	d := an.Data
	fixed := map[variants.Axis]bool{}
	for _, t := range c.Terms {
		for a := range t.At {
			fixed[a] = true
		}
	}
	// The strata: the grid of the free axes.
	free := map[variants.Axis][]string{}
	for _, a := range d.Axes {
		if fixed[a] {
			free[a] = []string{"-"}
		} else {
			free[a] = d.Levels[a]
		}
	}
	for _, base := range variants.Grid(free) {
		for _, seed := range d.Experiment.Seeds {
			c.Strata++
			sum, ok := 0.0, true
			for _, t := range c.Terms {
				cell := variants.Cell{}
				for a, v := range base {
					cell[a] = v
				}
				for a, v := range t.At {
					cell[a] = v
				}
				r := byKey[runKey(cell, seed)]
				if r == nil || !r.OK() {
					ok = false
					break
				}
				sum += t.Sign * c.Quantity.Of(r)
			}
			if !ok {
				c.Dropped++
				continue
			}
			c.Diffs = append(c.Diffs, sum)
		}
	}
	c.Paired = TestPaired(c.Diffs)
}

// Significant reports whether both tests reject "no difference" at Alpha after Holm's
// correction. The verdicts claim a difference only then.
func (c *Comparison) Significant() bool {
	return c.N >= 2 && c.PTHolm < Alpha && c.PPHolm < Alpha
}

// MinPermP is the smallest p-value the exact sign-flip test can give with n pairs: 2/2^n.
func MinPermP(n int) float64 {
	if n <= 0 {
		return 1
	}
	return math.Min(1, 2/math.Pow(2, float64(n)))
}

// FmtP formats a p-value for prose: "= 0.012", "< 0.001".
func FmtP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "= n/a"
	case p < 0.001:
		return "< 0.001"
	default:
		return "= " + fmtNum(p, 3)
	}
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	s := fmt.Sprintf("%.*f", prec, v)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.0000"
	}
	return s
}

func bpd(v float64) string { return fmtNum(v, 4) }

// Verdict is the comparison in plain words: a difference only when both tests reject it after
// Holm's correction; otherwise the size of difference the interval leaves possible.
func (c *Comparison) Verdict() string {
	what := c.Quantity.Label
	switch {
	case c.N == 0:
		return fmt.Sprintf("cannot be tested: no complete pair of ok runs (%d of %d pairs have a run that is not ok).", c.Dropped, c.Strata)
	case c.N < 2:
		return fmt.Sprintf("cannot be tested: only %d complete pair of ok runs (%d of %d pairs dropped).", c.N, c.Dropped, c.Strata)
	}
	tests := fmt.Sprintf("paired t p %s, sign-flip p %s, Holm-adjusted over %d tests; %d pairs", FmtP(c.PTHolm), FmtP(c.PPHolm), c.Family, c.N)
	if c.Dropped > 0 {
		tests += fmt.Sprintf(", %d of %d dropped for runs that are not ok", c.Dropped, c.Strata)
	}
	ci := fmt.Sprintf("95%% CI %s to %s", bpd(c.Lo), bpd(c.Hi))
	if c.Significant() {
		switch c.Kind {
		case "interaction":
			return fmt.Sprintf("the effect of %s (%s − %s) depends on %s: it is %s bpd larger with %s=%s than with %s=%s (%s; %s).",
				c.Axis, c.Alt, c.Ref, c.Axis2, bpd(c.Mean), c.Axis2, c.Alt2, c.Axis2, c.Ref2, ci, tests)
		}
		dir := "worse"
		if c.Mean < 0 {
			dir = "better"
		}
		if c.Quantity.Name != TestBPD.Name {
			dir = "larger"
			if c.Mean < 0 {
				dir = "smaller"
			}
			return fmt.Sprintf("the %s of %s is %s than that of %s by %s bpd (%s; %s).", what, c.Alt, dir, c.Ref, bpd(math.Abs(c.Mean)), ci, tests)
		}
		given := ""
		if c.Given != "" {
			given = " with " + c.Given
		}
		return fmt.Sprintf("%s is %s than %s%s by %s bpd (%s; %s).", c.Alt, dir, c.Ref, given, bpd(math.Abs(c.Mean)), ci, tests)
	}
	bound := math.Max(math.Abs(c.Lo), math.Abs(c.Hi))
	s := fmt.Sprintf("no difference detectable at this budget: %s − %s = %s bpd, %s, so |diff| < %s bpd (%s).",
		c.Alt, c.Ref, bpd(c.Mean), ci, fmtNum(bound, 4), tests)
	if c.Kind == "interaction" {
		s = fmt.Sprintf("no interaction detectable at this budget: difference of differences %s bpd, %s, so |interaction| < %s bpd (%s).",
			bpd(c.Mean), ci, fmtNum(bound, 4), tests)
	}
	if MinPermP(c.N)*float64(max(c.Family, 1)) >= Alpha {
		s += fmt.Sprintf(" With %d pairs the sign-flip test cannot reach p < %.2f after Holm's correction: more seeds are needed to detect any difference.", c.N, Alpha)
	}
	return s
}
