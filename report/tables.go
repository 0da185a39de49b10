package report

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// markdown renders a table as GitHub Markdown; columns of numbers are right-aligned, the others
// (and always the first) left-aligned.
func markdown(header []string, rows [][]string) string {
	al := make([]tw.Align, len(header))
	for i := range al {
		al[i] = tw.AlignRight
		for _, r := range rows {
			if i == 0 || (i < len(r) && r[i] != "" && !strings.ContainsAny(r[i][:1], "0123456789-<–[")) {
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

func meanSD(s Summary, prec int) string {
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

// CellTable is the per-cell results: test, validation and training bpd over the seeds.
func (an *Analysis) CellTable() string {
	header := []string{"cell", "ok runs", "test bpd (mean ± sd)", "95% CI", "val bpd", "train bpd", "val − train", "test bpd by seed"}
	var rows [][]string
	for _, c := range an.Cells {
		var seeds []string
		for i, s := range c.Seeds {
			seeds = append(seeds, fmt.Sprintf("%d: %s", s, bpd(c.TestBySeed[i])))
		}
		rows = append(rows, []string{c.Slug, fmt.Sprintf("%d/%d", c.OK, c.Expected), meanSD(c.Test, 4), ciText(c.Test.Lo, c.Test.Hi, 4),
			meanSD(c.Val, 4), meanSD(c.Train, 4), meanSD(c.GapVal, 4), strings.Join(seeds, ", ")})
	}
	return markdown(header, rows)
}

// ComparisonTable is a family of comparisons with both tests, raw and Holm-adjusted.
func ComparisonTable(cs []*Comparison) string {
	header := []string{"comparison", "quantity", "pairs", "mean diff (bpd)", "95% CI", "p (paired t)", "p (sign-flip)", "p t, Holm", "p sign-flip, Holm", "verdict"}
	var rows [][]string
	for _, c := range cs {
		v := "no detectable difference"
		switch {
		case c.N < 2:
			v = "not testable"
		case c.Significant() && c.Kind == "interaction":
			v = "interaction"
		case c.Significant() && c.Mean > 0:
			v = c.Alt + " higher"
		case c.Significant():
			v = c.Alt + " lower"
		}
		pairs := strconv.Itoa(c.N)
		if c.Dropped > 0 {
			pairs += fmt.Sprintf(" (of %d)", c.Strata)
		}
		perm := pText(c.PPerm)
		if c.N >= 2 && !c.Exact {
			perm += " (MC)"
		}
		rows = append(rows, []string{c.Label, c.Quantity.Label, pairs, fmtNum(c.Mean, 4), ciText(c.Lo, c.Hi, 4),
			pText(c.PT), perm, pText(c.PTHolm), pText(c.PPHolm), v})
	}
	return markdown(header, rows)
}

// CostTable is the parameters, FLOPs and time of every cell.
func (an *Analysis) CostTable() string {
	header := []string{"cell", "parameters", "MFLOPs/image", "ms/step (mean ± sd)", "wall s (mean)"}
	var rows [][]string
	for _, c := range an.Cells {
		params, flops := "–", "–"
		if c.Params.N > 0 {
			params = groupThousands(int64(math.Round(c.Params.Mean)))
			flops = fmtNum(c.FLOPs.Mean/1e6, 2)
		}
		rows = append(rows, []string{c.Slug, params, flops, meanSD(c.MsPerStep, 0), fmtNum(c.Wall.Mean, 0)})
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
