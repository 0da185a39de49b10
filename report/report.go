package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"squeezebench/experiments"
	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/runner/pool"
	"squeezebench/variants"
)

// TrainImages is the size of the training split (the tutorial's 50,000 of MNIST's 60,000).
const TrainImages = 50000

// Options say what Generate writes.
type Options struct {
	// CodeVersion overrides the code version (tests); empty: CodeVersionFile, else git.
	CodeVersion string
	// Reference is a results directory of the same experiment to compare with in the section
	// "Agreement with the reference". Empty: ReferenceDir(dir, name) when it exists; "-": none.
	Reference string
}

// ReferenceDir is where the committed reference results of an experiment live, seen from a
// results directory dir beside them: results/<name> -> results/reference/<name>.
func ReferenceDir(dir, name string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dir)), "reference", name)
}

// Written lists what Generate wrote, relative to the results directory.
type Written struct {
	Files []string
	// Usable and Expected count the runs.
	Usable, Expected int
}

// Generate reads the results directory dir and writes REPORT.md, runs.csv, summary.json and
// figures/*.png into it, each atomically. The output depends only on the stored results (and
// the code version), so regenerating gives identical files.
func Generate(dir string, opt Options) (*Written, error) {
	d, err := Load(dir)
	if err != nil {
		return nil, err
	}
	an := Analyze(d)
	ref, err := reference(dir, d.Experiment.Name, opt.Reference)
	if err != nil {
		return nil, err
	}
	w := &Written{Expected: len(d.Runs)}
	for _, r := range d.Runs {
		if r.OK() {
			w.Usable++
		}
	}
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := runner.WriteFileAtomic(path, data); err != nil {
			return err
		}
		w.Files = append(w.Files, name)
		return nil
	}
	figs := []struct {
		file, caption string
		make          func() ([]byte, error)
	}{
		{"figures/test_bpd.png", "Test bpd of every cell: each seed (grey), mean and 95% t interval (black); (k/n) is the ok runs of the expected.", an.TestFigure},
		{"figures/main_effects.png", "Main effects on test bpd: one value per seed (grey: the seed's mean over the strata of alternative − reference), mean and family-wise interval (black); * marks a claimed difference.",
			func() ([]byte, error) { return EffectsFigure(an.Main, "Main effects on test bpd") }},
		{"figures/interaction_effects.png", "Two-way interactions (difference of differences of test bpd), drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Interactions, "Interactions") }},
		{"figures/hypotheses.png", "Hypothesis tests: the split's effect on the generalisation gaps, and effects within each mixing level, drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Hypotheses, "Hypothesis tests") }},
		{"figures/effects_over_training.png", "Effects over training: every main effect and hypothesis test at every evaluation (validation bpd, or its gap to the training subset, with the evaluations' estimator): mean over seeds (line), family-wise interval at that step (band), per-seed values (grey), claimed differences (black).", an.TraceFigure},
		{"figures/by_setting.png", "Every variant effect against each numeric setting the grid varies: the effect within each of the setting's values, mean over seeds with its family-wise interval.", an.SettingFigure},
		{"figures/compute.png", "Compute-matched view: the validation bpd of every level of every varied axis (mean over seeds and the other axes) against training compute (top) and training time (bottom), from the evaluations after the first quarter of training.", an.ComputeFigure},
		{"figures/interactions.png", "Interaction plots: mean test bpd at each level of one axis, one line per level of another (averaged over seeds and the other axes). Parallel lines: no interaction.", an.InteractionFigure},
		{"figures/curves.png", "Learning curves, one panel per model (twins share one): bpd of the training subset and of the validation subset at every evaluation, with one estimator; line: mean over seeds, band: min–max. Every panel has the same y range, which leaves out the first evaluations.", an.CurvesFigure},
		{"figures/samples.png", "Samples drawn at the end of training, one seed per cell.", an.SamplesFigure},
	}
	var made []Figure
	for _, f := range figs {
		b, err := f.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.file, err)
		}
		if b == nil {
			continue
		}
		if err := write(f.file, b); err != nil {
			return nil, err
		}
		made = append(made, Figure{File: f.file, Caption: f.caption})
	}
	if err := write("runs.csv", runsCSV(d)); err != nil {
		return nil, err
	}
	sum, err := summaryJSON(an)
	if err != nil {
		return nil, err
	}
	if err := write("summary.json", sum); err != nil {
		return nil, err
	}
	version := opt.CodeVersion
	if version == "" {
		version = CodeVersion(dir)
	}
	if err := write("REPORT.md", []byte(an.Markdown(made, version, ref))); err != nil {
		return nil, err
	}
	return w, nil
}

// refAnalysis is a reference analysis with the path the report names it by.
type refAnalysis struct {
	dir string
	an  *Analysis
}

// reference loads the reference results of opt (see Options.Reference); nil without one, or when
// dir is the reference itself.
func reference(dir, name, opt string) (*refAnalysis, error) {
	if opt == "-" {
		return nil, nil
	}
	ref := opt
	if ref == "" {
		ref = ReferenceDir(dir, name)
		if _, err := os.Stat(filepath.Join(ref, "experiment.toml")); err != nil {
			return nil, nil
		}
	}
	if same, err := sameDir(dir, ref); err != nil || same {
		return nil, err
	}
	d, err := Load(ref)
	if err != nil {
		return nil, fmt.Errorf("the reference: %w", err)
	}
	rel, err := filepath.Rel(dir, ref)
	if err != nil {
		rel = ref
	}
	return &refAnalysis{dir: filepath.ToSlash(rel), an: Analyze(d)}, nil
}

func sameDir(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, fmt.Errorf("the reference: %w", err)
	}
	return os.SameFile(sa, sb), nil
}

// CodeVersion is the code version of the results in dir: the one recorded there, else the
// checkout's (git) marked as the report's, else "unknown".
func CodeVersion(dir string) string {
	if v := pool.CodeVersion(dir); v != "" {
		return v
	}
	if v := pool.GitVersion(); v != "" {
		return v + " (of the report; the runs did not record theirs)"
	}
	return "unknown"
}

// budget describes what every run had, from the experiment's configuration.
func (d *Data) budget() string {
	c := d.Experiment.Config
	var b strings.Builder
	if c.Steps > 0 {
		fmt.Fprintf(&b, "%s training steps of batch %d (%.2g epoch of the %s training images)", groupThousands(int64(c.Steps)), c.Batch,
			float64(c.Steps*c.Batch)/TrainImages, groupThousands(TrainImages))
	} else {
		fmt.Fprintf(&b, "%s at batch %d (%s steps)", plural(c.Epochs, "epoch"), c.Batch,
			groupThousands(int64(c.Epochs*(TrainImages/c.Batch))))
	}
	fmt.Fprintf(&b, ", preset %s (hidden %d/%d/%d/%d, %s), %s (%s)", c.Preset,
		c.Sizes.VarDeq, c.Sizes.Stage[0], c.Sizes.Stage[1], c.Sizes.Stage[2], plural(c.Sizes.GatedLayers, "gated layer"),
		plural(len(d.Experiment.Seeds), "seed"), joinSeeds(d.Experiment.Seeds))
	return b.String()
}

// settingsText names the settings the grid varies, which the budget and evaluation lines (the
// file's values) do not show.
func (d *Data) settingsText() string {
	if len(d.Experiment.Settings) == 0 {
		return ""
	}
	var parts []string
	for _, s := range d.Experiment.Settings {
		parts = append(parts, fmt.Sprintf("%s ∈ {%s}", s, strings.Join(d.Levels[s], ", ")))
	}
	return "; the grid varies " + strings.Join(parts, "; ") + " (the cells' names say which)"
}

// evaluation describes the estimators, from the experiment's configuration.
func (d *Data) evaluation() string {
	c := d.Experiment.Config
	count := func(n int) string {
		if n == 0 {
			return "all 10,000"
		}
		return groupThousands(int64(n))
	}
	every := "at the end"
	if c.ValEvery > 0 {
		every = fmt.Sprintf("every %d steps and at the end", c.ValEvery)
	}
	return fmt.Sprintf("final train, validation and test bpd with %d importance samples each, on %s training, %s validation and %s test images; "+
		"during training (%s) the same training and validation images with %s",
		c.ImportanceSamples, count(c.ValImages), count(c.ValImages), count(c.TestImages), every, plural(c.EvalSamples, "sample"))
}

// plural is "1 epoch", "3 epochs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func joinSeeds(s []uint64) string {
	var out []string
	for _, x := range s {
		out = append(out, strconv.FormatUint(x, 10))
	}
	return strings.Join(out, ", ")
}

// distinct is the sorted distinct values of f over the results present.
func (d *Data) distinct(f func(*runner.Result) string) string {
	seen := map[string]bool{}
	for _, r := range d.Runs {
		if r.Result != nil {
			seen[f(r.Result)] = true
		}
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "unknown"
	}
	return strings.Join(out, ", ")
}

// newest is the latest end among the results (recorded in result.json); zero when none is known.
func (d *Data) newest() time.Time {
	var t time.Time
	for _, r := range d.Runs {
		if r.Result == nil {
			continue
		}
		if end, err := time.Parse(time.RFC3339, r.Result.Ended); err == nil && end.After(t) {
			t = end
		}
	}
	return t
}

// computeText says what the runs cost: their wall times summed (each trained model once, a
// structural twin's result is the same run) and that sum over the runs trained at once, the
// experiment's duration here without the gaps between sittings. Empty when no run has a result.
func (d *Data) computeText(parallel int) string {
	var total time.Duration
	trained := 0
	for _, r := range d.Runs {
		if r.Result == nil || d.ModelOf[r.Cell.String()] != r.Cell.String() {
			continue // no result, or a twin's: the copy of another cell's run
		}
		trained++
		total += time.Duration(r.Result.WallSeconds * float64(time.Second))
	}
	if total == 0 {
		return ""
	}
	parallel = max(parallel, 1)
	return fmt.Sprintf("the %d trained runs' wall times sum to %s (training and evaluation); at %d at once that is about %s on the machine below",
		trained, fmtDuration(total), parallel, fmtDuration(total/time.Duration(parallel)))
}

// dataText names the data set of the runs: the recorded one, else the experiment's.
func (d *Data) dataText() string {
	if r := d.DataRecord; r != nil {
		if !r.Known {
			return fmt.Sprintf("**%s**: not the known %s; results of it are not results of %s", r.ID, d.Experiment.Dataset, d.Experiment.Dataset)
		}
		return fmt.Sprintf("%s, checksums verified (%s training, %s validation, %s test images)", r.ID,
			groupThousands(int64(r.Training)), groupThousands(int64(r.Val)), groupThousands(int64(r.Test)))
	}
	return fmt.Sprintf("%s (the experiment's; the results directory has no %s)", d.Experiment.Config.Data, pool.DataFile)
}

// reproduce is the command that makes these results: the built-in experiment by name when the
// stored copy is the built-in file, else the stored copy.
func (d *Data) reproduce() string {
	e := d.Experiment
	dir := filepath.ToSlash(filepath.Clean(d.Dir))
	if src, err := experiments.BuiltinSource(e.Name); err == nil && bytes.Equal(src, e.Source) {
		if dir == "results/"+e.Name || dir == "results/reference/"+e.Name {
			return "squeezebench ablate -experiment " + e.Name
		}
		return fmt.Sprintf("squeezebench ablate -experiment %s -results %s", e.Name, dir)
	}
	return fmt.Sprintf("squeezebench ablate -experiment %s/experiment.toml -results %s", dir, dir)
}

func (an *Analysis) contrasts(kind string, axis variants.Axis) []*Contrast {
	var out []*Contrast
	for _, fam := range an.Families() {
		for _, c := range fam {
			if c.Kind == kind && c.Axis == axis {
				out = append(out, c)
			}
		}
	}
	return out
}

// pairName names an interaction by its two axes and the levels it compares on each, so that an
// axis of three levels (two interactions with every other axis) gives lines that say which is which.
func (c *Contrast) pairName() string {
	return fmt.Sprintf("%s (%s − %s) × %s (%s − %s)", c.Axis, c.Alt, c.Ref, c.Axis2, c.Alt2, c.Ref2)
}

// interactionsOf is the interactions of axes a and b (one per pair of non-reference levels).
func (an *Analysis) interactionsOf(a, b variants.Axis) []*Contrast {
	var out []*Contrast
	for _, c := range an.Interactions {
		if c.Axis == a && c.Axis2 == b {
			out = append(out, c)
		}
	}
	return out
}

// traceOf is the trace of a contrast, or nil.
func (an *Analysis) traceOf(c *Contrast) *Trace {
	for _, t := range an.Traces {
		if t.Contrast == c {
			return t
		}
	}
	return nil
}

// usable counts the runs with status ok.
func (d *Data) usable() int {
	n := 0
	for _, r := range d.Runs {
		if r.OK() {
			n++
		}
	}
	return n
}

// PlanEffect is the effect size the report's "what could be detected" section plans for.
const PlanEffect = 0.005

// Markdown is REPORT.md.
func (an *Analysis) Markdown(figs []Figure, version string, ref *refAnalysis) string {
	d := an.Data
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	an.header(&b, version)
	an.howToRead(&b)

	p("## 1. Does the squeeze permutation matter?\n\n")
	an.axisAnswer(&b, variants.Squeeze)
	p("Structure ([facts.md](%s), computed by `squeezebench patterns`): the tutorial's channel-major order is TF's `squeeze_2x2`;\n", an.patternsLink("facts.md"))
	p("`tf-style` (spatial-major, `tf.nn.space_to_depth`) coincides with it on 1-channel input, so in this model the two differ\n")
	p("only in the second squeeze (2×14×14 → 8×7×7).\n\n")
	an.conditionalAnswer(&b, variants.Squeeze, "with `invconv` an invertible 1×1 convolution absorbs any channel order (W' = W·P), so the squeezes give the same function class and can differ only through initialisation and optimisation")

	p("## 2. Does the split pattern matter?\n\n")
	an.axisAnswer(&b, variants.Split)
	p("**Maintainer's hypothesis: the channel split generalises better.** ")
	if gaps := an.contrasts("gap", variants.Split); len(gaps) > 0 {
		p("Tested as the split's effect on the generalisation gap, seed by seed like the main effects (positive: the alternative's gap is larger, i.e. it generalises worse).\n")
		p("The train, validation and test bpd all use the same estimator (%s), the training figure on a fixed subset of training images; the running minibatch loss is not used.\n\n",
			plural(d.Experiment.Config.ImportanceSamples, "importance sample"))
		for _, c := range gaps {
			p("- %s: %s", c.Quantity.Label, c.Verdict())
			if t := an.traceOf(c); t != nil {
				p(" Over training (%s): %s", t.Label, t.Words())
			}
			p("\n")
		}
		p("\n%s\n\n", hypothesisOne(gaps))
	} else {
		p("Not testable here: the experiment does not vary the split.\n\n")
	}

	p("## 3. Channelwise vs rowwise coupling: is the squeeze redundant?\n\n")
	an.axisAnswer(&b, variants.Coupling)
	p("Structure ([facts.md](%s)): the tutorial's channel mask after the first squeeze partitions the same pixels as the rowwise\n", an.patternsLink("facts.md"))
	p("row stripes, but the networks see 4×14×14 vs 1×28×28 inputs (other receptive field and parameters, see the cost table);\n")
	p("the question's identity-network script proves nothing because its pointwise network makes both flows the identity.\n\n")
	p("**Maintainer's hypothesis: the difference grows with channel mixing (invertible 1×1 convolutions).** ")
	if len(d.Levels[variants.Mixing]) > 1 && len(d.Levels[variants.Coupling]) > 1 {
		p("\n\n")
		an.conditionalAnswer(&b, variants.Coupling, "")
		for _, c := range an.interactionsOf(variants.Coupling, variants.Mixing) {
			p("Does the coupling effect change with mixing=%s (coupling × mixing interaction)? %s\n\n", c.Alt2, c.Verdict())
		}
	} else {
		p("Not testable here: the experiment does not vary both coupling and mixing (`squeezebench ablate -experiment extended` does).\n\n")
	}

	p("## Interactions\n\n")
	if len(an.Interactions) == 0 {
		p("None computed: interactions need two varied axes.\n\n")
	} else {
		for _, c := range an.Interactions {
			p("- **%s**: %s\n", c.pairName(), c.Verdict())
		}
		p("\n")
	}

	an.bySetting(&b)
	an.computeMatched(&b)
	an.detectable(&b)
	an.overTraining(&b)
	if ref != nil {
		an.agreement(&b, ref)
	}
	an.problems(&b)

	p("## Results per cell\n\n%s\n", an.CellTable())
	if len(an.Main) > 0 {
		p("## Main effects (test bpd)\n\n%s\n", ContrastTable(an.Main))
	}
	if len(an.Interactions) > 0 {
		p("## Two-way interactions (test bpd, difference of differences)\n\n%s\n", ContrastTable(an.Interactions))
	}
	if len(an.Hypotheses) > 0 {
		p("## Hypothesis tests\n\n%s\n", ContrastTable(an.Hypotheses))
	}
	p("Interval: the t interval over seeds at the level the family's Bonferroni adjustment gives (95%% family-wise); p values adjusted the same way.\n")
	p("p (sign-flip) is exact (all 2^n sign assignments of the n per-seed values) up to 20 seeds, else Monte Carlo with fixed-seed flips (MC).\n")
	p("Detectable (80%%): the smallest difference the test would find with 80%% power at its adjusted level, from the seed-level sd (exact, non-central t).\n\n")
	p("### Per-seed values\n\nThe value of every contrast for every seed (bpd): the mean over its strata of alternative − reference (interactions: of the difference of differences). The intervals above are computed from these.\n\n%s\n", an.PerSeedTable())
	if t := an.BlockTable(); t != "" {
		p("### Sensitivity: block ANOVA\n\nThe same contrasts estimated from the additive model y(cell, seed) = μ + cell + seed + ε over the distinct models and all complete seeds (residual df (C − 1)(S − 1)),\n")
		p("at the same level as the primary interval. It is valid only if seeds act additively on every cell; the seed-level analysis above does not need that. Shown as a sensitivity check, not as the answer.\n\n%s\n", t)
	}
	p("## Stability\n\nDiverged runs per cell, and the logging intervals of the ok runs (after the first tenth of training) whose mean gradient norm before clipping\n")
	p("was more than %d times its run's median: a cell that trains unevenly shows here before it diverges.\n\n%s\n", GradOutlierFactor, an.StabilityTable())
	p("## Cost\n\n%s\n", an.CostTable())
	p("ms/step is measured while %d run(s) trained at once on the machine above; compare cells within this report only.\n\n", d.Experiment.Parallel)

	p("## Figures\n\n")
	for _, f := range figs {
		p("![%s](%s)\n\n*%s*\n\n", filepath.Base(f.File), f.File, f.Caption)
	}
	an.patternsSection(&b)
	p("## Exports\n\n[runs.csv](runs.csv): one row per expected run with every field (missing runs included, with their status).\n")
	p("[summary.json](summary.json): cell statistics and every contrast with its per-seed values, tests and verdict.\n")
	return b.String()
}

// header is the report's title and its table of what the results are.
func (an *Analysis) header(b *strings.Builder, version string) {
	d := an.Data
	e := d.Experiment
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("# squeezebench report: %s\n\n", e.Name)
	if e.Description != "" {
		p("%s\n\n", strings.Join(strings.Fields(e.Description), " "))
	}
	p("| | |\n|---|---|\n")
	p("| experiment | `%s` ([experiment.toml](experiment.toml)) |\n", e.Name)
	var grid []string
	for _, a := range d.Axes {
		var lv []string
		for _, l := range d.Levels[a] {
			if l == d.Ref(a) && len(d.Levels[a]) > 1 {
				l += " (reference)"
			}
			lv = append(lv, l)
		}
		grid = append(grid, fmt.Sprintf("%s: %s", a, strings.Join(lv, ", ")))
	}
	twins := e.Twins()
	models := len(an.Cells) - len(twins)
	p("| grid | %s; %d cells, %d distinct models |\n", strings.Join(grid, "; "), len(an.Cells), models)
	if len(twins) > 0 {
		var tw []string
		for _, t := range twins {
			tw = append(tw, fmt.Sprintf("`%s` = `%s`", t[1].Slug(), t[0].Slug()))
		}
		p("| structural twins | %s (equal model fingerprints: the same layers, shapes, masks and index maps; trained once, the result serves both) |\n", strings.Join(tw, "; "))
	}
	p("| seeds | %s: the unit of replication |\n", joinSeeds(e.Seeds))
	p("| data | %s |\n", d.dataText())
	p("| budget | %s%s |\n", d.budget(), d.settingsText())
	p("| evaluation | %s |\n", d.evaluation())
	p("| runs | %d of %d expected runs usable (status ok, this configuration) |\n", d.usable(), len(d.Runs))
	if c := d.computeText(e.Parallel); c != "" {
		p("| compute | %s |\n", c)
	}
	p("| machine | backend %s; threads per process (GOMAXPROCS) %s; engine %s, %d worker(s) per run, %d run(s) at once; %s |\n",
		d.distinct(func(r *runner.Result) string { return r.Backend }),
		d.distinct(func(r *runner.Result) string { return strconv.Itoa(r.Threads) }),
		cmpOr(e.Config.Engine, "fast"), e.Config.Workers, e.Parallel,
		d.distinct(func(r *runner.Result) string { return r.GoVersion }))
	p("| code version | %s |\n", version)
	if t := d.newest(); !t.IsZero() {
		p("| newest result | %s UTC |\n", t.UTC().Format("2006-01-02 15:04"))
	}
	dir := filepath.ToSlash(filepath.Clean(d.Dir))
	if dir == "results/reference/"+e.Name {
		p("| reproduce | `%s` trains these runs anew into results/%s/, whose report compares them with these; `squeezebench report -results %s` regenerates this report |\n\n",
			d.reproduce(), e.Name, dir)
	} else {
		p("| reproduce | `%s`, then `squeezebench report -results %s` |\n\n", d.reproduce(), dir)
	}
}

// howToRead says once what the unit of replication is and how verdicts are made.
func (an *Analysis) howToRead(b *strings.Builder) {
	d := an.Data
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("Lower bpd is better. **The seed is the unit of replication.** A seed fixes the data order, the initialisation stream,\n")
	p("the dequantization noise and the evaluation images in every cell, so the runs of one seed are compared with each other\n")
	p("(paired), but they are not independent evidence. Every contrast is therefore reduced to one value per seed first: the mean,\n")
	p("over the level combinations of the other axes (the strata), of the alternative's bpd minus the reference's (for an\n")
	p("interaction, of the difference of differences). The primary analysis is the one-sample t interval over those %d per-seed\n", len(d.Experiment.Seeds))
	p("values (df = seeds − 1); the exact sign-flip test over the seeds (all 2^n sign assignments; its smallest p is 2/2^n = %s here)\n", fmtNum(stats.MinSignFlipP(len(d.Experiment.Seeds)), 4))
	p("is the robustness check. Within each family (main effects; interactions; hypothesis tests) the level is Bonferroni-adjusted,\n")
	p("and the interval printed is at that adjusted level, so **a difference is claimed exactly when its interval excludes 0**.\n")
	p("Where none is claimed, the minimum detectable effect says how large a difference would have been seen with 80%% power.\n\n")
	if tw := d.Experiment.Twins(); len(tw) > 0 {
		p("Cells that are provably the same model (equal fingerprints of the resolved architecture) are trained once; a stratum in\n")
		p("which the cells compared are one model is a difference of zero by construction and is left out of every contrast, as is a\n")
		p("stratum that repeats the models of one already counted. The tables say how many strata each contrast keeps.\n\n")
	}
	p("**Budget these answers rest on:** %s. A short budget answers \"does it matter early in training at this size\";\n", d.budget())
	p("the section \"Effects over training\" says whether each effect is still changing at the end.\n\n")
}

// axisAnswer writes the main-effect verdicts of an axis, each with its course over training.
func (an *Analysis) axisAnswer(b *strings.Builder, a variants.Axis) {
	lv := an.Data.Levels[a]
	if len(lv) < 2 {
		fmt.Fprintf(b, "**Not varied in this experiment** (every run uses %s=%s); no answer from these results.\n\n", a, lv[0])
		return
	}
	for _, c := range an.contrasts("main", a) {
		fmt.Fprintf(b, "**%s (%s vs %s), test bpd:** %s", a, c.Alt, c.Ref, c.Verdict())
		if t := an.traceOf(c); t != nil {
			fmt.Fprintf(b, "\n\n*Over training* (%s at every evaluation): %s", t.Label, t.Words())
		}
		fmt.Fprintf(b, "\n\n")
	}
}

// conditionalAnswer writes the effects of an axis within each mixing level, when the grid has them.
func (an *Analysis) conditionalAnswer(b *strings.Builder, a variants.Axis, note string) {
	cs := an.contrasts("conditional", a)
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(b, "Within each mixing level")
	if note != "" {
		fmt.Fprintf(b, " (%s)", note)
	}
	fmt.Fprintf(b, ":\n\n")
	for _, c := range cs {
		fmt.Fprintf(b, "- %s: %s\n", c.Given, c.Verdict())
	}
	fmt.Fprintf(b, "\n")
}

// hypothesisOne sums up the gap tests for the maintainer's first hypothesis.
func hypothesisOne(gaps []*Contrast) string {
	for _, c := range gaps {
		if c.Quantity.Name != GapVal.Name || c.Ref != "channel" {
			continue
		}
		switch {
		case c.N < 2:
			return "So the hypothesis cannot be tested with these runs."
		case c.Claimed() && c.Mean > 0:
			return fmt.Sprintf("So the data support it at this budget: %s's validation − train gap is larger by %s bpd.", c.Alt, bpd(c.Mean))
		case c.Claimed():
			return fmt.Sprintf("So the data contradict it at this budget: %s's validation − train gap is smaller by %s bpd.", c.Alt, bpd(-c.Mean))
		default:
			return fmt.Sprintf("So the data neither support nor contradict it at this budget: any effect of the split on the validation − train gap is within %s to %s bpd (a difference of %s bpd would have been detected with 80%% power).",
				signed(c.Lo), signed(c.Hi), fmtNum(c.MDE, 4))
		}
	}
	return ""
}

// bySetting is the section on the variant effects against the grid's numeric settings.
func (an *Analysis) bySetting(b *strings.Builder) {
	if len(an.BySetting) == 0 {
		return
	}
	fmt.Fprintf(b, "## Effects against the settings\n\n")
	fmt.Fprintf(b, "The grid varies settings as well as variants. Each variant effect within each value of a numeric setting, seed by seed,\n")
	fmt.Fprintf(b, "adjusted as one family of %d ([by_setting.png](figures/by_setting.png)):\n\n", len(an.BySetting)*len(an.BySetting[0].Points))
	for _, sc := range an.BySetting {
		fmt.Fprintf(b, "- **%s against %s**: %s.\n", sc.Main.Label, sc.Setting, sc.Words())
	}
	fmt.Fprintf(b, "\n")
}

// computeMatched is the section comparing the levels of axes that cost different FLOPs at equal
// training compute.
func (an *Analysis) computeMatched(b *strings.Builder) {
	if len(an.Matched) == 0 {
		return
	}
	fmt.Fprintf(b, "## At equal compute\n\n")
	fmt.Fprintf(b, "Where the levels of an axis cost different FLOPs per image, a difference could be no more than more compute. Each\n")
	fmt.Fprintf(b, "seed's value here is, per stratum, the costlier level's validation bpd at the training FLOPs the cheaper one had at its\n")
	fmt.Fprintf(b, "last evaluation, minus the cheaper one's there (Bonferroni over these %d comparisons; [compute.png](figures/compute.png)).\n\n", len(an.Matched))
	for _, m := range an.Matched {
		fmt.Fprintf(b, "- **%s**: %s\n", m.Main.Label, m.Words())
	}
	fmt.Fprintf(b, "\n")
}

// detectable is the section on what the data could have seen and what more seeds would cost.
func (an *Analysis) detectable(b *strings.Builder) {
	plan := an.Plan(PlanEffect, stats.Power80)
	if len(plan.Rows) == 0 {
		return
	}
	fmt.Fprintf(b, "## What these data could detect\n\n")
	fmt.Fprintf(b, "For every contrast: the seed-level sd of its per-seed values, the smallest difference detectable with 80%% power at its\n")
	fmt.Fprintf(b, "family's adjusted level with the seeds at hand, and the seeds an effect of %s bpd would need, with the wall time they\n", fmtNum(PlanEffect, 4))
	fmt.Fprintf(b, "would take here (%s per seed: one run of each of the %d distinct models at %d at once, at the runs' measured wall time).\n",
		fmtDuration(plan.PerSeed), len(an.Cells)-len(an.Data.Experiment.Twins()), plan.Parallel)
	fmt.Fprintf(b, "`squeezebench plan -results %s -effect E` computes this for any effect size.\n\n%s\n", filepath.ToSlash(filepath.Clean(an.Data.Dir)), plan.Table())
}

// overTraining is the section on the effects along training.
func (an *Analysis) overTraining(b *strings.Builder) {
	if len(an.Traces) == 0 {
		return
	}
	fmt.Fprintf(b, "## Effects over training\n\n")
	c := an.Data.Experiment.Config
	fmt.Fprintf(b, "Every evaluation of the same runs feeds the same seed-level analysis: the bpd of the validation subset (and its gap to the\n")
	fmt.Fprintf(b, "training subset, the same number of images with the same estimator, %s) at every evaluation; the final answers above\n", plural(c.EvalSamples, "importance sample"))
	fmt.Fprintf(b, "use the test set with %s.\n", plural(c.ImportanceSamples, "importance sample"))
	fmt.Fprintf(b, "At each step the interval is adjusted over the contrasts of its family traced there. A trend is the per-seed least-squares\n")
	fmt.Fprintf(b, "slope over the second half of training, tested over seeds (a descriptive 95%% interval).\n\n")
	for _, t := range an.Traces {
		fmt.Fprintf(b, "- **%s** (%s): %s\n", t.Contrast.Label, t.Label, t.Words())
	}
	fmt.Fprintf(b, "\n<details><summary>The points</summary>\n\n")
	for _, t := range an.Traces {
		fmt.Fprintf(b, "**%s** (%s)\n\n%s\n", t.Contrast.Label, t.Label, TraceTable(t))
	}
	fmt.Fprintf(b, "</details>\n\n")
}

// agreement is the section comparing these results with the reference's.
func (an *Analysis) agreement(b *strings.Builder, ref *refAnalysis) {
	ag := Compare(an, ref.an)
	fmt.Fprintf(b, "## Agreement with the reference\n\n")
	fmt.Fprintf(b, "The committed reference results of this experiment are in [%s](%s/REPORT.md). ", ref.dir, ref.dir)
	b.WriteString(ag.Markdown("this run", "the reference"))
	b.WriteString("\n")
}

// problems is the section on the runs that are missing or failed.
func (an *Analysis) problems(b *strings.Builder) {
	d := an.Data
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Missing and failed runs\n\n")
	t := an.ProblemTable()
	if t == "" {
		p("None: all %d expected runs are usable.\n\n", len(d.Runs))
		return
	}
	p("%d of %d expected runs are not usable; they are left out of every mean, and every contrast leaves out the seeds\n", len(d.Runs)-d.usable(), len(d.Runs))
	p("whose strata they belong to (the tables give the seeds used). The conclusions above rest only on the remaining seeds.\n")
	for _, r := range d.Runs {
		if r.Status == runner.StatusDiverged {
			p("A diverged run is itself a result about its cell: it did not train at this budget and seed, which the bpd comparisons cannot show.\n")
			break
		}
	}
	p("Running `%s` again trains only these runs (finished ones are skipped).\n\n", d.reproduce())
	p("%s\n", t)
	var empty []string
	for _, c := range an.Cells {
		if c.OK == 0 {
			empty = append(empty, "`"+c.Slug+"`")
		}
	}
	if len(empty) > 0 {
		p("Cells without any usable run (absent from all comparisons): %s.\n\n", strings.Join(empty, ", "))
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// patternsLink is the link to a file of the pattern atlas, results/patterns, from the results
// directory (results/<name> or results/reference/<name>).
func (an *Analysis) patternsLink(rel string) string { return an.patternsDir() + "/" + rel }

func (an *Analysis) patternsDir() string {
	for _, up := range []string{"..", "../.."} {
		if st, err := os.Stat(filepath.Join(an.Data.Dir, up, "patterns", "cells")); err == nil && st.IsDir() {
			return up + "/patterns"
		}
	}
	return "../patterns"
}

// patternsSection links every cell's pattern atlas.
func (an *Analysis) patternsSection(b *strings.Builder) {
	d := an.Data
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Patterns: what each cell's masks and splits do to the image\n\n")
	if _, err := os.Stat(filepath.Join(d.Dir, filepath.FromSlash(an.patternsDir()), "cells")); err != nil {
		p("The pattern atlas is not next to these results (expected in `%s/`); make it with\n`squeezebench patterns -out %s`.\n\n",
			an.patternsDir(), filepath.ToSlash(filepath.Join(filepath.Clean(d.Dir), filepath.FromSlash(an.patternsDir()))))
	}
	p("| cell | pattern atlas |\n|---|---|\n")
	for _, c := range an.Cells {
		p("| `%s` | [cells/%s.png](%s) |\n", c.Slug, c.Slug, an.patternsLink("cells/"+c.Slug+".png"))
	}
	p("\nAll cells in one figure: [atlas.png](%s); the squeeze orders: [squeezes.png](%s).\n\n", an.patternsLink("atlas.png"), an.patternsLink("squeezes.png"))
}

// runsCSV is one row per expected run.
func runsCSV(d *Data) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"cell", "slug"}
	for _, a := range d.Axes {
		header = append(header, string(a))
	}
	header = append(header, "seed", "status", "note", "run_dir", "same_model_as", "config_hash", "expected_config_hash", "preset", "batch",
		"params", "flops_per_image", "steps", "train_bpd", "val_bpd", "test_bpd", "train_images", "val_images", "test_images", "importance_samples",
		"minibatch_bpd", "ms_per_step", "eval_seconds", "wall_seconds", "backend", "engine", "workers", "threads", "go_version", "ended")
	w.Write(header)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range d.Runs {
		row := []string{r.Cell.String(), r.Cell.Slug()}
		for _, a := range d.Axes {
			row = append(row, r.Cell.Get(a))
		}
		row = append(row, strconv.FormatUint(r.Seed, 10), r.Status, r.Note, r.Dir)
		if res := r.Result; res != nil {
			row = append(row, res.SameModelAs, res.ConfigHash, r.Hash, res.Config.Preset, strconv.Itoa(res.Config.Batch),
				strconv.Itoa(res.Params), strconv.FormatInt(res.FLOPsPerImage, 10), strconv.Itoa(res.Steps),
				f(res.TrainBPD), f(res.ValBPD), f(res.TestBPD), strconv.Itoa(res.TrainImages), strconv.Itoa(res.ValImages), strconv.Itoa(res.TestImages),
				strconv.Itoa(res.ImportanceSamples), f(res.MinibatchBPD), f(res.MsPerStep), f(res.EvalSeconds), f(res.WallSeconds),
				res.Backend, res.Config.Engine, strconv.Itoa(res.Config.Workers), strconv.Itoa(res.Threads), res.GoVersion, res.Ended)
		} else {
			row = append(row, "", "", r.Hash)
			for len(row) < len(header) {
				row = append(row, "")
			}
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// num is a JSON number, or null for NaN and infinities.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func summaryOf(s stats.Summary) map[string]any {
	return map[string]any{"n": s.N, "mean": num(s.Mean), "sd": num(s.SD), "ci95_lo": num(s.Lo), "ci95_hi": num(s.Hi)}
}

func contrastJSON(c *Contrast) map[string]any {
	m := map[string]any{
		"kind": c.Kind, "label": c.Label, "quantity": c.Quantity.Name, "axis": c.Axis, "reference": c.Ref, "alternative": c.Alt,
		"strata": c.Strata, "strata_kept": c.Kept, "strata_twins": c.Twins, "strata_duplicates": c.Duplicates, "strata_excluded": c.Excluded,
		"seeds": c.Seeds, "per_seed": c.PerSeed, "seeds_dropped": c.DroppedSeeds,
		"n": c.N, "mean": num(c.Mean), "sd": num(c.SD), "se": num(c.SE), "t": num(c.T), "df": c.DF,
		"p_t": num(c.P), "p_signflip": num(c.PSignFlip), "signflip_exact": c.SignFlipExact,
		"family_size": c.Family, "level": num(c.Level), "ci_lo": num(c.Lo), "ci_hi": num(c.Hi),
		"p_t_adjusted": num(c.PAdj), "p_signflip_adjusted": num(c.PSignFlipAdj), "mde_80": num(c.MDE),
		"claimed": c.Claimed(), "signflip_agrees": c.SignFlipAgrees(), "verdict": c.Verdict(),
	}
	if c.Axis2 != "" {
		m["axis2"], m["reference2"], m["alternative2"] = c.Axis2, c.Ref2, c.Alt2
	}
	if c.Given != "" {
		m["given"] = c.Given
	}
	if bl := c.Block; bl != nil {
		m["block_anova"] = map[string]any{"estimate": num(bl.Estimate), "se": num(bl.SE), "df": bl.DF, "ci_lo": num(bl.Lo), "ci_hi": num(bl.Hi), "p": num(bl.P)}
	}
	return m
}

func summaryJSON(an *Analysis) ([]byte, error) {
	d := an.Data
	e := d.Experiment
	grid := map[string][]string{}
	for _, a := range d.Axes {
		grid[string(a)] = d.Levels[a]
	}
	var cells []map[string]any
	for _, c := range an.Cells {
		cells = append(cells, map[string]any{
			"cell": c.Name, "slug": c.Slug, "model": c.Model, "expected_runs": c.Expected, "ok_runs": c.OK, "seeds_ok": c.Seeds,
			"test_bpd": summaryOf(c.Test), "val_bpd": summaryOf(c.Val), "train_bpd": summaryOf(c.Train),
			"gap_val_train": summaryOf(c.GapVal), "params": summaryOf(c.Params), "flops_per_image": summaryOf(c.FLOPs),
			"ms_per_step": summaryOf(c.MsPerStep), "eval_seconds": summaryOf(c.Eval), "wall_seconds": summaryOf(c.Wall), "test_bpd_by_seed": c.TestBySeed,
		})
	}
	fam := func(cs []*Contrast) []map[string]any {
		var out []map[string]any
		for _, c := range cs {
			out = append(out, contrastJSON(c))
		}
		return out
	}
	var traces []map[string]any
	for _, t := range an.Traces {
		var pts []map[string]any
		for i, s := range t.Steps {
			pt := t.Points[i]
			pts = append(pts, map[string]any{"step": s, "n": pt.N, "mean": num(pt.Mean), "ci_lo": num(pt.Lo), "ci_hi": num(pt.Hi), "level": num(pt.Level), "claimed": pt.Claimed(), "per_seed": pt.Values})
		}
		traces = append(traces, map[string]any{"contrast": t.Contrast.Label, "quantity": t.Label, "points": pts,
			"trend_per_100_steps": map[string]any{"from_step": t.TrendSteps[0], "to_step": t.TrendSteps[1], "n": t.Trend.N, "mean": num(t.Trend.Mean), "ci_lo": num(t.Trend.Lo), "ci_hi": num(t.Trend.Hi)},
			"words":               t.Words()})
	}
	var problems []map[string]any
	for _, r := range d.Runs {
		if !r.OK() {
			problems = append(problems, map[string]any{"cell": r.Cell.String(), "seed": r.Seed, "status": r.Status, "note": r.Note})
		}
	}
	var twins [][2]string
	for _, t := range e.Twins() {
		twins = append(twins, [2]string{t[0].String(), t[1].String()})
	}
	out := map[string]any{
		"experiment": e.Name, "description": e.Description, "grid": grid, "seeds": e.Seeds, "twins": twins,
		"budget": d.budget(), "evaluation": d.evaluation(), "config": e.Config, "expected_runs": len(d.Runs),
		"alpha_familywise": stats.Alpha, "adjustment": "bonferroni within each family", "unit_of_replication": "seed",
		"cells": cells, "main_effects": fam(an.Main), "interactions": fam(an.Interactions), "hypotheses": fam(an.Hypotheses),
		"effects_over_training": traces, "runs_not_ok": problems, "compute_matched": matchedJSON(an.Matched),
	}
	if d.DataRecord != nil {
		out["data"] = d.DataRecord
	}
	if t := d.newest(); !t.IsZero() {
		out["newest_result"] = t.UTC().Format(time.RFC3339)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	return append(b, '\n'), nil
}

func matchedJSON(ms []*Matched) []map[string]any {
	var out []map[string]any
	for _, m := range ms {
		out = append(out, map[string]any{"contrast": m.Main.Label, "flops_ratio": num(m.Ratio), "n": m.N, "per_seed": m.Values,
			"mean": num(m.Mean), "ci_lo": num(m.Lo), "ci_hi": num(m.Hi), "level": num(m.Level), "claimed": m.Claimed(), "words": m.Words()})
	}
	return out
}
