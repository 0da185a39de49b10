package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"squeezebench/variants"
)

// SettingCurve is one variant contrast traced against an ordered numeric setting of the grid
// (a model size, a number of epochs, a learning rate): the contrast within each level of the
// setting, seed by seed like every contrast.
type SettingCurve struct {
	Setting variants.Axis
	Main    *Contrast   // the variant axis's main effect it follows
	X       []float64   // the setting's values
	Points  []*Contrast // the contrast at each value
}

// numericLevels is the levels of axis a as numbers, when they all are.
func (d *Data) numericLevels(a variants.Axis) ([]float64, bool) {
	var out []float64
	for _, l := range d.Levels[a] {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
	}
	return out, len(out) > 1
}

// settingCurves traces every variant axis's main effects against every numeric setting axis; all
// points are one family.
func (an *Analysis) settingCurves() []*SettingCurve {
	d := an.Data
	var out []*SettingCurve
	for _, s := range d.Experiment.Settings {
		xs, ok := d.numericLevels(s)
		if !ok {
			continue
		}
		for _, m := range an.Main {
			if variants.Default(m.Axis) == "" {
				continue // a setting's own effect: the main effects already have it
			}
			sc := &SettingCurve{Setting: s, Main: m, X: xs}
			for _, l := range d.Levels[s] {
				c := &Contrast{Kind: "by-setting", Axis: m.Axis, Ref: m.Ref, Alt: m.Alt, Given: fmt.Sprintf("%s=%s", s, l), Quantity: m.Quantity,
					Label: fmt.Sprintf("%s | %s=%s", m.Label, s, l)}
				for _, t := range m.Terms {
					at := map[variants.Axis]string{s: l}
					for k, v := range t.At {
						at[k] = v
					}
					c.Terms = append(c.Terms, Term{At: at, Sign: t.Sign})
				}
				an.compute(c)
				sc.Points = append(sc.Points, c)
			}
			out = append(out, sc)
		}
	}
	var all []*Contrast
	for _, sc := range out {
		all = append(all, sc.Points...)
	}
	adjust(all)
	return out
}

// Words says the curve in one line: the effect at each value, and where a difference is claimed.
func (sc *SettingCurve) Words() string {
	var parts []string
	for i, c := range sc.Points {
		mark := ""
		if c.Claimed() {
			mark = " (claimed)"
		}
		parts = append(parts, fmt.Sprintf("%s at %s = %s: %s bpd, %s CI %s to %s%s", sc.Main.Axis, sc.Setting, strconv.FormatFloat(sc.X[i], 'g', -1, 64),
			signed(c.Mean), levelText(c.Level), signed(c.Lo), signed(c.Hi), mark))
	}
	return strings.Join(parts, "; ")
}

// SettingFigure draws every setting curve: the contrast (mean and family-wise interval over
// seeds) against the setting's value.
func (an *Analysis) SettingFigure() ([]byte, error) {
	if len(an.BySetting) == 0 {
		return nil, nil
	}
	var plots []*plot.Plot
	for _, sc := range an.BySetting {
		p := newPlot(sc.Main.Label, string(sc.Setting), "difference in bpd")
		p.Title.TextStyle.Font.Size = vg.Points(9)
		var pts plotter.XYs
		var e yerr
		for i, c := range sc.Points {
			if c.N < 2 || math.IsNaN(c.Mean) {
				continue
			}
			pts = append(pts, plotter.XY{X: sc.X[i], Y: c.Mean})
			e.xys = append(e.xys, plotter.XY{X: sc.X[i], Y: c.Mean})
			e.errs = append(e.errs, struct{ Low, High float64 }{c.Mean - c.Lo, c.Hi - c.Mean})
		}
		if len(pts) == 0 {
			continue
		}
		if l, s, err := plotter.NewLinePoints(pts); err == nil {
			l.Color, l.Width, s.GlyphStyle.Color = colorOf(0), vg.Points(1.5), colorOf(0)
			p.Add(l, s)
		}
		if eb, err := plotter.NewYErrorBars(e); err == nil {
			eb.LineStyle.Width, eb.CapWidth = vg.Points(1), vg.Points(6)
			p.Add(eb)
		}
		zero, _ := plotter.NewLine(plotter.XYs{{X: sc.X[0], Y: 0}, {X: sc.X[len(sc.X)-1], Y: 0}})
		zero.Color, zero.Dashes = colorOf(3), []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(zero)
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return nil, nil
	}
	grid, cols, rows := tile(plots, 3)
	return encodePNG(grid, vg.Length(cols)*4*vg.Inch, vg.Length(rows)*3.2*vg.Inch)
}

type yerr struct {
	xys  plotter.XYs
	errs plotter.YErrors
}

func (e yerr) Len() int                        { return len(e.xys) }
func (e yerr) XY(i int) (float64, float64)     { return e.xys[i].X, e.xys[i].Y }
func (e yerr) YError(i int) (float64, float64) { return e.errs[i].Low, e.errs[i].High }
