package report

import (
	"fmt"
	"math"
	"strings"

	"squeezebench/report/stats"
)

// Diff is one quantity of two result sets, A − B, with a Welch interval from the two seed-level
// spreads: whether the difference is within seed noise.
type Diff struct {
	Label     string
	A, B      float64 // the two estimates
	Diff      float64 // A − B
	Lo, Hi    float64 // Welch t interval, family-wise over the table (Bonferroni)
	Level     float64
	Within    bool // the interval contains 0: within seed noise
	Seeds     int  // seeds both have
	Identical int  // of them, seeds with bit-identical values
	Note      string

	se float64 // standard error of Diff, and its Welch degrees of freedom (0: not testable)
	df int
}

// Agreement compares two analyses of the same grid: every cell's test bpd and every contrast,
// A − B. The answers agree when every contrast's verdict (claimed or not, and its sign) is the
// same in both.
type Agreement struct {
	A, B      *Analysis
	Cells     []Diff
	Contrasts []Diff
	// Verdicts lists the contrasts whose verdicts differ.
	Verdicts []string
}

// Compare compares analysis a with analysis b (cells and contrasts matched by name; those only
// one of them has are listed with that side's value).
func Compare(a, b *Analysis) *Agreement {
	ag := &Agreement{A: a, B: b}
	ag.compareCells()
	ag.compareContrasts()
	familyWise(ag.Cells)
	familyWise(ag.Contrasts)
	return ag
}

// oneSided is the row of a cell or contrast that cannot be compared: the value of each side
// that has one, n/a for the rest.
func oneSided(label, note string, a, b float64, haveA, haveB bool) Diff {
	d := Diff{Label: label, A: nan, B: nan, Diff: nan, Lo: nan, Hi: nan, Note: note}
	if haveA {
		d.A = a
	}
	if haveB {
		d.B = b
	}
	return d
}

func (ag *Agreement) compareCells() {
	const note = "not in both"
	bCells := map[string]*CellStats{}
	for _, c := range ag.B.Cells {
		bCells[c.Name] = c
	}
	inA := map[string]bool{}
	for _, ca := range ag.A.Cells {
		inA[ca.Name] = true
		cb, ok := bCells[ca.Name]
		if !ok || ca.Test.N == 0 || cb.Test.N == 0 {
			ag.Cells = append(ag.Cells, oneSided(ca.Slug, note, ca.Test.Mean, cellMeanOf(cb), ca.Test.N > 0, ok && cb.Test.N > 0))
			continue
		}
		d := welch(ca.Test.Mean, ca.Test.SD, ca.Test.N, cb.Test.Mean, cb.Test.SD, cb.Test.N)
		d.Label = ca.Slug
		d.Seeds, d.Identical = identical(ca.Seeds, ca.TestBySeed, cb.Seeds, cb.TestBySeed)
		ag.Cells = append(ag.Cells, d)
	}
	for _, cb := range ag.B.Cells {
		if !inA[cb.Name] {
			ag.Cells = append(ag.Cells, oneSided(cb.Slug, note, nan, cb.Test.Mean, false, cb.Test.N > 0))
		}
	}
}

// cellMeanOf is a cell's mean test bpd, NaN for no cell.
func cellMeanOf(c *CellStats) float64 {
	if c == nil {
		return nan
	}
	return c.Test.Mean
}

func (ag *Agreement) compareContrasts() {
	const note = "not testable in both"
	key := func(c *Contrast) string { return c.Label + "|" + c.Quantity.Name }
	label := func(c *Contrast) string {
		if c.Quantity.Name != TestBPD.Name {
			return c.Label + " (" + c.Quantity.Label + ")"
		}
		return c.Label
	}
	bCon := map[string]*Contrast{}
	for _, fam := range ag.B.Families() {
		for _, c := range fam {
			bCon[key(c)] = c
		}
	}
	inA := map[string]bool{}
	for _, fam := range ag.A.Families() {
		for _, ca := range fam {
			inA[key(ca)] = true
			cb, ok := bCon[key(ca)]
			if !ok || ca.N < 2 || cb.N < 2 {
				bMean := nan
				if ok {
					bMean = cb.Mean
				}
				ag.Contrasts = append(ag.Contrasts, oneSided(label(ca), note, ca.Mean, bMean, ca.N >= 2, ok && cb.N >= 2))
				continue
			}
			d := welch(ca.Mean, ca.SD, ca.N, cb.Mean, cb.SD, cb.N)
			d.Label = label(ca)
			d.Seeds, d.Identical = identical(ca.Seeds, ca.PerSeed, cb.Seeds, cb.PerSeed)
			ag.Contrasts = append(ag.Contrasts, d)
			if va, vb := verdictSign(ca), verdictSign(cb); va != vb {
				ag.Verdicts = append(ag.Verdicts, fmt.Sprintf("%s: %s in A, %s in B", label(ca), verdictWord(ca), verdictWord(cb)))
			}
		}
	}
	for _, fam := range ag.B.Families() {
		for _, cb := range fam {
			if !inA[key(cb)] {
				ag.Contrasts = append(ag.Contrasts, oneSided(label(cb), note, nan, cb.Mean, false, cb.N >= 2))
			}
		}
	}
}

// welch is A − B with its standard error and Welch–Satterthwaite degrees of freedom (rounded
// down); familyWise sets the interval.
func welch(ma, sa float64, na int, mb, sb float64, nb int) Diff {
	d := Diff{A: ma, B: mb, Diff: ma - mb, Lo: nan, Hi: nan}
	if na < 2 || nb < 2 {
		d.Note = "fewer than 2 seeds"
		return d
	}
	va, vb := sa*sa/float64(na), sb*sb/float64(nb)
	se := math.Sqrt(va + vb)
	df := 1.0
	if va+vb > 0 {
		df = (va + vb) * (va + vb) / (va*va/float64(na-1) + vb*vb/float64(nb-1))
	}
	d.se, d.df = se, max(1, int(math.Floor(df)))
	return d
}

// familyWise turns the held se and df of every testable diff into a Bonferroni interval over the
// table and decides Within.
func familyWise(ds []Diff) {
	m := 0
	for _, d := range ds {
		if d.df > 0 {
			m++
		}
	}
	level := 1 - stats.Alpha/float64(max(m, 1))
	for i := range ds {
		d := &ds[i]
		if d.df == 0 {
			continue
		}
		h := stats.TQuantile(1-(1-level)/2, d.df) * d.se
		d.Lo, d.Hi, d.Level = d.Diff-h, d.Diff+h, level
		d.Within = d.Lo <= 0 && d.Hi >= 0
	}
}

// identical counts the seeds two value lists share and those with bit-identical values.
func identical(sa []uint64, va []float64, sb []uint64, vb []float64) (both, same int) {
	byB := map[uint64]float64{}
	for i, s := range sb {
		byB[s] = vb[i]
	}
	for i, s := range sa {
		if v, ok := byB[s]; ok {
			both++
			if v == va[i] {
				same++
			}
		}
	}
	return both, same
}

func verdictSign(c *Contrast) int {
	switch {
	case !c.Claimed():
		return 0
	case c.Mean > 0:
		return 1
	}
	return -1
}

func verdictWord(c *Contrast) string {
	switch verdictSign(c) {
	case 1:
		return "a positive difference claimed"
	case -1:
		return "a negative difference claimed"
	}
	return "no difference claimed"
}

// Markdown is the comparison as Markdown: a summary line, then the cells and the contrasts.
func (ag *Agreement) Markdown(nameA, nameB string) string {
	var b strings.Builder
	within, testable := 0, 0
	for _, d := range append(append([]Diff(nil), ag.Cells...), ag.Contrasts...) {
		if !math.IsNaN(d.Lo) {
			testable++
			if d.Within {
				within++
			}
		}
	}
	fmt.Fprintf(&b, "A is %s, B is %s. %d of %d differences (cells and contrasts) are within seed noise (a Welch interval over the two sets' seeds, family-wise 95%% over each table, contains 0)",
		nameA, nameB, within, testable)
	if len(ag.Verdicts) == 0 {
		fmt.Fprintf(&b, ", and every contrast has the same verdict in both: the answers agree.\n\n")
	} else {
		fmt.Fprintf(&b, "; the verdicts differ for %d contrast(s): %s.\n\n", len(ag.Verdicts), strings.Join(ag.Verdicts, "; "))
	}
	b.WriteString(diffTable("cell (test bpd)", ag.Cells))
	b.WriteString("\n")
	b.WriteString(diffTable("contrast (per-seed mean)", ag.Contrasts))
	return b.String()
}

func diffTable(first string, ds []Diff) string {
	header := []string{first, "A", "B", "A − B", "interval", "within seed noise", "seeds identical"}
	var rows [][]string
	for _, d := range ds {
		within := "yes"
		switch {
		case math.IsNaN(d.Lo):
			within = d.Note
		case !d.Within:
			within = "**no**"
		}
		ident := "–"
		if d.Seeds > 0 {
			ident = fmt.Sprintf("%d of %d", d.Identical, d.Seeds)
		}
		rows = append(rows, []string{d.Label, fmtNum(d.A, 4), fmtNum(d.B, 4), signed(d.Diff), ciText(d.Lo, d.Hi, 4), within, ident})
	}
	return markdown(header, rows)
}

// CompareDirs is the Markdown comparison of the results directories a and b (squeezebench
// compare): per cell and per contrast, A − B and whether it is within seed noise. Directories of
// two experiments are compared by cell and contrast names, with a warning.
func CompareDirs(a, b string, warn func(string)) (string, error) {
	da, err := Load(a)
	if err != nil {
		return "", err
	}
	db, err := Load(b)
	if err != nil {
		return "", err
	}
	if da.Experiment.Name != db.Experiment.Name {
		warn(fmt.Sprintf("%s is of experiment %q, %s of %q: cells and contrasts are matched by name", a, da.Experiment.Name, b, db.Experiment.Name))
	}
	ag := Compare(Analyze(da), Analyze(db))
	return fmt.Sprintf("# squeezebench compare\n\n%s", ag.Markdown("`"+a+"`", "`"+b+"`")), nil
}
