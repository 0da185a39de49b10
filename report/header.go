package report

// The report's opening: what was run, on what data, at what budget and cost, and how to read it.

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"squeezebench/experiments"
	"squeezebench/report/stats"
	"squeezebench/runner"
	"squeezebench/runner/pool"
)

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
	var when []string
	if c.ValEvery > 0 {
		when = append(when, fmt.Sprintf("every %d steps", c.ValEvery))
	}
	if len(c.EvalSteps) > 0 {
		when = append(when, "after "+evalEpochsText(c.EvalSteps, c.Batch))
	}
	every := strings.Join(append(when, "at the end"), ", ")
	if len(when) == 1 {
		every = when[0] + " and at the end"
	}
	return fmt.Sprintf("final train, validation and test bpd with %d importance samples each, on %s training, %s validation and %s test images; "+
		"during training, %s, the same training and validation images with %s",
		c.ImportanceSamples, count(c.ValImages), count(c.ValImages), count(c.TestImages), every, plural(c.EvalSamples, "sample"))
}

// evalEpochsText names extra evaluation steps by epoch where they end one (eval_epochs makes
// them so): "epochs 1, 2 and 5 (steps 781, 1,562 and 3,905)"; else by step.
func evalEpochsText(steps []int, batch int) string {
	var eps, sts []string
	perEpoch := TrainImages / max(batch, 1)
	for _, s := range steps {
		sts = append(sts, groupThousands(int64(s)))
		if s%perEpoch == 0 {
			eps = append(eps, strconv.Itoa(s/perEpoch))
		}
	}
	noun := func(one string, n int) string {
		if n == 1 {
			return one
		}
		return one + "s"
	}
	if len(eps) != len(steps) {
		return noun("step", len(sts)) + " " + joinAnd(sts)
	}
	return fmt.Sprintf("%s %s (%s %s)", noun("epoch", len(eps)), joinAnd(eps), noun("step", len(sts)), joinAnd(sts))
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

// codeVersions is the code that trained the runs, from their results: one version, or each with
// its count when a resumed or extended experiment ran several. Runs from before results recorded
// it are said to be unrecorded, with the version the results directory names (that of the
// experiment's last start, which need not be theirs); fallback is the answer when nothing is
// known at all.
func (d *Data) codeVersions(fallback string) string {
	count := map[string]int{}
	unrecorded := 0
	for _, r := range d.Runs {
		switch {
		case r.Result == nil:
		case r.Result.CodeVersion == "":
			unrecorded++
		default:
			count[r.Result.CodeVersion]++
		}
	}
	dirVersion := pool.CodeVersion(d.Dir)
	switch {
	case len(count) == 0 && dirVersion != "":
		return dirVersion + " (the results directory's, written at the experiment's last start; the runs did not record their own)"
	case len(count) == 0:
		return fallback
	case len(count) == 1 && unrecorded == 0:
		for v := range count {
			return v
		}
	}
	var parts []string
	for _, v := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%s (%s)", v, plural(count[v], "run")))
	}
	if unrecorded > 0 {
		not := plural(unrecorded, "run") + " not recorded"
		if dirVersion != "" {
			not += fmt.Sprintf(" (the results directory names %s, its last start)", dirVersion)
		}
		parts = append(parts, not)
	}
	return strings.Join(parts, ", ")
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

// reproduce is the command that makes these results: the built-in experiment by name when it
// trains the stored copy's runs (a comment edited since does not matter), else the stored copy.
func (d *Data) reproduce() string {
	e := d.Experiment
	dir := filepath.ToSlash(filepath.Clean(d.Dir))
	if b, err := experiments.Builtin(e.Name); err == nil && experiments.SameRuns(b, e) {
		if dir == "results/"+e.Name || dir == "results/reference/"+e.Name {
			return "squeezebench ablate -experiment " + e.Name
		}
		return fmt.Sprintf("squeezebench ablate -experiment %s -results %s", e.Name, dir)
	}
	return fmt.Sprintf("squeezebench ablate -experiment %s/experiment.toml -results %s", dir, dir)
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
	p("| code version | %s |\n", d.codeVersions(version))
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
