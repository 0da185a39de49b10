package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/variants"
)

// TrainImages is the size of the training split (the tutorial's 50,000 of MNIST's 60,000).
const TrainImages = 50000

// CodeVersionFile, in a results directory, holds the code version the runs were made with
// (squeezebench ablate writes it). Without it the report asks git for the checkout's version.
const CodeVersionFile = "code-version"

// Options say what Generate writes.
type Options struct {
	// CodeVersion overrides the code version (tests); empty: CodeVersionFile, else git.
	CodeVersion string
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
		{"figures/main_effects.png", "Main effects on test bpd: paired differences, single pairs (grey), mean and 95% t interval (black); * marks a difference both tests find after Holm's correction.",
			func() ([]byte, error) { return EffectsFigure(an.Main, "Main effects on test bpd") }},
		{"figures/interaction_effects.png", "Two-way interactions (difference of differences of test bpd), drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Interactions, "Interactions") }},
		{"figures/hypotheses.png", "Hypothesis tests: the split's effect on the generalisation gap, and effects within each mixing level, drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Hypotheses, "Hypothesis tests") }},
		{"figures/interactions.png", "Interaction plots: mean test bpd at each level of one axis, one line per level of another (averaged over seeds and the other axes). Parallel lines: no interaction.", an.InteractionFigure},
		{"figures/curves.png", "Learning curves per cell: training bpd (mean over each logging interval) and validation bpd; line: mean over seeds, band: min–max over seeds. The y axis leaves out the first 15% of steps.", an.CurvesFigure},
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
	if err := write("REPORT.md", []byte(an.Markdown(made, version))); err != nil {
		return nil, err
	}
	return w, nil
}

// CodeVersion is the code version of the results in dir: CodeVersionFile when present, else
// `git rev-parse --short HEAD` (with "-dirty" for uncommitted changes) marked as the report's,
// else "unknown".
func CodeVersion(dir string) string {
	if b, err := os.ReadFile(filepath.Join(dir, CodeVersionFile)); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return strings.TrimSpace(string(b))
	}
	if v := GitVersion(); v != "" {
		return v + " (of the report; the runs did not record theirs)"
	}
	return "unknown"
}

// GitVersion is `git rev-parse --short HEAD` of the working directory, with "-dirty" when
// tracked files have uncommitted changes; "" without git.
func GitVersion() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		v += "-dirty"
	}
	return v
}

// budget describes what every run had, from the experiment's configuration.
func (d *Data) budget() string {
	c := d.Experiment.Config
	var b strings.Builder
	if c.Steps > 0 {
		fmt.Fprintf(&b, "%d training steps of batch %d (%.2g epoch of the %s training images)", c.Steps, c.Batch,
			float64(c.Steps*c.Batch)/TrainImages, groupThousands(TrainImages))
	} else {
		fmt.Fprintf(&b, "%s at batch %d (%s steps)", plural(c.Epochs, "epoch"), c.Batch,
			groupThousands(int64(c.Epochs*TrainImages/c.Batch)))
	}
	fmt.Fprintf(&b, ", preset %s (hidden %d/%d/%d/%d, %s), %s (%s)", c.Preset,
		c.Sizes.VarDeq, c.Sizes.Stage[0], c.Sizes.Stage[1], c.Sizes.Stage[2], plural(c.Sizes.GatedLayers, "gated layer"),
		plural(len(d.Experiment.Seeds), "seed"), joinSeeds(d.Experiment.Seeds))
	test := "all 10,000"
	if c.TestImages > 0 {
		test = groupThousands(int64(c.TestImages))
	}
	val := "all 10,000"
	if c.ValImages > 0 {
		val = groupThousands(int64(c.ValImages))
	}
	fmt.Fprintf(&b, "; test bpd on %s test images with %d importance samples, validation bpd on %s validation images with 1 sample",
		test, c.ImportanceSamples, val)
	return b.String()
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

// newest is the latest end (start of the last session + wall time) among the results, from the
// runs' train.log; zero when none is known.
func (d *Data) newest() time.Time {
	var t time.Time
	for _, r := range d.Runs {
		if r.Result == nil || r.Started.IsZero() {
			continue
		}
		end := r.Started.Add(time.Duration(r.Result.WallSeconds * float64(time.Second))).Truncate(time.Second)
		if end.After(t) {
			t = end
		}
	}
	return t
}

// reproduce is the command that makes these results: the built-in experiment by name when the
// stored copy is the built-in file, else the stored copy.
func (d *Data) reproduce() string {
	e := d.Experiment
	dir := filepath.ToSlash(filepath.Clean(d.Dir))
	if src, err := experiments.BuiltinSource(e.Name); err == nil && bytes.Equal(src, e.Source) {
		if dir == "results/"+e.Name {
			return "squeezebench ablate -experiment " + e.Name
		}
		return fmt.Sprintf("squeezebench ablate -experiment %s -results %s", e.Name, dir)
	}
	return fmt.Sprintf("squeezebench ablate -experiment %s/experiment.toml -results %s", dir, dir)
}

func (an *Analysis) comparisons(kind string, axis variants.Axis) []*Comparison {
	var out []*Comparison
	for _, fam := range [][]*Comparison{an.Main, an.Interactions, an.Hypotheses} {
		for _, c := range fam {
			if c.Kind == kind && c.Axis == axis {
				out = append(out, c)
			}
		}
	}
	return out
}

func (an *Analysis) interactionOf(a, b variants.Axis) *Comparison {
	for _, c := range an.Interactions {
		if (c.Axis == a && c.Axis2 == b) || (c.Axis == b && c.Axis2 == a) {
			return c
		}
	}
	return nil
}

// Markdown is REPORT.md.
func (an *Analysis) Markdown(figs []Figure, version string) string {
	d := an.Data
	e := d.Experiment
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	usable := 0
	for _, r := range d.Runs {
		if r.OK() {
			usable++
		}
	}
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
	p("| grid | %s; %d cells |\n", strings.Join(grid, "; "), len(an.Cells))
	p("| seeds | %s (the same seed gives the same data order and noise in every cell: cells compare pair-wise) |\n", joinSeeds(e.Seeds))
	p("| budget | %s |\n", d.budget())
	p("| runs | %d of %d expected runs usable (status ok, this configuration) |\n", usable, len(d.Runs))
	p("| machine | backend %s; threads per process (GOMAXPROCS) %s; engine %s, %d worker(s) per run, %d run(s) at once; %s |\n",
		d.distinct(func(r *runner.Result) string { return r.Backend }),
		d.distinct(func(r *runner.Result) string { return strconv.Itoa(r.Threads) }),
		cmpOr(e.Config.Engine, "fast"), e.Config.Workers, e.Parallel,
		d.distinct(func(r *runner.Result) string { return r.GoVersion }))
	p("| code version | %s |\n", version)
	if t := d.newest(); !t.IsZero() {
		p("| newest result | %s (from the runs' train.log) |\n", t.Format("2006-01-02 15:04"))
	}
	p("| reproduce | `%s`, then `squeezebench report -results %s` |\n\n", d.reproduce(), filepath.ToSlash(filepath.Clean(d.Dir)))

	p("Lower bpd is better. Every difference below is paired: for each seed and each level of the other axes, the\n")
	p("alternative's test bpd minus the reference's. A difference is claimed only when both the paired t-test and the exact\n")
	p("sign-flip permutation test reject \"no difference\" at %.2f after Holm's correction within their family (main effects;\n", Alpha)
	p("interactions; hypothesis tests); otherwise the 95%% interval says how large a difference the data still allow.\n\n")
	p("**Budget these answers rest on:** %s. A short budget answers \"does it matter early in training at this size\";\n", d.budget())
	p("differences that appear only after long training are not ruled out.\n\n")

	// The three questions.
	p("## 1. Does the squeeze permutation matter?\n\n")
	an.axisAnswer(&b, variants.Squeeze)
	p("Structure ([facts.md](%s), computed by `squeezebench patterns`): the tutorial's channel-major order is TF's `squeeze_2x2`;\n", an.patternsLink("facts.md"))
	p("`tf-style` (spatial-major, `tf.nn.space_to_depth`) coincides with it on 1-channel input, so in this model the two differ\n")
	p("only in the second squeeze (2×14×14 → 8×7×7).\n\n")
	an.conditionalAnswer(&b, variants.Squeeze, "with `invconv` an invertible 1×1 convolution absorbs any channel order (W' = W·P), so the squeezes give the same function class and can differ only through initialisation and optimisation")

	p("## 2. Does the split pattern matter?\n\n")
	an.axisAnswer(&b, variants.Split)
	p("**Maintainer's hypothesis: the channel split generalises better.** ")
	if gaps := an.comparisons("hypothesis", variants.Split); len(gaps) > 0 {
		p("Tested as the split's effect on the generalisation gap, paired like the main effects (positive: the alternative's gap is larger, i.e. it generalises worse):\n\n")
		for _, c := range gaps {
			p("- %s: %s\n", c.Quantity.Label, c.Verdict())
		}
		p("\nThe val − train gap compares like with like (one dequantization sample each; the training bpd is the mean over the last logging interval, the same in every cell);\n")
		p("the test bpd is importance-sampled and so lower than a one-sample estimate, which the test − train gap carries in every cell alike.\n")
		p("%s\n\n", hypothesisOne(gaps))
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
		if c := an.interactionOf(variants.Coupling, variants.Mixing); c != nil {
			p("Does the coupling effect change with mixing (coupling × mixing interaction)? %s\n\n", c.Verdict())
		}
	} else {
		p("Not testable here: the experiment does not vary both coupling and mixing (`squeezebench ablate -experiment extended` does).\n\n")
	}

	// Interactions.
	p("## Interactions\n\n")
	if len(an.Interactions) == 0 {
		p("None computed: interactions need two axes with exactly two levels each.\n\n")
	} else {
		for _, c := range an.Interactions {
			p("- **%s × %s**: %s\n", c.Axis, c.Axis2, c.Verdict())
		}
		p("\n")
	}

	// Missing and failed runs.
	p("## Missing and failed runs\n\n")
	if t := an.ProblemTable(); t == "" {
		p("None: all %d expected runs are usable.\n\n", len(d.Runs))
	} else {
		p("%d of %d expected runs are not usable; they are left out of every mean, and every paired comparison drops the pairs\n", len(d.Runs)-usable, len(d.Runs))
		p("they belong to (the tables give pairs used of pairs possible). The conclusions above rest only on the remaining pairs.\n")
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

	// Tables.
	p("## Results per cell\n\n%s\n", an.CellTable())
	p("## Main effects (test bpd)\n\n")
	if len(an.Main) == 0 {
		p("No axis has more than one level.\n\n")
	} else {
		p("%s\n", ComparisonTable(an.Main))
	}
	if len(an.Interactions) > 0 {
		p("## Two-way interactions (test bpd, difference of differences)\n\n%s\n", ComparisonTable(an.Interactions))
	}
	if len(an.Hypotheses) > 0 {
		p("## Hypothesis tests\n\n%s\n", ComparisonTable(an.Hypotheses))
	}
	p("p (sign-flip) is exact (all 2^n sign assignments) up to %d pairs, else Monte Carlo with %d fixed-seed flips (MC).\n\n", exactFlipsMax, MonteCarloFlips)
	p("## Cost\n\n%s\n", an.CostTable())
	p("ms/step is measured while %d run(s) trained at once on the machine above; compare cells within this report only.\n\n", e.Parallel)

	// Figures.
	p("## Figures\n\n")
	for _, f := range figs {
		p("![%s](%s)\n\n*%s*\n\n", filepath.Base(f.File), f.File, f.Caption)
	}
	p("## Patterns: what each cell's masks and splits do to the image\n\n")
	if _, err := os.Stat(filepath.Join(d.Dir, "..", "patterns", "cells")); err != nil {
		p("The pattern atlas is not next to these results (expected in `../patterns/`); make it with\n`squeezebench patterns -out %s`.\n\n",
			filepath.ToSlash(filepath.Join(filepath.Clean(d.Dir), "..", "patterns")))
	}
	p("| cell | pattern atlas |\n|---|---|\n")
	for _, c := range an.Cells {
		p("| `%s` | [cells/%s.png](%s) |\n", c.Slug, c.Slug, an.patternsLink("cells/"+c.Slug+".png"))
	}
	p("\nAll cells in one figure: [atlas.png](%s); the squeeze orders: [squeezes.png](%s).\n\n", an.patternsLink("atlas.png"), an.patternsLink("squeezes.png"))
	p("## Exports\n\n[runs.csv](runs.csv): one row per expected run with every field (missing runs included, with their status).\n")
	p("[summary.json](summary.json): cell statistics and every comparison with its tests and verdict.\n")
	return b.String()
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (an *Analysis) patternsLink(rel string) string { return "../patterns/" + rel }

// axisAnswer writes the main-effect verdicts of an axis.
func (an *Analysis) axisAnswer(b *strings.Builder, a variants.Axis) {
	lv := an.Data.Levels[a]
	if len(lv) < 2 {
		fmt.Fprintf(b, "**Not varied in this experiment** (every run uses %s=%s); no answer from these results.\n\n", a, lv[0])
		return
	}
	for _, c := range an.comparisons("main", a) {
		fmt.Fprintf(b, "**%s (%s vs %s), test bpd:** %s\n\n", a, c.Alt, c.Ref, c.Verdict())
	}
}

// conditionalAnswer writes the effects of an axis within each mixing level, when the grid has them.
func (an *Analysis) conditionalAnswer(b *strings.Builder, a variants.Axis, note string) {
	cs := an.comparisons("conditional", a)
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

// testGapNote says so when the test − train gap differs although the like-for-like validation
// gap does not: a hint, not an answer, since the test bpd is importance-sampled.
func testGapNote(gaps []*Comparison) string {
	for _, c := range gaps {
		if c.Quantity.Name != GapTest.Name || c.Ref != "channel" || !c.Significant() {
			continue
		}
		larger, by := c.Alt, c.Mean
		if by < 0 {
			larger, by = c.Ref, -by
		}
		return fmt.Sprintf(" The test − train gap does differ (%s's is larger by %s bpd), but it mixes the importance-sampled test bpd with the one-sample training bpd, so it is a hint to check with more seeds or a longer budget, not an answer.", larger, bpd(by))
	}
	return ""
}

// hypothesisOne sums up the gap tests for the maintainer's first hypothesis.
func hypothesisOne(gaps []*Comparison) string {
	for _, c := range gaps {
		if c.Quantity.Name != GapVal.Name || c.Ref != "channel" {
			continue
		}
		switch {
		case c.N < 2:
			return "So the hypothesis cannot be tested with these runs."
		case c.Significant() && c.Mean > 0:
			return fmt.Sprintf("So the data support it at this budget: %s's gap is larger by %s bpd.", c.Alt, bpd(c.Mean))
		case c.Significant():
			return fmt.Sprintf("So the data contradict it at this budget: %s's gap is smaller by %s bpd.", c.Alt, bpd(-c.Mean))
		default:
			return fmt.Sprintf("So the data neither support nor contradict it at this budget: any effect of the split on the gap is within %s to %s bpd. Early in training there is little overfitting to detect.", bpd(c.Lo), bpd(c.Hi)) +
				testGapNote(gaps)
		}
	}
	return ""
}

// runsCSV is one row per expected run.
func runsCSV(d *Data) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"cell", "slug"}
	for _, a := range d.Axes {
		header = append(header, string(a))
	}
	header = append(header, "seed", "status", "note", "run_dir", "config_hash", "expected_config_hash", "preset", "batch",
		"params", "flops_per_image", "steps", "train_bpd", "val_bpd", "test_bpd", "test_images", "importance_samples",
		"ms_per_step", "wall_seconds", "backend", "engine", "workers", "threads", "go_version", "started")
	w.Write(header)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range d.Runs {
		row := []string{r.Cell.String(), r.Cell.Slug()}
		for _, a := range d.Axes {
			row = append(row, r.Cell.Get(a))
		}
		row = append(row, strconv.FormatUint(r.Seed, 10), r.Status, r.Note, r.Dir)
		if res := r.Result; res != nil {
			started := ""
			if !r.Started.IsZero() {
				started = r.Started.Format(time.DateTime)
			}
			row = append(row, res.ConfigHash, r.Hash, res.Config.Preset, strconv.Itoa(res.Config.Batch),
				strconv.Itoa(res.Params), strconv.FormatInt(res.FLOPsPerImage, 10), strconv.Itoa(res.Steps),
				f(res.TrainBPD), f(res.ValBPD), f(res.TestBPD), strconv.Itoa(res.TestImages), strconv.Itoa(res.Config.ImportanceSamples),
				f(res.MsPerStep), f(res.WallSeconds), res.Backend, res.Config.Engine, strconv.Itoa(res.Config.Workers),
				strconv.Itoa(res.Threads), res.GoVersion, started)
		} else {
			row = append(row, "", r.Hash)
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

func summaryOf(s Summary) map[string]any {
	return map[string]any{"n": s.N, "mean": num(s.Mean), "sd": num(s.SD), "ci95_lo": num(s.Lo), "ci95_hi": num(s.Hi)}
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
			"cell": c.Name, "slug": c.Slug, "expected_runs": c.Expected, "ok_runs": c.OK, "seeds_ok": c.Seeds,
			"test_bpd": summaryOf(c.Test), "val_bpd": summaryOf(c.Val), "train_bpd": summaryOf(c.Train),
			"gap_val_train": summaryOf(c.GapVal), "params": summaryOf(c.Params), "flops_per_image": summaryOf(c.FLOPs),
			"ms_per_step": summaryOf(c.MsPerStep), "wall_seconds": summaryOf(c.Wall), "test_bpd_by_seed": c.TestBySeed,
		})
	}
	comp := func(fam []*Comparison) []map[string]any {
		var out []map[string]any
		for _, c := range fam {
			m := map[string]any{
				"kind": c.Kind, "label": c.Label, "quantity": c.Quantity.Name, "axis": c.Axis, "reference": c.Ref, "alternative": c.Alt,
				"pairs": c.N, "pairs_possible": c.Strata, "pairs_dropped": c.Dropped, "diffs": c.Diffs,
				"mean": num(c.Mean), "sd": num(c.SD), "ci95_lo": num(c.Lo), "ci95_hi": num(c.Hi), "t": num(c.T),
				"p_t": num(c.PT), "p_signflip": num(c.PPerm), "signflip_exact": c.Exact,
				"p_t_holm": num(c.PTHolm), "p_signflip_holm": num(c.PPHolm), "holm_family_size": c.Family,
				"significant": c.Significant(), "verdict": c.Verdict(),
			}
			if c.Axis2 != "" {
				m["axis2"], m["reference2"], m["alternative2"] = c.Axis2, c.Ref2, c.Alt2
			}
			if c.Given != "" {
				m["given"] = c.Given
			}
			out = append(out, m)
		}
		return out
	}
	var problems []map[string]any
	for _, r := range d.Runs {
		if !r.OK() {
			problems = append(problems, map[string]any{"cell": r.Cell.String(), "seed": r.Seed, "status": r.Status, "note": r.Note})
		}
	}
	out := map[string]any{
		"experiment": e.Name, "description": e.Description, "grid": grid, "seeds": e.Seeds,
		"budget": d.budget(), "config": e.Config, "expected_runs": len(d.Runs),
		"alpha": Alpha, "confidence": Level,
		"cells": cells, "main_effects": comp(an.Main), "interactions": comp(an.Interactions), "hypotheses": comp(an.Hypotheses),
		"runs_not_ok": problems,
	}
	if t := d.newest(); !t.IsZero() {
		out["newest_result"] = t.Format(time.DateTime)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	return append(b, '\n'), nil
}
