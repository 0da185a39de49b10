package report

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"image/png"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/runner/pool"
	"squeezebench/variants"
)

// constructedTOML is a 2 (split) x 2 (coupling) grid with 5 seeds; the runs are made up by
// writeConstructed, not trained.
const constructedTOML = `name = "constructed"
seeds = 5

[grid]
split = ["channel", "checkerboard"]
coupling = ["channelwise", "rowwise"]

[model]
preset = "smoke"

[training]
steps = 10

[evaluation]
val_every = 5
`

// values gives a made-up run its test bpd (1.3 + the value) and, at the evaluation of step
// 5 and 10, its validation bpd (1.35 + value(step)).
type values func(c variants.Cell, seed uint64, step int) float64

// writeConstructed writes a results tree of the experiment src whose numbers come from v, and
// whose status is status(cell, seed) ("" for ok; "missing" leaves the run out). Twins get their
// model's numbers, as the runner gives them.
func writeConstructed(t *testing.T, src string, v values, status func(c variants.Cell, seed uint64) string) string {
	t.Helper()
	dir := t.TempDir()
	e, err := experiments.Parse("constructed.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "experiment.toml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	jobs := e.Jobs()
	for _, j := range jobs {
		st := runner.StatusOK
		if status != nil && status(j.Cell, j.Seed) != "" {
			st = status(j.Cell, j.Seed)
		}
		if st == StatusMissing {
			continue
		}
		model := jobs[j.Primary].Cell
		test := 1.3 + v(model, j.Seed, 10)
		r := runner.Result{Config: j.Config, ConfigHash: j.Config.Hash(),
			Params: 1000, FLOPsPerImage: 2e6, Steps: 10, TrainBPD: test + 0.02, ValBPD: test + 0.03, TestBPD: test,
			TrainImages: 64, ValImages: 64, TestImages: 64, ImportanceSamples: 8, MinibatchBPD: test + 0.1,
			MsPerStep: 50, EvalSeconds: 1, WallSeconds: 2, Status: st, Backend: "fast/gonum", GoVersion: "go1.26", Threads: 2,
			Ended: "2026-01-02T10:00:00Z"}
		if j.Twin() {
			r.SameModelAs = model.String()
		}
		if st != runner.StatusOK {
			r.Error, r.TestBPD = "loss became NaN at step 7", 0
		}
		var ms []runner.Metric
		for _, step := range []int{5, 10} {
			val := 1.35 + v(model, j.Seed, step)
			ms = append(ms, runner.Metric{Step: step, Epoch: float64(step) / 3125, LR: 1e-3, MinibatchBPD: val + 1, GradNorm: 1,
				TrainEvalBPD: val - 0.01, ValBPD: val, Elapsed: float64(step)})
		}
		if err := runner.WriteOutcome(filepath.Join(dir, j.RunDir()), &runner.Outcome{Result: r, Metrics: ms}, 28, 28); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noise is a fixed pseudo-random jitter per cell and seed, sd 0.002 bpd.
func noise(c variants.Cell, seed uint64) float64 {
	h := fnv.New64a()
	h.Write([]byte(c.String()))
	return 0.002 * rand.New(rand.NewPCG(h.Sum64(), seed)).NormFloat64()
}

func still(f func(c variants.Cell, seed uint64) float64) values {
	return func(c variants.Cell, seed uint64, _ int) float64 { return f(c, seed) }
}

func analyze(t *testing.T, dir string) *Analysis {
	t.Helper()
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Analyze(d)
}

func mainOf(an *Analysis, a variants.Axis) *Contrast {
	for _, c := range an.Main {
		if c.Axis == a {
			return c
		}
	}
	return nil
}

func TestVerdictClearEffect(t *testing.T) {
	dir := writeConstructed(t, constructedTOML, still(func(c variants.Cell, s uint64) float64 {
		v := noise(c, s)
		if c.Get(variants.Split) == "checkerboard" {
			v += 0.012
		}
		return v
	}), nil)
	an := analyze(t, dir)
	c := mainOf(an, variants.Split)
	if c == nil || c.N != 5 || c.Kept != 2 || len(c.DroppedSeeds) != 0 {
		t.Fatalf("split effect: %+v", c)
	}
	if math.Abs(c.Mean-0.012) > 0.002 {
		t.Errorf("split effect %v, want about 0.012", c.Mean)
	}
	if !c.Claimed() || c.Family != 2 {
		t.Fatalf("a 0.012 bpd effect with ±0.002 noise over 5 seeds is not claimed: %+v", c.Test)
	}
	v := c.Verdict()
	for _, want := range []string{"checkerboard is worse than channel by 0.01", "97.5% CI +0.0", "family-wise 95% over 2 tests", "t over 5 seeds",
		"each seed's value the mean over 2 strata"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict %q lacks %q", v, want)
		}
	}
	// The coupling has no effect here: no claim, with the detectable size said.
	if cc := mainOf(an, variants.Coupling); cc.Claimed() || !strings.HasPrefix(cc.Verdict(), "no difference detectable at this budget") ||
		!strings.Contains(cc.Verdict(), "would have been detected with 80% power") {
		t.Errorf("coupling verdict: %s", cc.Verdict())
	}
}

// Runs of one seed share its data order and noise: a seed-level shift common to every stratum of
// a seed makes the pairs of one seed agree with each other, so pooling the 12 pairs as if they
// were independent claims an effect that 3 seeds cannot support.
func TestSeedIsTheUnitOfReplication(t *testing.T) {
	src := strings.Replace(constructedTOML, "seeds = 5", "seeds = 3", 1)
	src = strings.Replace(src, "[grid]\n", "[grid]\nsqueeze = [\"tutorial\", \"tf-style\"]\n", 1)
	shift := map[uint64]float64{1: 0.012, 2: 0.000, 3: 0.006}
	dir := writeConstructed(t, src, still(func(c variants.Cell, s uint64) float64 {
		v := 0.0002 * noise(c, s) / 0.002
		if c.Get(variants.Split) == "checkerboard" {
			v += shift[s]
		}
		return v
	}), nil)
	an := analyze(t, dir)
	c := mainOf(an, variants.Split)
	if c.N != 3 || c.Kept != 4 {
		t.Fatalf("split: %d seeds, %d strata; want 3 and 4", c.N, c.Kept)
	}
	// The pairs, pooled as 12 replicates.
	var pairs []float64
	for _, sq := range []string{"tutorial", "tf-style"} {
		for _, cp := range []string{"channelwise", "rowwise"} {
			for _, s := range an.Data.Experiment.Seeds {
				at := func(split string) float64 {
					return an.byKey[runKey(variants.Cell{variants.Squeeze: sq, variants.Split: split, variants.Coupling: cp}, s)].Result.TestBPD
				}
				pairs = append(pairs, at("checkerboard")-at("channel"))
			}
		}
	}
	// Pair-level pooling, with the same Bonferroni adjustment over the family of c.Family tests.
	pooled := stats.OneSample(pairs)
	if !(pooled.P*float64(c.Family) < stats.Alpha) {
		t.Fatalf("the constructed design should fool pair-level pooling: 12 pairs, p %v x %d", pooled.P, c.Family)
	}
	if c.Claimed() {
		t.Errorf("the seed-level analysis claims %s from 3 seeds (%v): %s", c.Label, c.PerSeed, c.Verdict())
	}
	for i, s := range c.Seeds {
		if math.Abs(c.PerSeed[i]-shift[s]) > 0.001 {
			t.Errorf("seed %d: per-seed value %v, want about %v", s, c.PerSeed[i], shift[s])
		}
	}
	if !strings.Contains(c.Verdict(), "cannot reach p < 0.05 after adjustment") {
		t.Errorf("3 seeds: the verdict should say the sign-flip cannot reach 0.05: %s", c.Verdict())
	}
}

// twinsTOML has tf-ordered with both splits: one model, trained once.
const twinsTOML = `name = "twins"
seeds = 4

[grid]
squeeze = ["tutorial", "tf-ordered"]
split = ["channel", "checkerboard"]
coupling = ["channelwise", "rowwise"]

[model]
preset = "smoke"

[training]
steps = 10

[evaluation]
val_every = 5
`

// A stratum whose two cells are one model is a zero by construction: it is left out of the
// contrast, and a stratum repeating another's models is left out too.
func TestTwinStrataAreLeftOut(t *testing.T) {
	effect := func(c variants.Cell) float64 {
		v := 0.0
		if c.Get(variants.Split) == "checkerboard" {
			v += 0.006
		}
		if c.Get(variants.Coupling) == "rowwise" {
			v -= 0.004
		}
		return v
	}
	dir := writeConstructed(t, twinsTOML, still(func(c variants.Cell, s uint64) float64 { return effect(c) + noise(c, s) }), nil)
	an := analyze(t, dir)
	split := mainOf(an, variants.Split)
	// Strata: squeeze x coupling = 4; the two tf-ordered ones compare one model with itself.
	if split.Strata != 4 || split.Twins != 2 || split.Kept != 2 || split.Duplicates != 0 {
		t.Fatalf("split: strata %d, twins %d, kept %d, duplicates %d; want 4, 2, 2, 0", split.Strata, split.Twins, split.Kept, split.Duplicates)
	}
	// Each seed's value is the mean over the two tutorial strata only.
	for i, s := range split.Seeds {
		want := 0.0
		for _, cp := range []string{"channelwise", "rowwise"} {
			cell := func(sp string) variants.Cell {
				return variants.Cell{variants.Squeeze: "tutorial", variants.Split: sp, variants.Coupling: cp}
			}
			want += (effect(cell("checkerboard")) + noise(cell("checkerboard"), s) - effect(cell("channel")) - noise(cell("channel"), s)) / 2
		}
		if math.Abs(split.PerSeed[i]-want) > 1e-12 {
			t.Errorf("seed %d: split value %v, want %v (the tutorial strata)", s, split.PerSeed[i], want)
		}
	}
	// Coupling: strata squeeze x split = 4; tf-ordered with either split is the same pair of
	// models: one of them is a duplicate.
	cp := mainOf(an, variants.Coupling)
	if cp.Strata != 4 || cp.Twins != 0 || cp.Duplicates != 1 || cp.Kept != 3 {
		t.Errorf("coupling: strata %d, twins %d, duplicates %d, kept %d; want 4, 0, 1, 3", cp.Strata, cp.Twins, cp.Duplicates, cp.Kept)
	}
	v := split.Verdict()
	if !strings.Contains(v, "leaving out 2 where the cells are one model (of 4 strata)") {
		t.Errorf("split verdict does not say twins were left out: %s", v)
	}
	// The split x coupling interaction within tf-ordered is zero by construction too.
	for _, c := range an.Interactions {
		if c.Axis == variants.Split && c.Axis2 == variants.Coupling && (c.Twins != 1 || c.Kept != 1) {
			t.Errorf("split x coupling: twins %d, kept %d; want 1, 1", c.Twins, c.Kept)
		}
	}
	if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"8 cells, 6 distinct models", "`tf-ordered_checkerboard_channelwise` = `tf-ordered_channel_channelwise`", "same as tf-ordered_channel_rowwise"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
}

// An interval excludes 0 exactly when the verdict claims a difference, for every contrast of
// many made-up experiments with effects near the detection limit.
func TestIntervalExcludesZeroOnlyWhenClaimed(t *testing.T) {
	claims, none := 0, 0
	for k := 0; k < 12; k++ {
		size := 0.0008 * float64(k)
		dir := writeConstructed(t, constructedTOML, still(func(c variants.Cell, s uint64) float64 {
			v := noise(c, s+uint64(100*k))
			if c.Get(variants.Split) == "checkerboard" {
				v += size
			}
			if c.Get(variants.Coupling) == "rowwise" {
				v -= size / 2
			}
			return v
		}), nil)
		an := analyze(t, dir)
		for _, fam := range an.Families() {
			for _, c := range fam {
				excludes := c.Lo > 0 || c.Hi < 0
				v := c.Verdict()
				says := !strings.HasPrefix(v, "no difference") && !strings.HasPrefix(v, "no interaction") && !strings.HasPrefix(v, "cannot")
				if excludes != c.Claimed() || says != c.Claimed() || (c.PAdj < stats.Alpha) != c.Claimed() {
					t.Errorf("%s: interval %v..%v, claimed %t, p adj %v, verdict %q", c.Label, c.Lo, c.Hi, c.Claimed(), c.PAdj, v)
				}
				if c.Claimed() {
					claims++
				} else {
					none++
				}
			}
		}
	}
	if claims == 0 || none == 0 {
		t.Errorf("%d claims and %d non-claims: the sizes should give both", claims, none)
	}
}

func TestVerdictNoEffect(t *testing.T) {
	an := analyze(t, writeConstructed(t, constructedTOML, still(noise), nil))
	for _, c := range an.Main {
		v := c.Verdict()
		if c.Claimed() || !strings.HasPrefix(v, "no difference detectable at this budget") || !strings.Contains(v, "|difference| < 0.00") {
			t.Errorf("%s: %s", c.Label, v)
		}
	}
	if len(an.Interactions) != 1 || an.Interactions[0].N != 5 {
		t.Fatalf("interactions: %+v", an.Interactions)
	}
	if v := an.Interactions[0].Verdict(); !strings.HasPrefix(v, "no interaction detectable") {
		t.Errorf("interaction: %s", v)
	}
}

func TestFailedRunsDropSeeds(t *testing.T) {
	status := func(c variants.Cell, s uint64) string {
		switch {
		case c.Get(variants.Split) == "checkerboard" && c.Get(variants.Coupling) == "rowwise" && s == 2:
			return runner.StatusDiverged
		case c.Get(variants.Split) == "channel" && c.Get(variants.Coupling) == "channelwise" && s == 4:
			return StatusMissing
		}
		return ""
	}
	dir := writeConstructed(t, constructedTOML, still(noise), status)
	an := analyze(t, dir)
	c := mainOf(an, variants.Split)
	// Seeds 2 and 4 each lose a run of a stratum: both are left out of the split contrast.
	if c.N != 3 || len(c.DroppedSeeds) != 2 || c.DroppedSeeds[0] != 2 || c.DroppedSeeds[1] != 4 {
		t.Errorf("split: %d seeds, dropped %v; want 3 and [2 4]", c.N, c.DroppedSeeds)
	}
	if !strings.Contains(c.Verdict(), "2 seed(s) left out for runs that are not ok") {
		t.Errorf("verdict does not say seeds were dropped: %s", c.Verdict())
	}
	if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"18 of 20 expected runs usable", "2 of 20 expected runs are not usable",
		"| tutorial_checkerboard_rowwise |    2 | diverged | loss became NaN at step 7 |", "| tutorial_channel_channelwise  |    4 | missing  | no result.json            |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(string(md))
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "runs.csv"))
	if n := strings.Count(string(csv), "\n"); n != 21 {
		t.Errorf("runs.csv has %d lines, want a header and 20 runs", n)
	}
}

// Effects over training: an effect present at both evaluations is detectable from the first; one
// that appears only at the end is detectable from the last.
func TestTraces(t *testing.T) {
	dir := writeConstructed(t, constructedTOML, func(c variants.Cell, s uint64, step int) float64 {
		v := noise(c, s) + 0.0001*float64(step)*noise(c, s+7)
		if c.Get(variants.Split) == "checkerboard" {
			v += 0.012
		}
		if c.Get(variants.Coupling) == "rowwise" && step == 10 {
			v -= 0.015
		}
		return v
	}, nil)
	an := analyze(t, dir)
	if want := len(an.Main) + 1 + len(an.Interactions); len(an.Traces) != want { // main effects, the validation-gap test, interactions
		t.Fatalf("%d traces, want %d", len(an.Traces), want)
	}
	// The validation-gap trace is adjusted over the whole hypothesis family, the untraced test −
	// train gap included, as its final verdict is.
	for _, tr := range an.Traces {
		if tr.Contrast.Kind == "gap" && tr.Points[0].Family != len(an.Hypotheses) {
			t.Errorf("%s: adjusted over %d tests, the final family has %d", tr.Contrast.Label, tr.Points[0].Family, len(an.Hypotheses))
		}
	}
	// The effects add up, so the split × coupling interaction is followed and never claimed.
	if tr := an.traceOf(an.Interactions[0]); tr == nil {
		t.Error("the interaction is not traced")
	} else if step, _ := tr.Since(); step != 0 || !strings.HasPrefix(tr.Words(), "not detectable at any") {
		t.Errorf("additive effects, yet the interaction trace says %q", tr.Words())
	}
	for _, tr := range an.Traces {
		if len(tr.Steps) != 2 || tr.Steps[0] != 5 || tr.Steps[1] != 10 {
			t.Fatalf("%s: steps %v, want [5 10]", tr.Contrast.Label, tr.Steps)
		}
		step, _ := tr.Since()
		switch tr.Contrast.Label {
		case "split: checkerboard − channel":
			if step != 5 || !strings.HasPrefix(tr.Words(), "detectable at every evaluation, from step 5 on") {
				t.Errorf("split: since %d, %q", step, tr.Words())
			}
		case "coupling: rowwise − channelwise":
			if step != 10 || !strings.HasPrefix(tr.Words(), "detectable from step 10 on") {
				t.Errorf("coupling: since %d, %q", step, tr.Words())
			}
		}
	}
}

// A growing effect is said to grow; a constant one is stable.
func TestTrendWords(t *testing.T) {
	mk := func(slopes []float64) *Trace {
		tr := &Trace{Steps: []int{100, 200, 300, 400, 500, 600}, TrendSteps: [2]int{300, 600}}
		for i := range tr.Steps {
			tr.Points = append(tr.Points, stats.OneSample([]float64{0.01 + float64(i)*0.001, 0.011, 0.012, 0.0105}))
		}
		tr.Trend = stats.OneSample(slopes)
		return tr
	}
	if w := mk([]float64{0.0011, 0.0009, 0.0010, 0.0012}).Words(); !strings.Contains(w, "still growing") {
		t.Errorf("positive effect, positive slopes: %q", w)
	}
	if w := mk([]float64{-0.0011, -0.0009, -0.0010, -0.0012}).Words(); !strings.Contains(w, "shrinking") {
		t.Errorf("positive effect, negative slopes: %q", w)
	}
	if w := mk([]float64{0.0003, -0.0004, 0.0001, -0.0002}).Words(); !strings.Contains(w, "stable as far as these seeds tell, though a change of up to 0.0005 bpd over that span is not excluded") {
		t.Errorf("changes around zero: %q", w)
	}
	// A trend toward an effect not (yet) claimed at the last evaluation is movement, not growth.
	tr := mk([]float64{0.0011, 0.0009, 0.0010, 0.0012})
	tr.Points[len(tr.Points)-1] = stats.OneSample([]float64{0.004, -0.003, 0.002, -0.001})
	if w := tr.Words(); !strings.Contains(w, "it still moves toward more positive values") || strings.Contains(w, "growing") {
		t.Errorf("trend without a final effect: %q", w)
	}
}

// The trend is the fitted change over its span, in bpd: a slow drift over ten epochs is as
// large as it is, not a rounded slope per step.
func TestFittedChange(t *testing.T) {
	steps := []int{3905, 5467, 7810}
	vals := []float64{0.010, 0.010 + 1e-6*1562, 0.010 + 1e-6*3905}
	if got := fittedChange(steps, vals); math.Abs(got-0.003905) > 1e-12 {
		t.Errorf("fitted change %g, want 0.003905", got)
	}
	if got := fittedChange(steps, []float64{0.02, 0.02, 0.02}); got != 0 {
		t.Errorf("a constant effect changes by %g", got)
	}
}

// A trace over several epochs names its steps with their epochs.
func TestTraceWordsNameEpochs(t *testing.T) {
	tr := &Trace{Steps: []int{781, 1562, 2343, 3905, 5467, 7810}, Epochs: []float64{1, 2, 3, 5, 7, 10}, TrendSteps: [2]int{3905, 7810}}
	for range tr.Steps {
		tr.Points = append(tr.Points, stats.OneSample([]float64{0.010, 0.011, 0.012, 0.0105}))
	}
	tr.Trend = stats.OneSample([]float64{0.0003, -0.0004, 0.0001, -0.0002})
	w := tr.Words()
	for _, want := range []string{"from step 781 (epoch 1) on", "(epochs 5–10, steps 3,905–7,810)", "fitted change over that span"} {
		if !strings.Contains(w, want) {
			t.Errorf("words lack %q: %s", want, w)
		}
	}
	if label, x := tr.axis(); label != "epoch" || x(3) != 5 {
		t.Errorf("a ten-epoch trace is drawn against %s, x(3) = %v", label, x(3))
	}
	tr.Epochs = []float64{0.5, 1, 1.5, 2.25, 3, 4}
	if w := tr.Words(); !strings.Contains(w, "from step 781 (epoch 0.50) on") || !strings.Contains(w, "(epochs 2.25–4, steps 3,905–7,810)") {
		t.Errorf("fractional epochs: %s", w)
	}
	tr.Epochs = []float64{1, 2, 3, math.NaN(), 7, 10}
	if w := tr.Words(); strings.Contains(w, "NaN") || !strings.Contains(w, "(steps 3,905–7,810)") {
		t.Errorf("an unknown epoch: %s", w)
	}
	tr.Epochs = []float64{0.13, 0.26, 0.38, 0.51, 0.64, 1}
	if w := tr.Words(); strings.Contains(w, "epoch") {
		t.Errorf("a one-epoch trace names epochs: %s", w)
	}
	if label, x := tr.axis(); label != "step" || x(3) != 3905 {
		t.Errorf("a one-epoch trace is drawn against %s, x(3) = %v", label, x(3))
	}
}

// Comparing a result set with itself finds no difference and identical seeds; a copy with one
// cell shifted finds that cell and the contrasts it enters.
func TestCompare(t *testing.T) {
	v := still(func(c variants.Cell, s uint64) float64 { return noise(c, s) })
	a := analyze(t, writeConstructed(t, constructedTOML, v, nil))
	self := Compare(a, a)
	for _, d := range append(self.Cells, self.Contrasts...) {
		if !d.Within || d.Diff != 0 || d.Identical != d.Seeds || d.Seeds == 0 {
			t.Errorf("self-comparison %s: %+v", d.Label, d)
		}
	}
	if len(self.Verdicts) != 0 {
		t.Errorf("self-comparison verdicts differ: %v", self.Verdicts)
	}
	shifted := analyze(t, writeConstructed(t, constructedTOML, still(func(c variants.Cell, s uint64) float64 {
		x := noise(c, s)
		if c.Get(variants.Split) == "checkerboard" && c.Get(variants.Coupling) == "rowwise" {
			x += 0.02
		}
		return x
	}), nil))
	ag := Compare(shifted, a)
	outside := map[string]bool{}
	for _, d := range append(ag.Cells, ag.Contrasts...) {
		if !d.Within {
			outside[d.Label] = true
		}
	}
	for _, want := range []string{"tutorial_checkerboard_rowwise", "split: checkerboard − channel", "coupling: rowwise − channelwise"} {
		if !outside[want] {
			t.Errorf("the shifted copy: %s is within noise (outside: %v)", want, outside)
		}
	}
	if outside["tutorial_channel_channelwise"] {
		t.Error("an unchanged cell is outside noise")
	}
	if md := ag.Markdown("A", "B"); !strings.Contains(md, "the verdicts differ") {
		t.Errorf("markdown does not say the verdicts differ:\n%s", md)
	}
}

// The plan is consistent with the minimum detectable effect: the seeds it asks for detect the
// effect, one fewer would not.
func TestPlan(t *testing.T) {
	an := analyze(t, writeConstructed(t, constructedTOML, still(noise), nil))
	p := an.Plan(0.003, stats.Power80)
	if len(p.Rows) == 0 || p.PerSeed <= 0 {
		t.Fatalf("plan %+v", p)
	}
	for _, r := range p.Rows {
		c := r.Contrast
		if r.SeedsNeeded == 0 {
			continue
		}
		if got := stats.MDE(c.SD, r.SeedsNeeded, c.TestAlpha, stats.Power80); got > 0.003 {
			t.Errorf("%s: %d seeds detect %v, not 0.003", c.Label, r.SeedsNeeded, got)
		}
		if r.SeedsNeeded > 2 {
			if got := stats.MDE(c.SD, r.SeedsNeeded-1, c.TestAlpha, stats.Power80); got <= 0.003 {
				t.Errorf("%s: %d seeds would do (MDE %v)", c.Label, r.SeedsNeeded-1, got)
			}
		}
	}
}

// The report of results beside a reference compares with it; the reference's own report does not.
func TestReferenceSection(t *testing.T) {
	root := t.TempDir()
	v := still(func(c variants.Cell, s uint64) float64 { return noise(c, s) })
	mk := func(dst string) {
		src := writeConstructed(t, constructedTOML, v, nil)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	run, ref := filepath.Join(root, "results", "constructed"), filepath.Join(root, "results", "reference", "constructed")
	mk(run)
	mk(ref)
	for dir, want := range map[string]bool{run: true, ref: false} {
		if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
			t.Fatal(err)
		}
		md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
		has := strings.Contains(string(md), "## Agreement with the reference")
		if has != want {
			t.Errorf("%s: agreement section %t, want %t", dir, has, want)
		}
		if want && !strings.Contains(string(md), "the answers agree") {
			t.Errorf("identical results do not agree:\n%s", md)
		}
	}
}

// The first hypothesis is answered from the like-with-like validation − train gap.
func TestHypothesisOne(t *testing.T) {
	gap := func(mean float64, claimed bool) *Contrast {
		c := &Contrast{Quantity: GapVal, Ref: "channel", Alt: "checkerboard"}
		d := []float64{mean - 0.01, mean + 0.01, mean, mean - 0.005, mean + 0.005}
		if claimed {
			d = []float64{mean - 0.0001, mean + 0.0001, mean, mean, mean}
		}
		c.Test = stats.OneSample(d)
		return c
	}
	for _, tc := range []struct {
		name string
		c    *Contrast
		want string
	}{
		{"larger gap", gap(0.004, true), "support it"},
		{"smaller gap", gap(-0.004, true), "contradict it"},
		{"no difference", gap(0.001, false), "neither support nor contradict"},
	} {
		if got := hypothesisOne([]*Contrast{tc.c}); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.name, got, tc.want)
		}
	}
}

// A real smoke tree, trained here in a few seconds: the report is written, its figures decode,
// and regenerating it gives identical files.
func TestReportOnSmokeTree(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	e, err := experiments.Builtin("smoke")
	if err != nil {
		t.Fatal(err)
	}
	data, err := dataset.Load("")
	if err != nil {
		t.Skip("no MNIST:", err)
	}
	dir := filepath.Join(t.TempDir(), "smoke")
	// A shortened smoke experiment, stored with the runs as ablate stores it.
	src := strings.NewReplacer("steps = 6", "steps = 3", "val_every = 3", "val_every = 2", "val_images = 32", "val_images = 16",
		"test_images = 32", "test_images = 16", "importance_samples = 2", "importance_samples = 1").Replace(string(e.Source))
	e, err = experiments.Parse("smoke.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	if err := pool.WriteExperiment(dir, e.Source); err != nil {
		t.Fatal(err)
	}
	if err := pool.RecordData(dir, data); err != nil {
		t.Fatal(err)
	}
	for _, r := range pool.Run(context.Background(), dir, e.Jobs(), pool.One(data), pool.Options{Parallel: 2}) {
		if r.Failed() {
			t.Fatalf("%s: %s %v", pool.Name(r.Job), r.Status, r.Err)
		}
	}
	w, err := Generate(dir, Options{CodeVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Usable != 4 || w.Expected != 4 {
		t.Fatalf("usable %d of %d, want 4 of 4 (is the stored experiment the trained one?)", w.Usable, w.Expected)
	}
	first := map[string][]byte{}
	for _, f := range w.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		first[f] = b
		if strings.HasSuffix(f, ".png") {
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	for _, want := range []string{"REPORT.md", "runs.csv", "summary.json", "figures/test_bpd.png", "figures/main_effects.png",
		"figures/curves.png", "figures/samples.png", "figures/effects_over_training.png"} {
		if first[want] == nil {
			t.Errorf("%s not written (wrote %v)", want, w.Files)
		}
	}
	md := string(first["REPORT.md"])
	for _, want := range []string{"# squeezebench report: smoke", "**coupling (rowwise vs channelwise), test bpd:**",
		"**Not varied in this experiment** (every run uses squeeze=tutorial)", "3 training steps of batch 16", "2 seeds (1, 2)",
		"mnist (content SHA-256", "checksums verified", "The seed is the unit of replication", "## Effects over training"} {
		if !strings.Contains(md, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	var sum map[string]any
	if err := json.Unmarshal(first["summary.json"], &sum); err != nil {
		t.Errorf("summary.json: %v", err)
	}
	// Regenerating gives identical files.
	if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	for f, b := range first {
		again, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Equal(b, again) {
			t.Errorf("%s differs when regenerated", f)
		}
	}
	// A run removed: the report still works and says so.
	os.Remove(filepath.Join(dir, "runs", "tutorial_channel_rowwise", "seed-2", "result.json"))
	w, err = Generate(dir, Options{CodeVersion: "test"})
	if err != nil || w.Usable != 3 {
		t.Fatalf("partial results: %v, %+v", err, w)
	}
	md2, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if !strings.Contains(string(md2), "| tutorial_channel_rowwise |    2 | missing | no result.json |") {
		t.Errorf("the missing run is not listed:\n%s", md2)
	}
}

// A full disk while the report is written is an error, and the results are left as they were.
func TestDiskFullDuringReport(t *testing.T) {
	src := writeConstructed(t, constructedTOML, still(noise), nil)
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): the disk-full test needs root and mount rights", err)
	}
	defer syscall.Unmount(dir, 0)
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(filepath.Join(dir, "filler"))
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "runs", "tutorial_channel_channelwise", "seed-1", "result.json"))
	_, err := Generate(dir, Options{CodeVersion: "test"})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("report on a full disk: %v, want the error", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "runs", "tutorial_channel_channelwise", "seed-1", "result.json"))
	if !bytes.Equal(before, after) || len(after) == 0 {
		t.Error("a result file changed")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A level that is better only because it costs more compute is no better at equal compute: the
// rowwise runs here cost 1.5 times the FLOPs and follow the same curve against FLOPs as the
// channelwise ones, so they end lower but match at the channelwise budget.
func TestComputeMatched(t *testing.T) {
	curve := func(flops float64) float64 { return 1.1 + 0.8*math.Pow(flops/1e9, -0.3) } // a power law, as learning curves nearly are
	src := strings.Replace(constructedTOML, "steps = 10", "steps = 40", 1)
	src = strings.Replace(src, "val_every = 5", "val_every = 10", 1)
	dir := writeConstructed(t, src, still(noise), nil)
	e, _ := experiments.Parse("constructed.toml", []byte(src))
	for _, j := range e.Jobs() {
		rd := filepath.Join(dir, j.RunDir())
		r, err := runner.ReadResult(filepath.Join(rd, runner.ResultFile))
		if err != nil {
			t.Fatal(err)
		}
		r.FLOPsPerImage = 2_000_000
		if j.Cell.Get(variants.Coupling) == "rowwise" {
			r.FLOPsPerImage = 3_000_000
		}
		var ms []runner.Metric
		for _, step := range []int{10, 20, 30, 40} {
			f := 3 * float64(r.FLOPsPerImage) * float64(r.Config.Batch) * float64(step)
			v := curve(f) + noise(j.Cell, j.Seed) // the seed-level spread of real runs
			ms = append(ms, runner.Metric{Step: step, ValBPD: v, TrainEvalBPD: v - 0.01, MinibatchBPD: v, GradNorm: 1, LR: 1e-3})
		}
		r.Steps, r.ValBPD = 40, ms[3].ValBPD
		r.TestBPD = r.ValBPD - 0.05
		r.TrainBPD = r.ValBPD - 0.01
		if err := runner.WriteOutcome(rd, &runner.Outcome{Result: *r, Metrics: ms}, 28, 28); err != nil {
			t.Fatal(err)
		}
	}
	an := analyze(t, dir)
	if c := mainOf(an, variants.Coupling); !c.Claimed() || c.Mean >= 0 {
		t.Fatalf("at the end rowwise should be better (more compute): %s", c.Verdict())
	}
	if len(an.Matched) != 1 || an.Matched[0].Main.Axis != variants.Coupling {
		t.Fatalf("matched comparisons: %+v, want the coupling only (the split costs the same)", an.Matched)
	}
	m := an.Matched[0]
	if math.Abs(m.Ratio-1.5) > 1e-9 || m.N != 5 {
		t.Errorf("ratio %v, %d seeds; want 1.5 and 5", m.Ratio, m.N)
	}
	if m.Claimed() || math.Abs(m.Mean) > 0.002 {
		t.Errorf("at equal compute the curves are one: %s", m.Words())
	}
	if !strings.Contains(m.Words(), "rowwise costs 1.50× the training FLOPs of channelwise") || !strings.Contains(m.Words(), "no difference detectable at equal compute") {
		t.Errorf("words: %s", m.Words())
	}
}

// An interval whose gradient norm is far above its run's median counts as an outlier; the first
// tenth of training, where norms are large anyway, does not.
func TestGradOutliers(t *testing.T) {
	var ms []runner.Metric
	for step := 10; step <= 200; step += 10 {
		g := 1.0
		switch step {
		case 10:
			g = 50 // early: not counted
		case 150:
			g = 12
		case 160:
			g = 4 // below the factor
		}
		ms = append(ms, runner.Metric{Step: step, GradNorm: g})
	}
	n, most := gradOutliers(ms)
	if n != 1 || most != 12 {
		t.Errorf("outliers %d, largest ratio %v; want 1 and 12", n, most)
	}
}

// A stratum with an excluded cell is left out of the contrasts it would complete, and counted.
func TestExcludedStrata(t *testing.T) {
	src := "exclude = [{ split = \"checkerboard\", coupling = \"rowwise\" }]\n" + constructedTOML
	an := analyze(t, writeConstructed(t, src, still(noise), nil))
	split := mainOf(an, variants.Split)
	if split.Strata != 2 || split.Excluded != 1 || split.Kept != 1 || split.N != 5 {
		t.Errorf("split: strata %d, excluded %d, kept %d, seeds %d; want 2, 1, 1, 5", split.Strata, split.Excluded, split.Kept, split.N)
	}
	if !strings.Contains(split.Verdict(), "1 with a cell excluded from the grid") {
		t.Errorf("verdict: %s", split.Verdict())
	}
	if len(an.Interactions) != 1 || an.Interactions[0].Kept != 0 || !strings.HasPrefix(an.Interactions[0].Verdict(), "not a contrast here") {
		t.Errorf("the split x coupling interaction needs the excluded cell: %+v", an.Interactions)
	}
}

// A grid over a setting and a variant trains (smoke preset) and the report shows both contrasts
// and the variant's effect against the setting.
func TestSettingGridTrainsAndReports(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	data, err := dataset.Load("")
	if err != nil {
		t.Skip("no MNIST:", err)
	}
	src := `name = "settings"
seeds = 2
[grid]
split = ["channel", "checkerboard"]
model.gated_layers = [1, 2]
[model]
preset = "smoke"
[training]
steps = 4
[evaluation]
val_every = 2
val_images = 16
test_images = 16
importance_samples = 1
eval_batch = 16
sample_images = 0
`
	e, err := experiments.Parse("settings.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "settings")
	os.MkdirAll(dir, 0o755)
	if err := pool.WriteExperiment(dir, e.Source); err != nil {
		t.Fatal(err)
	}
	for _, r := range pool.Run(context.Background(), dir, e.Jobs(), pool.One(data), pool.Options{Parallel: 2}) {
		if r.Failed() {
			t.Fatalf("%s: %s %v", pool.Name(r.Job), r.Status, r.Err)
		}
	}
	w, err := Generate(dir, Options{CodeVersion: "test"})
	if err != nil || w.Usable != 8 {
		csv, _ := os.ReadFile(filepath.Join(dir, "runs.csv"))
		t.Fatalf("report: %v, %+v\n%s", err, w, csv)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"split: checkerboard − channel", "model.gated_layers: 2 − 1", "## Effects against the settings",
		"split: checkerboard − channel against model.gated_layers", "the grid varies model.gated_layers ∈ {1, 2}", "tutorial_checkerboard_channelwise_gated_layers-2"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(string(md))
	}
}

// An axis of three levels gives one interaction per non-reference level with each other axis.
func TestInteractionsOfThreeLevels(t *testing.T) {
	src := strings.Replace(constructedTOML, "coupling = [\"channelwise\", \"rowwise\"]", "coupling = [\"channelwise\", \"rowwise\"]\nsqueeze = [\"tutorial\", \"tf-style\", \"tf-ordered\"]", 1)
	an := analyze(t, writeConstructed(t, src, still(noise), nil))
	var labels []string
	for _, c := range an.Interactions {
		labels = append(labels, c.Label)
	}
	// squeeze x split (2 alternatives), squeeze x coupling (2), split x coupling (1).
	if len(an.Interactions) != 5 {
		t.Errorf("%d interactions, want 5: %v", len(an.Interactions), labels)
	}
	for _, want := range []string{"squeeze × split: (tf-ordered − tutorial | checkerboard) − (tf-ordered − tutorial | channel)", "split × coupling: (checkerboard − channel | rowwise) − (checkerboard − channel | channelwise)"} {
		if !slices.Contains(labels, want) {
			t.Errorf("no interaction %q in %v", want, labels)
		}
	}
	// The Interactions list names the levels: two squeeze × split lines are told apart.
	md := an.Markdown(nil, "test", nil)
	for _, want := range []string{"- **squeeze (tf-style − tutorial) × split (checkerboard − channel)**:", "- **squeeze (tf-ordered − tutorial) × split (checkerboard − channel)**:"} {
		if !strings.Contains(md, want) {
			t.Errorf("REPORT.md lacks the line %q", want)
		}
	}
}

// The compute row sums each trained model's wall time once: a twin's result is a copy of the
// run of the cell it equals, not more compute.
func TestComputeCountsTwinsOnce(t *testing.T) {
	an := analyze(t, writeConstructed(t, twinsTOML, still(noise), nil))
	// 8 cells, 2 of them twins: 6 models x 4 seeds trained, 2 s each.
	got := an.Data.computeText(2)
	if want := "the 24 trained runs' wall times sum to 48 s (training and evaluation); at 2 at once that is about 24 s"; !strings.HasPrefix(got, want) {
		t.Errorf("compute row %q, want it to start with %q", got, want)
	}
}

func TestFmtDurationRoundsToTheMinute(t *testing.T) {
	for d, want := range map[time.Duration]string{
		40 * time.Second:                              "40 s",
		59*time.Second + 600*time.Millisecond:         "1 min",
		12*time.Minute + 20*time.Second:               "12 min",
		59*time.Minute + 40*time.Second:               "1 h 00 min",
		3*time.Hour + 59*time.Minute + 36*time.Second: "4 h 00 min",
		time.Hour + 5*time.Minute:                     "1 h 05 min",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// eval_epochs' steps are named by epoch in the report's evaluation row.
func TestEvalEpochsText(t *testing.T) {
	for _, c := range []struct {
		steps []int
		batch int
		want  string
	}{
		{[]int{781, 1562, 3905}, 64, "epochs 1, 2 and 5 (steps 781, 1,562 and 3,905)"},
		{[]int{390}, 128, "epoch 1 (step 390)"},
		{[]int{100, 781}, 64, "steps 100 and 781"},
	} {
		if got := evalEpochsText(c.steps, c.batch); got != c.want {
			t.Errorf("evalEpochsText(%v, %d) = %q, want %q", c.steps, c.batch, got, c.want)
		}
	}
}

// The code version row names the code that trained the runs: one version once, several with
// their counts, and runs that recorded none as such, with the results directory's version.
func TestCodeVersions(t *testing.T) {
	withFile, without := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(withFile, pool.CodeVersionFile), []byte("dir1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := func(dir string, versions ...string) *Data {
		d := &Data{Dir: dir}
		for _, v := range versions {
			d.Runs = append(d.Runs, &Run{Result: &runner.Result{CodeVersion: v}})
		}
		d.Runs = append(d.Runs, &Run{Status: StatusMissing})
		return d
	}
	for _, c := range []struct {
		dir      string
		versions []string
		want     string
	}{
		{withFile, []string{"", ""}, "dir1 (the results directory's, written at the experiment's last start; the runs did not record their own)"},
		{without, []string{"", ""}, "fallback"},
		{withFile, []string{"abc", "abc"}, "abc"},
		{withFile, []string{"abc", "def", "abc"}, "abc (2 runs), def (1 run)"},
		{withFile, []string{"abc", ""}, "abc (1 run), 1 run not recorded (the results directory names dir1, its last start)"},
		{without, []string{"abc", ""}, "abc (1 run), 1 run not recorded"},
	} {
		if got := data(c.dir, c.versions...).codeVersions("fallback"); got != c.want {
			t.Errorf("%q: %q, want %q", c.versions, got, c.want)
		}
	}
}

// A cell or contrast that only one side has shows that side's value and n/a for the other, not
// a made-up 0.
func TestCompareOneSided(t *testing.T) {
	splitOnly := strings.Replace(constructedTOML, `coupling = ["channelwise", "rowwise"]`+"\n", "", 1)
	a := analyze(t, writeConstructed(t, constructedTOML, still(noise), nil))
	b := analyze(t, writeConstructed(t, splitOnly, still(noise), nil))
	ag := Compare(a, b)
	var cell, contrast *Diff
	for i := range ag.Cells {
		if strings.HasSuffix(ag.Cells[i].Label, "rowwise") {
			cell = &ag.Cells[i]
		}
	}
	for i := range ag.Contrasts {
		if strings.HasPrefix(ag.Contrasts[i].Label, "coupling:") {
			contrast = &ag.Contrasts[i]
		}
	}
	if cell == nil || contrast == nil {
		t.Fatalf("no rowwise cell or coupling contrast in the comparison: %+v %+v", ag.Cells, ag.Contrasts)
	}
	for _, d := range []*Diff{cell, contrast} {
		if math.IsNaN(d.A) || !math.IsNaN(d.B) || !math.IsNaN(d.Diff) {
			t.Errorf("%s: A %v, B %v, A − B %v; want A's value and NaN for the rest", d.Label, d.A, d.B, d.Diff)
		}
	}
	if row := diffTable("cell", []Diff{*cell}); !strings.Contains(row, fmtNum(cell.A, 4)) || !strings.Contains(row, "n/a") {
		t.Errorf("table row does not show A's value and n/a:\n%s", row)
	}
	// The other way round, every row only A had is listed with B's value.
	aOnly, bOnly := map[string]float64{}, map[string]float64{}
	for _, d := range append(ag.Cells, ag.Contrasts...) {
		if !math.IsNaN(d.A) && math.IsNaN(d.B) {
			aOnly[d.Label] = d.A
		}
	}
	back := Compare(b, a)
	for _, d := range append(back.Cells, back.Contrasts...) {
		if math.IsNaN(d.A) && !math.IsNaN(d.B) {
			bOnly[d.Label] = d.B
		}
	}
	if len(aOnly) < 2 || !maps.Equal(aOnly, bOnly) {
		t.Errorf("rows only A has %v; compared the other way round, rows only B has %v", aOnly, bOnly)
	}

}

// Figures over training are drawn against epochs once the runs last two epochs or more.
func TestCurvesInEpochs(t *testing.T) {
	an := func(first, last float64) *Analysis {
		ms := []runner.Metric{{Step: 781, Epoch: first, ValBPD: 1.3, TrainEvalBPD: 1.29}, {Step: 1562, Epoch: last, ValBPD: 1.25, TrainEvalBPD: 1.24}}
		return &Analysis{Data: &Data{Runs: []*Run{{Status: runner.StatusOK, Metrics: ms}}}}
	}
	if !an(1, 2).curvesInEpochs() {
		t.Error("two epochs: not drawn against epochs")
	}
	if an(0.75, 1.5).curvesInEpochs() {
		t.Error("one and a half epochs: drawn against epochs")
	}
	if an(math.NaN(), 2).curvesInEpochs() {
		t.Error("an unknown epoch: drawn against epochs")
	}
}
