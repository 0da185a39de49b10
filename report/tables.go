package report

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"squeezebench/report/stats"
)

// markdown renders a table as GitHub Markdown; columns of numbers are right-aligned, the others
// (and always the first) left-aligned.
func markdown(header []string, rows [][]string) string {
	al := make([]tw.Align, len(header))
	for i := range al {
		al[i] = tw.AlignRight
		for _, r := range rows {
			if i == 0 || (i < len(r) && r[i] != "" && !numberLike(r[i])) {
				al[i] = tw.AlignLeft
				break
			}
		}
	}
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf, tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone), tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: al}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: al}))
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`) }
	h := make([]string, len(header))
	for i, s := range header {
		h[i] = esc(s)
	}
	t.Header(h)
	for _, r := range rows {
		rr := make([]string, len(r))
		for i, s := range r {
			rr[i] = esc(s)
		}
		t.Append(rr)
	}
	if err := t.Render(); err != nil {
		return fmt.Sprintf("(table could not be rendered: %v)\n", err)
	}
	return buf.String()
}

// numberLike says a cell reads as a number, a signed one, a bound ("<0.001", "[…]") or none ("–").
func numberLike(cell string) bool {
	first, _ := utf8.DecodeRuneInString(cell)
	return strings.ContainsRune("0123456789+-<–[", first)
}

func meanSD(s stats.Summary, prec int) string {
	if s.N == 0 {
		return "–"
	}
	if s.N < 2 {
		return fmtNum(s.Mean, prec)
	}
	return fmtNum(s.Mean, prec) + " ± " + fmtNum(s.SD, prec)
}

func ciText(lo, hi float64, prec int) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return fmtNum(lo, prec) + " to " + fmtNum(hi, prec)
}

func pText(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 0.001:
		return "<0.001"
	}
	return fmtNum(p, 3)
}

// CellTable is the per-cell results: test, validation and training bpd over the seeds (all
// three with the final estimator).
func (an *Analysis) CellTable() string {
	header := []string{"cell", "model", "ok runs", "test bpd (mean ± sd)", "95% CI", "val bpd", "train bpd", "val − train", "test bpd by seed"}
	var rows [][]string
	for _, c := range an.Cells {
		var seeds []string
		for i, s := range c.Seeds {
			seeds = append(seeds, fmt.Sprintf("%d: %s", s, bpd(c.TestBySeed[i])))
		}
		model := "trained"
		if c.Twin() {
			model = "same as " + c.ModelSlug
		}
		rows = append(rows, []string{c.Slug, model, fmt.Sprintf("%d/%d", c.OK, c.Expected), meanSD(c.Test, 4), ciText(c.Test.Lo, c.Test.Hi, 4),
			meanSD(c.Val, 4), meanSD(c.Train, 4), meanSD(c.GapVal, 4), strings.Join(seeds, ", ")})
	}
	return markdown(header, rows)
}

// ContrastTable is a family of contrasts: the seed-level test with its family-wise interval,
// adjusted p-values, the robustness check and the minimum detectable effect.
func ContrastTable(cs []*Contrast) string {
	header := []string{"contrast", "quantity", "seeds", "strata", "mean (bpd)", "interval", "level", "p (t, adj.)", "p (sign-flip, adj.)", "detectable (80%)", "verdict"}
	var rows [][]string
	for _, c := range cs {
		v := "no detectable difference"
		switch {
		case c.Kept == 0 && c.Strata > 0:
			v = "one model: not a contrast"
		case c.N < 2:
			v = "not testable"
		case c.Claimed() && c.Kind == "interaction":
			v = "interaction"
		case c.Claimed() && c.Mean > 0:
			v = c.Alt + " higher"
		case c.Claimed():
			v = c.Alt + " lower"
		}
		if c.Claimed() && !c.SignFlipAgrees() {
			v += " (sign-flip does not confirm)"
		}
		strata := fmt.Sprint(c.Kept)
		if c.Kept != c.Strata {
			strata += fmt.Sprintf(" of %d", c.Strata)
		}
		perm := pText(c.PSignFlipAdj)
		if c.N >= 2 && !c.SignFlipExact {
			perm += " (MC)"
		}
		level := "–"
		if c.N >= 2 {
			level = levelText(c.Level)
		}
		rows = append(rows, []string{c.Label, c.Quantity.Label, fmt.Sprint(c.N), strata, fmtNum(c.Mean, 4), ciText(c.Lo, c.Hi, 4), level,
			pText(c.PAdj), perm, fmtNum(c.MDE, 4), v})
	}
	return markdown(header, rows)
}

// PerSeedTable is every contrast's per-seed values: the numbers the intervals are computed from.
func (an *Analysis) PerSeedTable() string {
	header := []string{"contrast"}
	for _, s := range an.Data.Experiment.Seeds {
		header = append(header, fmt.Sprintf("seed %d", s))
	}
	var rows [][]string
	for _, fam := range an.Families() {
		for _, c := range fam {
			label := c.Label
			if c.Quantity.Name != TestBPD.Name && c.Kind != "conditional" {
				label += " (" + c.Quantity.Label + ")"
			}
			row := []string{label}
			vals := map[uint64]float64{}
			for i, s := range c.Seeds {
				vals[s] = c.PerSeed[i]
			}
			for _, s := range an.Data.Experiment.Seeds {
				if v, ok := vals[s]; ok {
					row = append(row, signed(v))
				} else {
					row = append(row, "–")
				}
			}
			rows = append(rows, row)
		}
	}
	return markdown(header, rows)
}

// BlockTable is the sensitivity analysis of the main effects: the additive block ANOVA beside the
// seed-level primary analysis.
func (an *Analysis) BlockTable() string {
	header := []string{"main effect", "seed-level mean", "seed-level interval", "block ANOVA estimate", "block interval", "df", "p (block)"}
	var rows [][]string
	for _, c := range an.Main {
		if c.Block == nil {
			continue
		}
		b := c.Block
		rows = append(rows, []string{c.Label, fmtNum(c.Mean, 4), ciText(c.Lo, c.Hi, 4), fmtNum(b.Estimate, 4), ciText(b.Lo, b.Hi, 4), fmt.Sprint(b.DF), pText(b.P)})
	}
	if len(rows) == 0 {
		return ""
	}
	return markdown(header, rows)
}

// TraceTable is one trace's points: at every evaluation (its step and epoch), the mean of the
// per-seed values, its adjusted interval and whether a difference is claimed there.
func TraceTable(t *Trace) string {
	header := []string{"step", "epoch", "seeds", "mean (bpd)", "interval", "claimed"}
	var rows [][]string
	for i, s := range t.Steps {
		p := t.Points[i]
		cl := "no"
		if p.Claimed() {
			cl = "yes"
		}
		rows = append(rows, []string{fmt.Sprint(s), fmt.Sprintf("%.2f", t.Epochs[i]), fmt.Sprint(p.N), signed(p.Mean), ciText(p.Lo, p.Hi, 4), cl})
	}
	return markdown(header, rows)
}

// CostTable is the parameters, FLOPs and time of every cell.
func (an *Analysis) CostTable() string {
	header := []string{"cell", "parameters", "MFLOPs/image", "ms/step (mean ± sd)", "evaluation s (mean)", "wall s (mean)"}
	var rows [][]string
	for _, c := range an.Cells {
		if c.Twin() {
			continue // not trained: its model's row says it
		}
		params, flops := "–", "–"
		if c.Params.N > 0 {
			params = groupThousands(int64(math.Round(c.Params.Mean)))
			flops = fmtNum(c.FLOPs.Mean/1e6, 2)
		}
		rows = append(rows, []string{c.Slug, params, flops, meanSD(c.MsPerStep, 0), fmtNum(c.Eval.Mean, 1), fmtNum(c.Wall.Mean, 0)})
	}
	return markdown(header, rows)
}

// StabilityTable is the instability of every cell: diverged runs, and gradient-norm outliers of
// the ok runs (logging intervals far above their run's median norm).
func (an *Analysis) StabilityTable() string {
	header := []string{"cell", "diverged runs", fmt.Sprintf("gradient-norm outliers (> %d× median)", GradOutlierFactor), "largest norm / median"}
	var rows [][]string
	for _, c := range an.Cells {
		if c.Twin() {
			continue
		}
		rows = append(rows, []string{c.Slug, fmt.Sprintf("%d of %d", c.Diverged, c.Expected), fmt.Sprint(c.GradOutliers), fmtNum(c.MaxGradRatio, 1)})
	}
	return markdown(header, rows)
}

// ProblemTable lists the runs that are not ok, or "" when every run is.
func (an *Analysis) ProblemTable() string {
	var rows [][]string
	for _, r := range an.Data.Runs {
		if r.OK() {
			continue
		}
		note := r.Note
		if len(note) > 160 {
			note = note[:157] + "..."
		}
		rows = append(rows, []string{r.Cell.Slug(), strconv.FormatUint(r.Seed, 10), r.Status, note})
	}
	if len(rows) == 0 {
		return ""
	}
	return markdown([]string{"cell", "seed", "status", "why"}, rows)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
