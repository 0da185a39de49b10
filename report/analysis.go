package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"squeezebench/experiments"
	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/variants"
)

var nan = math.NaN()

// Quantity names a per-run number the contrasts use.
type Quantity struct {
	Name  string // e.g. "test_bpd"
	Label string // e.g. "test bpd"
	Of    func(*Run) float64
}

// The quantities of the report. The final train, validation and test bpd all use the test's
// estimator (Config.ImportanceSamples importance samples), so the gaps compare like with like.
var (
	TestBPD = Quantity{"test_bpd", "test bpd", func(r *Run) float64 { return r.Result.TestBPD }}
	ValBPD  = Quantity{"val_bpd", "validation bpd", func(r *Run) float64 { return r.Result.ValBPD }}
	GapVal  = Quantity{"gap_val_train", "validation − train gap", func(r *Run) float64 { return r.Result.ValBPD - r.Result.TrainBPD }}
	GapTest = Quantity{"gap_test_train", "test − train gap", func(r *Run) float64 { return r.Result.TestBPD - r.Result.TrainBPD }}
)

// CellStats is what the seeds of one cell measured.
type CellStats struct {
	Cell      variants.Cell
	Name      string // canonical, e.g. squeeze=tutorial,split=channel,coupling=channelwise
	Slug      string
	Model     string // the cell that trains this cell's model (Name itself unless a twin)
	ModelSlug string
	Expected  int // seeds in the experiment
	OK        int // runs with status ok
	Test, Val, Train, GapVal,
	Params, FLOPs, MsPerStep, Wall, Eval stats.Summary
	Seeds      []uint64  // of the ok runs
	TestBySeed []float64 // test bpd of the ok runs, in Seeds order
	// Stability: runs that diverged, and logging intervals of the ok runs whose mean gradient
	// norm (before clipping) exceeded GradOutlierFactor times its run's median, after the first
	// tenth of training; MaxGradRatio is the largest such ratio seen.
	Diverged     int
	GradOutliers int
	MaxGradRatio float64
}

// GradOutlierFactor is how far above its run's median a logging interval's mean gradient norm
// must be to count as an outlier.
const GradOutlierFactor = 5

// Twin reports whether the cell is the same model as an earlier cell.
func (c *CellStats) Twin() bool { return c.Model != c.Name }

// Term is one cell pattern of a contrast: the contrasted axes at given levels, with a sign.
type Term struct {
	At   map[variants.Axis]string
	Sign float64
}

// Contrast is one seed-level comparison (a main effect, an interaction, a conditional effect or
// a generalisation gap) of one quantity: per seed, the mean over the strata (the level
// combinations of the axes the contrast does not fix) of the signed sum of its terms; then the
// test over seeds.
type Contrast struct {
	Kind     string // "main", "interaction", "conditional", "gap"
	Label    string // e.g. "split: checkerboard − channel"
	Axis     variants.Axis
	Ref, Alt string
	Axis2    variants.Axis // interactions: the second axis
	Ref2     string
	Alt2     string
	Given    string // conditional effects: e.g. "mixing=invconv"
	Quantity Quantity
	Terms    []Term

	Strata     int // level combinations of the free axes
	Kept       int // strata that count
	Twins      int // strata left out: their cells are one model, the contrast is zero by construction
	Duplicates int // strata left out: the same models, with the same signs, as a stratum already counted
	Excluded   int // strata left out: a cell of theirs is excluded from the grid
	// Seeds lists the seeds whose every kept stratum has ok runs, PerSeed their values d_s;
	// DroppedSeeds the seeds left out for a run that is not ok.
	Seeds        []uint64
	PerSeed      []float64
	DroppedSeeds []uint64
	stats.Test
	// Block is the additive block-ANOVA estimate of the same contrast (a sensitivity analysis,
	// main effects only; nil otherwise or when it cannot be computed).
	Block *stats.BlockEstimate

	strata [][]stratumTerm // the kept strata
}

// stratumTerm is one cell of a kept stratum with its sign.
type stratumTerm struct {
	cell variants.Cell
	sign float64
}

// Analysis is every statistic of the report.
type Analysis struct {
	Data         *Data
	Varied       []variants.Axis // axes with more than one level, in report order
	Cells        []*CellStats    // in experiments.Cells order
	Main         []*Contrast     // one family
	Interactions []*Contrast     // one family
	Hypotheses   []*Contrast     // one family: generalisation gaps and effects within mixing levels
	Traces       []*Trace        // the main effects, hypothesis tests and interactions over training
	Matched      []*Matched      // main effects at equal training compute (one family)
	BySetting    []*SettingCurve // variant effects against each numeric setting axis (one family)

	byKey map[string]*Run
}

// Families are the contrast families, each adjusted on its own.
func (an *Analysis) Families() [][]*Contrast {
	return [][]*Contrast{an.Main, an.Interactions, an.Hypotheses}
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

// Analyze computes the cell statistics, every contrast and its trace over training.
func Analyze(d *Data) *Analysis {
	an := &Analysis{Data: d, byKey: map[string]*Run{}}
	for _, a := range d.Axes {
		if len(d.Levels[a]) > 1 {
			an.Varied = append(an.Varied, a)
		}
	}
	for _, r := range d.Runs {
		an.byKey[runKey(r.Cell, r.Seed)] = r
	}
	for _, c := range d.Experiment.Cells() {
		an.Cells = append(an.Cells, an.cellStats(c))
	}
	an.Main = an.mainEffects(TestBPD)
	an.Interactions = an.interactions(TestBPD)
	an.Hypotheses = an.hypotheses()
	for _, fam := range an.Families() {
		adjust(fam)
	}
	for _, c := range an.Main {
		c.Block = an.block(c)
	}
	an.Traces = an.traces()
	an.Matched = an.matched()
	an.BySetting = an.settingCurves()
	return an
}

func (an *Analysis) cellStats(c variants.Cell) *CellStats {
	d := an.Data
	cs := &CellStats{Cell: c, Name: c.String(), Slug: c.Slug(), Model: d.ModelOf[c.String()], Expected: len(d.Experiment.Seeds)}
	if cs.Model == "" {
		cs.Model = cs.Name
	}
	cs.ModelSlug = cs.Slug
	for _, o := range d.Experiment.Cells() {
		if o.String() == cs.Model {
			cs.ModelSlug = o.Slug()
		}
	}
	var test, val, train, gap, params, flops, ms, wall, eval []float64
	for _, s := range d.Experiment.Seeds {
		r := an.byKey[runKey(c, s)]
		if r != nil && r.Status == runner.StatusDiverged {
			cs.Diverged++
		}
		if r == nil || !r.OK() {
			continue
		}
		cs.OK++
		n, ratio := gradOutliers(r.Metrics)
		cs.GradOutliers, cs.MaxGradRatio = cs.GradOutliers+n, math.Max(cs.MaxGradRatio, ratio)
		res := r.Result
		cs.Seeds = append(cs.Seeds, s)
		cs.TestBySeed = append(cs.TestBySeed, res.TestBPD)
		test, val, train = append(test, res.TestBPD), append(val, res.ValBPD), append(train, res.TrainBPD)
		gap = append(gap, res.ValBPD-res.TrainBPD)
		params, flops = append(params, float64(res.Params)), append(flops, float64(res.FLOPsPerImage))
		ms, wall, eval = append(ms, res.MsPerStep), append(wall, res.WallSeconds), append(eval, res.EvalSeconds)
	}
	cs.Test, cs.Val, cs.Train, cs.GapVal = stats.Summarize(test), stats.Summarize(val), stats.Summarize(train), stats.Summarize(gap)
	cs.Params, cs.FLOPs, cs.MsPerStep = stats.Summarize(params), stats.Summarize(flops), stats.Summarize(ms)
	cs.Wall, cs.Eval = stats.Summarize(wall), stats.Summarize(eval)
	return cs
}

// gradOutliers counts a run's logging intervals, after the first tenth of its steps, whose mean
// gradient norm exceeds GradOutlierFactor times the run's median, and gives the largest ratio.
func gradOutliers(ms []runner.Metric) (n int, most float64) {
	if len(ms) == 0 {
		return 0, 0
	}
	last := ms[len(ms)-1].Step
	var norms []float64
	for _, m := range ms {
		if m.Step > last/10 && !math.IsNaN(m.GradNorm) {
			norms = append(norms, m.GradNorm)
		}
	}
	if len(norms) == 0 {
		return 0, 0
	}
	sorted := slices.Clone(norms)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if med <= 0 {
		return 0, 0
	}
	for _, g := range norms {
		r := g / med
		most = math.Max(most, r)
		if r > GradOutlierFactor {
			n++
		}
	}
	return n, most
}

// mainEffects is every non-reference level of every varied axis against the reference.
func (an *Analysis) mainEffects(q Quantity) []*Contrast {
	d := an.Data
	var out []*Contrast
	for _, a := range an.Varied {
		ref := d.Ref(a)
		for _, alt := range d.Alts(a) {
			c := &Contrast{Kind: "main", Axis: a, Ref: ref, Alt: alt, Quantity: q,
				Label: fmt.Sprintf("%s: %s − %s", a, alt, ref),
				Terms: []Term{{map[variants.Axis]string{a: alt}, 1}, {map[variants.Axis]string{a: ref}, -1}}}
			an.compute(c)
			out = append(out, c)
		}
	}
	return out
}

// interactions is the two-way interactions of every pair of varied axes: for each non-reference
// level of each, the difference of differences against the two references (an axis of more than
// two levels gives one interaction per alternative level, as its main effects do).
func (an *Analysis) interactions(q Quantity) []*Contrast {
	d := an.Data
	var out []*Contrast
	for i, a := range an.Varied {
		for _, b := range an.Varied[i+1:] {
			a0, b0 := d.Ref(a), d.Ref(b)
			for _, a1 := range d.Alts(a) {
				for _, b1 := range d.Alts(b) {
					c := &Contrast{Kind: "interaction", Axis: a, Ref: a0, Alt: a1, Axis2: b, Ref2: b0, Alt2: b1, Quantity: q,
						Label: fmt.Sprintf("%s × %s: (%s − %s | %s) − (%s − %s | %s)", a, b, a1, a0, b1, a1, a0, b0),
						Terms: []Term{
							{map[variants.Axis]string{a: a1, b: b1}, 1}, {map[variants.Axis]string{a: a0, b: b1}, -1},
							{map[variants.Axis]string{a: a1, b: b0}, -1}, {map[variants.Axis]string{a: a0, b: b0}, 1},
						}}
					an.compute(c)
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// hypotheses is the maintainer's two hypotheses as contrasts: (1) the channel split generalises
// better: the split's effect on the generalisation gaps (validation − train, test − train, all
// three with the same estimator); (2) channelwise vs rowwise, and the squeeze order, differ more
// with channel mixing: the effect within each mixing level (the interaction is in its family).
func (an *Analysis) hypotheses() []*Contrast {
	d := an.Data
	var out []*Contrast
	if len(d.Levels[variants.Split]) > 1 {
		a, ref := variants.Split, d.Ref(variants.Split)
		for _, alt := range d.Alts(a) {
			for _, q := range []Quantity{GapVal, GapTest} {
				c := &Contrast{Kind: "gap", Axis: a, Ref: ref, Alt: alt, Quantity: q,
					Label: fmt.Sprintf("%s: %s − %s, %s", a, alt, ref, q.Label),
					Terms: []Term{{map[variants.Axis]string{a: alt}, 1}, {map[variants.Axis]string{a: ref}, -1}}}
				an.compute(c)
				out = append(out, c)
			}
		}
	}
	if len(d.Levels[variants.Mixing]) > 1 {
		for _, a := range []variants.Axis{variants.Coupling, variants.Squeeze} {
			if len(d.Levels[a]) < 2 {
				continue
			}
			ref := d.Ref(a)
			for _, alt := range d.Alts(a) {
				for _, m := range d.Levels[variants.Mixing] {
					c := &Contrast{Kind: "conditional", Axis: a, Ref: ref, Alt: alt, Given: "mixing=" + m, Quantity: TestBPD,
						Label: fmt.Sprintf("%s: %s − %s | mixing=%s", a, alt, ref, m),
						Terms: []Term{
							{map[variants.Axis]string{a: alt, variants.Mixing: m}, 1},
							{map[variants.Axis]string{a: ref, variants.Mixing: m}, -1},
						}}
					an.compute(c)
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// adjust applies the family-wise adjustment to a family's tests.
func adjust(fam []*Contrast) {
	var ts []*stats.Test
	for _, c := range fam {
		ts = append(ts, &c.Test)
	}
	stats.Adjust(ts, stats.Alpha)
}

// compute finds the contrast's strata, leaves out those that are structural zeros (twins) or
// duplicates of another stratum's models, and tests the per-seed means of the rest.
func (an *Analysis) compute(c *Contrast) {
	an.stratify(c)
	c.Seeds, c.PerSeed, c.DroppedSeeds = an.perSeed(c, c.Quantity.Of)
	c.Test = stats.OneSample(c.PerSeed)
}

// stratify fills Strata, Kept, Twins, Duplicates and the kept strata's cells.
func (an *Analysis) stratify(c *Contrast) {
	d := an.Data
	fixed := map[variants.Axis]bool{}
	for _, t := range c.Terms {
		for a := range t.At {
			fixed[a] = true
		}
	}
	free := map[variants.Axis][]string{}
	for _, a := range d.Axes {
		if fixed[a] {
			free[a] = []string{"-"}
		} else {
			free[a] = d.Levels[a]
		}
	}
	seen := map[string]bool{}
	for _, base := range experiments.Product(d.Axes, free) {
		c.Strata++
		var terms []stratumTerm
		excluded := false
		models := map[string]float64{} // model -> sum of the signs of its cells in this stratum
		for _, t := range c.Terms {
			cell := variants.Cell{}
			for a, v := range base {
				cell[a] = v
			}
			for a, v := range t.At {
				cell[a] = v
			}
			terms = append(terms, stratumTerm{cell, t.Sign})
			models[an.modelOf(cell)] += t.Sign
			excluded = excluded || d.Experiment.Excluded(cell)
		}
		key := modelsKey(models)
		switch {
		case excluded:
			c.Excluded++
		case key == "":
			c.Twins++
		case seen[key]:
			c.Duplicates++
		default:
			seen[key] = true
			c.strata = append(c.strata, terms)
			c.Kept++
		}
	}
}

func (an *Analysis) modelOf(c variants.Cell) string {
	if m, ok := an.Data.ModelOf[c.String()]; ok {
		return m
	}
	return c.String()
}

// modelsKey is a canonical form of a stratum's signed models, leaving out models whose signs
// cancel: "" when all cancel (the contrast is zero whatever was measured).
func modelsKey(models map[string]float64) string {
	var parts []string
	for m, s := range models {
		if s != 0 {
			parts = append(parts, fmt.Sprintf("%s:%+g", m, s))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

// perSeed is, for every seed whose kept strata all have ok runs, the mean over the strata of the
// signed sum of q over the stratum's runs.
func (an *Analysis) perSeed(c *Contrast, q func(*Run) float64) (seeds []uint64, vals []float64, dropped []uint64) {
	if len(c.strata) == 0 {
		return nil, nil, nil
	}
seeds:
	for _, s := range an.Data.Experiment.Seeds {
		sum := 0.0
		for _, st := range c.strata {
			for _, t := range st {
				r := an.byKey[runKey(t.cell, s)]
				if r == nil || !r.OK() {
					dropped = append(dropped, s)
					continue seeds
				}
				sum += t.sign * q(r)
			}
		}
		v := sum / float64(len(c.strata))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			dropped = append(dropped, s)
			continue
		}
		seeds, vals = append(seeds, s), append(vals, v)
	}
	return seeds, vals, dropped
}

// block is the block-ANOVA estimate of a contrast over the distinct models of the grid and the
// seeds with complete data: the same linear combination of cell means as the seed-level
// estimate, with the residual mean square of the additive cell + seed model as its noise.
func (an *Analysis) block(c *Contrast) *stats.BlockEstimate {
	if len(c.strata) == 0 {
		return nil
	}
	weights := map[string]float64{} // model -> weight
	for _, st := range c.strata {
		for _, t := range st {
			weights[an.modelOf(t.cell)] += t.sign / float64(len(c.strata))
		}
	}
	var models []*CellStats
	for _, cs := range an.Cells {
		if !cs.Twin() {
			models = append(models, cs)
		}
	}
	var seeds []uint64
	for _, s := range an.Data.Experiment.Seeds {
		complete := true
		for _, cs := range models {
			if r := an.byKey[runKey(cs.Cell, s)]; r == nil || !r.OK() {
				complete = false
				break
			}
		}
		if complete {
			seeds = append(seeds, s)
		}
	}
	if len(seeds) < 2 || len(models) < 2 {
		return nil
	}
	y := make([][]float64, len(models))
	w := make([]float64, len(models))
	for i, cs := range models {
		w[i] = weights[cs.Name]
		for _, s := range seeds {
			y[i] = append(y[i], c.Quantity.Of(an.byKey[runKey(cs.Cell, s)]))
		}
	}
	b, err := stats.BlockANOVA(y, w, 1-c.TestAlpha)
	if err != nil {
		return nil
	}
	return &b
}

// fmtNum formats v with prec decimals, "n/a" for NaN and without a sign on zero.
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

// levelText is the interval's confidence in words, e.g. "98.3%".
func levelText(level float64) string {
	s := fmt.Sprintf("%.1f", 100*level)
	return strings.TrimSuffix(s, ".0") + "%"
}
