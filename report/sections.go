package report

// The sections of REPORT.md, one writer each, in the order Markdown puts them.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"squeezebench/atlas"
	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/variants"
)

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
			p("- **%s**: %s", c.pairName(), c.Verdict())
			if t := an.traceOf(c); t != nil {
				p(" Over training (%s): %s", t.Label, t.Words())
			}
			p("\n")
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
	fmt.Fprintf(b, "At each step the interval is adjusted over the contrasts of its family traced there. A trend is, per seed, the change in bpd\n")
	fmt.Fprintf(b, "that the least-squares line through its values over the second half of training gives from its first to its last\n")
	fmt.Fprintf(b, "evaluation, tested over seeds (a 95%% interval per trace, not adjusted over the traces: descriptive).\n\n")
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
		fig := atlas.CellFigurePath(c.Cell)
		p("| `%s` | [%s](%s) |\n", c.Slug, fig, an.patternsLink(fig))
	}
	p("\nAll cells in one figure: [atlas.png](%s); the squeeze orders: [squeezes.png](%s).\n\n", an.patternsLink("atlas.png"), an.patternsLink("squeezes.png"))
}
