package report

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"squeezebench/runner"
	"squeezebench/variants"
)

// dpi of every PNG figure.
const dpi = 110

// palette: Tableau 10, distinct for up to 10 cells; beyond that, dashes tell lines apart.
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255},
}

func colorOf(i int) color.RGBA { return palette[i%len(palette)] }

func dashesOf(i int) []vg.Length {
	switch (i / len(palette)) % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return nil
}

func withAlpha(c color.RGBA, a uint8) color.NRGBA { return color.NRGBA{c.R, c.G, c.B, a} }

// Figure is a written figure: its file name (relative to the figures directory) and what it shows.
type Figure struct {
	File    string
	Caption string
}

// encodePNG renders plots tiled rows × cols into a PNG of the given size.
func encodePNG(plots [][]*plot.Plot, w, h vg.Length) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	if len(plots) == 1 && len(plots[0]) == 1 {
		plots[0][0].Draw(dc)
	} else {
		t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align(plots, t, dc)
		for j := range plots {
			for i, p := range plots[j] {
				p.Draw(canvases[j][i])
			}
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// curve is the mean, min and max over seeds of one quantity at each step.
type curve struct {
	x            []float64 // the evaluation steps, or their epochs
	mean, lo, hi []float64
}

// curves is the mean, min and max over the cell's ok seeds of f at every evaluation step, placed
// at its epoch when inEpochs.
func (an *Analysis) curves(cs *CellStats, f func(m runner.Metric) float64, inEpochs bool) curve {
	bystep := map[int][]float64{}
	epoch := map[int]float64{}
	for _, s := range cs.Seeds {
		r := an.byKey[runKey(cs.Cell, s)]
		for _, m := range r.Metrics {
			if v := f(m); !math.IsNaN(v) {
				bystep[m.Step] = append(bystep[m.Step], v)
				epoch[m.Step] = m.Epoch
			}
		}
	}
	var steps []int
	for s := range bystep {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	var c curve
	for _, s := range steps {
		vs := bystep[s]
		x := float64(s)
		if inEpochs {
			x = epoch[s]
		}
		if math.IsNaN(x) {
			continue // a step without its epoch (the figure's x is epochs)
		}
		c.x = append(c.x, x)
		sum := 0.0
		for _, v := range vs {
			sum += v
		}
		c.mean = append(c.mean, sum/float64(len(vs)))
		c.lo, c.hi = append(c.lo, slices.Min(vs)), append(c.hi, slices.Max(vs))
	}
	return c
}

// preciseTicks labels gonum's default ticks with as many decimals as their spacing needs (the
// default labels of a narrow bpd range repeat, e.g. "11, 11, 11").
var preciseTicks = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	step := math.Inf(1)
	prev := math.NaN()
	for _, t := range ticks {
		if t.Label == "" {
			continue
		}
		if !math.IsNaN(prev) {
			step = math.Min(step, t.Value-prev)
		}
		prev = t.Value
	}
	dec := 0
	if step > 0 && !math.IsInf(step, 0) {
		dec = max(0, int(math.Ceil(-math.Log10(step)+1e-9)))
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = fmtNum(ticks[i].Value, dec)
		}
	}
	return ticks
})

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.X.Tick.Marker, p.Y.Tick.Marker = preciseTicks, preciseTicks
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

// addCurve draws a mean line with markers and a min–max band in color col; it returns the line
// for a legend.
func addCurve(p *plot.Plot, c curve, col color.RGBA) *plotter.Line {
	band := make(plotter.XYs, 0, 2*len(c.x))
	line := make(plotter.XYs, len(c.x))
	for k := range c.x {
		band = append(band, plotter.XY{X: c.x[k], Y: c.hi[k]})
		line[k] = plotter.XY{X: c.x[k], Y: c.mean[k]}
	}
	for k := len(c.x) - 1; k >= 0; k-- {
		band = append(band, plotter.XY{X: c.x[k], Y: c.lo[k]})
	}
	if poly, err := plotter.NewPolygon(band); err == nil {
		poly.Color = withAlpha(col, 50)
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	l, err := plotter.NewLine(line)
	if err != nil {
		return nil
	}
	l.Color, l.Width = col, vg.Points(1.5)
	p.Add(l)
	if sc, err := plotter.NewScatter(line); err == nil {
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = col, vg.Points(2), draw.CircleGlyph{}
		p.Add(sc)
	}
	return l
}

// CurvesFigure is the learning curves as small multiples, one panel per model (twins share
// theirs): the bpd of the validation subset and of the training subset at every evaluation, with
// one estimator, mean over seeds with a min–max band; every panel on the same y range, which
// leaves out the first evaluations (before the bpd has fallen near its final level).
func (an *Analysis) CurvesFigure() ([]byte, error) {
	type panel struct {
		cs         *CellStats
		twins      []string
		val, train curve
	}
	var panels []*panel
	byModel := map[string]*panel{}
	inEpochs := an.curvesInEpochs()
	xlabel := "step"
	if inEpochs {
		xlabel = "epoch"
	}
	for _, cs := range an.Cells {
		if cs.Twin() {
			if p := byModel[cs.Model]; p != nil {
				p.twins = append(p.twins, cs.Slug)
			}
			continue
		}
		p := &panel{cs: cs,
			val:   an.curves(cs, func(m runner.Metric) float64 { return m.ValBPD }, inEpochs),
			train: an.curves(cs, func(m runner.Metric) float64 { return m.TrainEvalBPD }, inEpochs)}
		if len(p.val.x) == 0 {
			continue
		}
		byModel[cs.Name] = p
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return nil, nil
	}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		for _, c := range []curve{p.val, p.train} {
			last := c.x[len(c.x)-1]
			for k := range c.x {
				if c.x[k] >= 0.25*last || len(c.x) < 4 {
					ymin, ymax = math.Min(ymin, c.lo[k]), math.Max(ymax, c.hi[k])
				}
			}
		}
	}
	var plots []*plot.Plot
	for _, p := range panels {
		title := p.cs.Slug
		if len(p.twins) > 0 {
			title += " (= " + strings.Join(p.twins, ", ") + ")"
		}
		pl := newPlot(title, xlabel, "bpd")
		pl.Title.TextStyle.Font.Size = vg.Points(9)
		if l := addCurve(pl, p.train, colorOf(0)); l != nil {
			pl.Legend.Add("train subset", l)
		}
		if l := addCurve(pl, p.val, colorOf(1)); l != nil {
			pl.Legend.Add("validation", l)
		}
		pad := 0.05 * (ymax - ymin)
		pl.Y.Min, pl.Y.Max = ymin-pad, ymax+pad
		pl.Legend.Top = true
		pl.Legend.TextStyle.Font.Size = vg.Points(7)
		plots = append(plots, pl)
	}
	grid, cols, rows := tile(plots, 4)
	return encodePNG(grid, vg.Length(cols)*3.6*vg.Inch, vg.Length(rows)*3*vg.Inch)
}

// nominalY labels the rows 0..n-1 from the top.
func nominalY(p *plot.Plot, names []string) {
	var ticks []plot.Tick
	for i, n := range names {
		ticks = append(ticks, plot.Tick{Value: float64(len(names) - 1 - i), Label: n})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.7, float64(len(names))-0.3
}

type xerr struct {
	xys  plotter.XYs
	errs plotter.XErrors
}

func (e xerr) Len() int                        { return len(e.xys) }
func (e xerr) XY(i int) (float64, float64)     { return e.xys[i].X, e.xys[i].Y }
func (e xerr) XError(i int) (float64, float64) { return e.errs[i].Low, e.errs[i].High }

// forest draws one row per item: single values as grey dots, the mean as a black diamond and its
// interval as a bar.
func forest(p *plot.Plot, names []string, means, lo, hi []float64, points [][]float64) {
	nominalY(p, names)
	var dots plotter.XYs
	var e xerr
	for i := range names {
		y := float64(len(names) - 1 - i)
		for _, v := range points[i] {
			dots = append(dots, plotter.XY{X: v, Y: y})
		}
		if math.IsNaN(means[i]) {
			continue
		}
		l, h := 0.0, 0.0
		if !math.IsNaN(lo[i]) {
			l, h = means[i]-lo[i], hi[i]-means[i]
		}
		e.xys = append(e.xys, plotter.XY{X: means[i], Y: y})
		e.errs = append(e.errs, struct{ Low, High float64 }{l, h})
	}
	if len(dots) > 0 {
		if sc, err := plotter.NewScatter(dots); err == nil {
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = color.Gray{150}, vg.Points(2.5), draw.CircleGlyph{}
			p.Add(sc)
		}
	}
	if len(e.xys) > 0 {
		if eb, err := plotter.NewXErrorBars(e); err == nil {
			eb.LineStyle.Width, eb.CapWidth = vg.Points(1.5), vg.Points(8)
			p.Add(eb)
		}
		if sc, err := plotter.NewScatter(e.xys); err == nil {
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = color.Black, vg.Points(4), draw.PyramidGlyph{}
			p.Add(sc)
		}
	}
}

// TestFigure is the test bpd of every cell: seeds, mean and 95% CI.
func (an *Analysis) TestFigure() ([]byte, error) {
	p := newPlot("Test bpd per cell (grey: seeds; black: mean with 95% t CI; = marks a twin of the cell named)", "test bpd (lower is better)", "")
	var names []string
	var means, lo, hi []float64
	var pts [][]float64
	for _, c := range an.Cells {
		name := fmt.Sprintf("%s (%d/%d)", c.Slug, c.OK, c.Expected)
		if c.Twin() {
			name += " = " + c.ModelSlug
		}
		names = append(names, name)
		means, lo, hi = append(means, c.Test.Mean), append(lo, c.Test.Lo), append(hi, c.Test.Hi)
		pts = append(pts, c.TestBySeed)
	}
	forest(p, names, means, lo, hi, pts)
	return encodePNG([][]*plot.Plot{{p}}, 9*vg.Inch, vg.Length(1.3+0.4*float64(len(names)))*vg.Inch)
}

// EffectsFigure is the forest plot of one family of contrasts (main effects, interactions or
// hypothesis tests): the per-seed values (grey) and the mean with its family-wise interval
// (black); nil when the family is empty.
func EffectsFigure(fam []*Contrast, title string) ([]byte, error) {
	if len(fam) == 0 {
		return nil, nil
	}
	xlabel := "difference in bpd (> 0: the first level named is higher, i.e. worse)"
	if fam[0].Kind == "interaction" {
		xlabel = "difference of differences in bpd (> 0: the first difference is larger at the second axis' first-named level)"
	}
	p := newPlot(title+fmt.Sprintf(" (grey: one value per seed; black: mean, %s interval; *: claimed)", levelText(fam[0].Level)), xlabel, "")
	var names []string
	var means, lo, hi []float64
	var pts [][]float64
	for _, c := range fam {
		name := c.Label
		switch {
		case c.Kind == "interaction":
			name = fmt.Sprintf("%s × %s: %s−%s by %s−%s", c.Axis, c.Axis2, c.Alt, c.Ref, c.Alt2, c.Ref2)
		case c.Quantity.Name != TestBPD.Name:
			name = fmt.Sprintf("%s: %s − %s (%s)", c.Axis, c.Alt, c.Ref, c.Quantity.Label)
		}
		if c.Claimed() {
			name += " *"
		}
		names = append(names, name)
		means, lo, hi = append(means, c.Mean), append(lo, c.Lo), append(hi, c.Hi)
		pts = append(pts, c.PerSeed)
	}
	forest(p, names, means, lo, hi, pts)
	zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.7}, {X: 0, Y: float64(len(names)) - 0.3}})
	zero.Color, zero.Dashes = color.RGBA{200, 0, 0, 255}, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(zero)
	return encodePNG([][]*plot.Plot{{p}}, 11*vg.Inch, vg.Length(1.5+0.45*float64(len(names)))*vg.Inch)
}

// TraceFigure is every traced main effect and hypothesis test over training; see traceFigure.
func (an *Analysis) TraceFigure() ([]byte, error) {
	return traceFigure(slices.DeleteFunc(slices.Clone(an.Traces), isInteraction))
}

// InteractionTraceFigure is every traced interaction over training; see traceFigure.
func (an *Analysis) InteractionTraceFigure() ([]byte, error) {
	return traceFigure(slices.DeleteFunc(slices.Clone(an.Traces), func(t *Trace) bool { return !isInteraction(t) }))
}

func isInteraction(t *Trace) bool { return t.Contrast.Kind == "interaction" }

// traceFigure draws traces over training, one small panel each: the mean over seeds of the
// per-seed values at every evaluation with its adjusted interval as a band, the per-seed values
// as grey dots, and zero; a filled marker where a difference is claimed.
func traceFigure(traces []*Trace) ([]byte, error) {
	if len(traces) == 0 {
		return nil, nil
	}
	var plots []*plot.Plot
	for _, t := range traces {
		c := t.Contrast
		title := c.Label
		switch c.Kind {
		case "gap":
			title = fmt.Sprintf("%s: %s − %s, %s", c.Axis, c.Alt, c.Ref, t.Label)
		case "interaction":
			title = c.pairName()
		}
		xlabel, xOf := t.axis()
		p := newPlot(title, xlabel, "difference in bpd")
		p.Title.TextStyle.Font.Size = vg.Points(9)
		var mean, band, dots, claimed plotter.XYs
		for i := range t.Steps {
			pt := t.Points[i]
			if pt.N < 2 {
				continue
			}
			x := xOf(i)
			mean = append(mean, plotter.XY{X: x, Y: pt.Mean})
			band = append(band, plotter.XY{X: x, Y: pt.Hi})
			for _, v := range pt.Values {
				dots = append(dots, plotter.XY{X: x, Y: v})
			}
			if pt.Claimed() {
				claimed = append(claimed, plotter.XY{X: x, Y: pt.Mean})
			}
		}
		for i := len(t.Steps) - 1; i >= 0; i-- {
			if pt := t.Points[i]; pt.N >= 2 {
				band = append(band, plotter.XY{X: xOf(i), Y: pt.Lo})
			}
		}
		if len(mean) == 0 {
			continue
		}
		if poly, err := plotter.NewPolygon(band); err == nil {
			poly.Color = withAlpha(colorOf(0), 60)
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		if sc, err := plotter.NewScatter(dots); err == nil {
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = color.Gray{160}, vg.Points(1.5), draw.CircleGlyph{}
			p.Add(sc)
		}
		if l, err := plotter.NewLine(mean); err == nil {
			l.Color, l.Width = colorOf(0), vg.Points(1.5)
			p.Add(l)
		}
		if len(claimed) > 0 {
			if sc, err := plotter.NewScatter(claimed); err == nil {
				sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = color.Black, vg.Points(3), draw.CircleGlyph{}
				p.Add(sc)
			}
		}
		zero, _ := plotter.NewLine(plotter.XYs{{X: mean[0].X, Y: 0}, {X: mean[len(mean)-1].X, Y: 0}})
		zero.Color, zero.Dashes = color.RGBA{200, 0, 0, 255}, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(zero)
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return nil, nil
	}
	grid, cols, rows := tile(plots, 3)
	return encodePNG(grid, vg.Length(cols)*4*vg.Inch, vg.Length(rows)*3.2*vg.Inch)
}

// cellMean is the mean test bpd over ok runs of the cells matching at (all seeds, all levels of
// the other axes).
func (an *Analysis) cellMean(at map[variants.Axis]string) (float64, int) {
	sum, n := 0.0, 0
	for _, r := range an.Data.Runs {
		if !r.OK() {
			continue
		}
		match := true
		for a, v := range at {
			if r.Cell.Get(a) != v {
				match = false
			}
		}
		if match {
			sum += r.Result.TestBPD
			n++
		}
	}
	if n == 0 {
		return nan, 0
	}
	return sum / float64(n), n
}

// InteractionFigure is the classic interaction plot for every pair of varied axes: mean test bpd
// at each level of the first axis, one line per level of the second.
func (an *Analysis) InteractionFigure() ([]byte, error) {
	var plots []*plot.Plot
	for i, a := range an.Varied {
		for _, b := range an.Varied[i+1:] {
			p := newPlot(fmt.Sprintf("%s × %s", a, b), string(a), "mean test bpd")
			la := an.Data.Levels[a]
			p.NominalX(la...)
			p.X.Min, p.X.Max = -0.3, float64(len(la))-0.7
			for k, lb := range an.Data.Levels[b] {
				var xys plotter.XYs
				for j, l := range la {
					if m, n := an.cellMean(map[variants.Axis]string{a: l, b: lb}); n > 0 {
						xys = append(xys, plotter.XY{X: float64(j), Y: m})
					}
				}
				if len(xys) == 0 {
					continue
				}
				l, s, err := plotter.NewLinePoints(xys)
				if err != nil {
					continue
				}
				l.Color, l.Width = colorOf(k), vg.Points(2)
				s.GlyphStyle.Color, s.GlyphStyle.Radius = colorOf(k), vg.Points(3.5)
				p.Add(l, s)
				p.Legend.Add(fmt.Sprintf("%s=%s", b, lb), l, s)
			}
			p.Legend.Top = true
			// Room above the lines for the legend.
			if lo, hi := dataY(p); !math.IsNaN(lo) {
				r := math.Max(hi-lo, 1e-3)
				p.Y.Min, p.Y.Max = lo-0.1*r, hi+0.45*r
			}
			plots = append(plots, p)
		}
	}
	if len(plots) == 0 {
		return nil, nil
	}
	grid, cols, rows := tile(plots, 3)
	return encodePNG(grid, vg.Length(cols)*4.5*vg.Inch, vg.Length(rows)*4*vg.Inch)
}

// SamplesFigure tiles one seed's samples.png of every cell (the first ok seed), titled by cell.
func (an *Analysis) SamplesFigure() ([]byte, error) {
	var plots []*plot.Plot
	for _, cs := range an.Cells {
		if len(cs.Seeds) == 0 {
			continue
		}
		seed := cs.Seeds[0]
		path := filepath.Join(an.Data.Dir, "runs", cs.Slug, fmt.Sprintf("seed-%d", seed), "samples.png")
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			continue
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s (seed %d)", cs.Slug, seed)
		p.Title.TextStyle.Font.Size = vg.Points(10)
		b := img.Bounds()
		p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
		p.HideAxes()
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return nil, nil
	}
	grid, cols, rows := tile(plots, 4)
	return encodePNG(grid, vg.Length(cols)*3.2*vg.Inch, vg.Length(rows)*3.4*vg.Inch)
}

// tile lays plots out row by row, at most maxCols to a row, padding the last row with blanks.
func tile(plots []*plot.Plot, maxCols int) (grid [][]*plot.Plot, cols, rows int) {
	cols = min(maxCols, len(plots))
	rows = (len(plots) + cols - 1) / cols
	grid = make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if k := r*cols + c; k < len(plots) {
				grid[r][c] = plots[k]
			} else {
				grid[r][c] = blank()
			}
		}
	}
	return grid, cols, rows
}

func blank() *plot.Plot {
	p := plot.New()
	p.HideAxes()
	return p
}

// dataY is the y range of the plot's data (Add widens the axes to it); NaN without data.
func dataY(p *plot.Plot) (lo, hi float64) {
	if p.Y.Min > p.Y.Max || math.IsInf(p.Y.Min, 0) {
		return nan, nan
	}
	return p.Y.Min, p.Y.Max
}
