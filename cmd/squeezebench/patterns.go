package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"squeezebench/flow"
	"squeezebench/variants"
)

// patterns: the atlas. For every cell of a grid it traces the 28x28 image through the model's
// layers (flow.Trace) and draws, for every coupling and the split, each image pixel's role; it
// draws the channel order of every squeeze on labelled 4x4 and 2x4x4 examples; it writes the
// same as data (patterns.json) and the structural facts computed from it (facts.md).
func runPatterns(args []string) error {
	fs := flag.NewFlagSet("patterns", flag.ContinueOnError)
	out := fs.String("out", filepath.Join("results", "patterns"), "output directory")
	axes := map[variants.Axis]*string{}
	for _, a := range variants.Axes() {
		axes[a] = fs.String(string(a), "", fmt.Sprintf("comma-separated %s variants (default: all registered: %s)", a, strings.Join(variants.Names(a), ", ")))
	}
	noFacts := fs.Bool("no-facts", false, "skip facts.md (the facts build and run small float64 models: a few seconds)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	choices := map[variants.Axis][]string{}
	for _, a := range variants.Axes() {
		names := defaultFirst(a)
		if *axes[a] != "" {
			names = strings.Split(*axes[a], ",")
		}
		for _, n := range names {
			if _, err := variants.Lookup(a, n); err != nil {
				return err
			}
		}
		choices[a] = names
	}
	cells := variants.Grid(choices)
	if err := os.MkdirAll(filepath.Join(*out, "cells"), 0o755); err != nil {
		return err
	}
	atlas, err := traceCells(cells, mnistShape)
	if err != nil {
		return err
	}
	for _, ct := range atlas {
		if err := drawCell(ct, mnistShape).save(filepath.Join(*out, "cells", ct.cell.Slug()+".png")); err != nil {
			return err
		}
	}
	if err := drawAtlas(atlas, mnistShape).save(filepath.Join(*out, "atlas.png")); err != nil {
		return err
	}
	if err := drawSqueezes(choices[variants.Squeeze]).save(filepath.Join(*out, "squeezes.png")); err != nil {
		return err
	}
	pj, err := patternsJSON(atlas, choices, mnistShape)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "patterns.json"), pj, 0o644); err != nil {
		return err
	}
	wrote := fmt.Sprintf("atlas.png, squeezes.png, cells/*.png (%d), patterns.json", len(atlas))
	if !*noFacts {
		md, err := factsMarkdown(atlas, choices)
		if err != nil {
			return fmt.Errorf("facts: %w", err)
		}
		if err := os.WriteFile(filepath.Join(*out, "facts.md"), []byte(md), 0o644); err != nil {
			return err
		}
		wrote += ", facts.md"
	}
	fmt.Printf("%d cells; wrote %s in %s\n", len(atlas), wrote, *out)
	return nil
}

// defaultFirst lists the registered variants of a with the default first.
func defaultFirst(a variants.Axis) []string {
	out := []string{variants.Default(a)}
	for _, n := range variants.Names(a) {
		if n != out[0] {
			out = append(out, n)
		}
	}
	return out
}

// cellTrace is one cell's arch traced from the image.
type cellTrace struct {
	cell   variants.Cell
	arch   flow.Arch
	layers []flow.TracedLayer
}

// patternSizes are the sizes of the traced archs: the patterns do not depend on them.
var patternSizes = flow.Sizes{Stage: [3]int{1, 1, 1}, GatedLayers: 1}

func traceCells(cells []variants.Cell, in flow.Shape) ([]cellTrace, error) {
	var out []cellTrace
	for _, c := range cells {
		a, err := c.Arch(in, patternSizes)
		if err != nil {
			return nil, err
		}
		out = append(out, cellTrace{cell: c, arch: a, layers: flow.Trace(a)})
	}
	return out, nil
}

// panels are the layers drawn for a cell: its couplings and splits, in model order.
func (ct cellTrace) panels() []flow.TracedLayer {
	var out []flow.TracedLayer
	for _, t := range ct.layers {
		switch t.Layer.(type) {
		case flow.Coupling, flow.Split:
			out = append(out, t)
		}
	}
	return out
}

// mixedBefore reports whether the layer before panel t (in ct) is an InvConv.
func (ct cellTrace) mixedBefore(t flow.TracedLayer) bool {
	for i, l := range ct.layers {
		if l.Layer.Label() == t.Layer.Label() && i > 0 {
			_, ok := ct.layers[i-1].Layer.(flow.InvConv)
			return ok
		}
	}
	return false
}

var roleColors = map[byte]color.RGBA{
	flow.RoleConditions:  rgb(0x1f4e9a), // blue
	flow.RoleTransformed: rgb(0xf5a02b), // orange
	flow.RoleKept:        rgb(0x2e8b57), // green
	flow.RoleFactored:    rgb(0xd64545), // red
	flow.RoleMixed:       rgb(0xa98fd0), // lavender
	flow.RoleGone:        rgb(0xececec), // very light gray
}

var roleNames = []struct {
	role byte
	name string
}{
	{flow.RoleConditions, "conditions (network input)"},
	{flow.RoleTransformed, "transformed"},
	{flow.RoleKept, "kept by the split"},
	{flow.RoleFactored, "factored out to the prior"},
	{flow.RoleMixed, "both (mixed by a 1x1 conv)"},
	{flow.RoleGone, "factored out earlier"},
}

// layerCaption is the second title line of a panel: what kind of mask, on what shape.
func layerCaption(ct cellTrace, t flow.TracedLayer) string {
	switch l := t.Layer.(type) {
	case flow.Coupling:
		kind := flow.MaskKind(l)
		return fmt.Sprintf("%s %s", kind, l.Shape)
	case flow.Split:
		return fmt.Sprintf("%s -> %s", l.In, l.Kept)
	}
	return ""
}

// drawRoles draws the image-space roles of one layer at (x, y), scale pixels per image pixel,
// with faint lines between 2x2 blocks (the squeeze's blocks).
func drawRoles(c *canvas, x, y, scale int, img flow.Shape, roles []byte) {
	for h := 0; h < img.H; h++ {
		for w := 0; w < img.W; w++ {
			c.fill(x+w*scale, y+h*scale, scale, scale, roleColors[roles[img.Index(0, h, w)]])
		}
	}
	if scale >= 4 {
		line := color.RGBA{0xff, 0xff, 0xff, 0xff}
		for k := 2; k < img.W; k += 2 {
			c.fill(x+k*scale, y, 1, img.H*scale, line)
		}
		for k := 2; k < img.H; k += 2 {
			c.fill(x, y+k*scale, img.W*scale, 1, line)
		}
	}
	c.frame(x-1, y-1, img.W*scale+2, img.H*scale+2, gridGray)
}

// drawLegend draws the role colours in one row at (x, y) and returns the width used.
func drawLegend(c *canvas, x, y int, roles []byte) int {
	x0 := x
	for _, rn := range roleNames {
		if !strings.ContainsRune(string(roles), rune(rn.role)) {
			continue
		}
		c.fill(x, y+1, 11, 11, roleColors[rn.role])
		c.frame(x, y+1, 11, 11, gridGray)
		c.text(x+15, y, rn.name, black)
		x += 15 + len(rn.name)*textW + 18
	}
	return x - x0
}

func usedRoles(atlas []cellTrace, img flow.Shape) []byte {
	seen := map[byte]bool{}
	for _, ct := range atlas {
		for _, t := range ct.panels() {
			for _, r := range t.ImageRoles(img) {
				seen[r] = true
			}
		}
	}
	var out []byte
	for _, rn := range roleNames {
		if seen[rn.role] {
			out = append(out, rn.role)
		}
	}
	return out
}

// drawCell is one cell's figure: a panel per coupling and split in model order, 28x28 each.
func drawCell(ct cellTrace, img flow.Shape) *canvas {
	const scale, gap, margin = 5, 14, 12
	panels := ct.panels()
	pw := img.W * scale
	width := margin*2 + len(panels)*pw + (len(panels)-1)*gap
	top := margin + 2*textH + 10
	height := top + 3*textH + 8 + img.H*scale + 12 + textH + margin + textH + 4
	width = max(width, 2*margin+100*textW)
	c := newCanvas(width, height)
	c.text(margin, margin, "cell "+ct.cell.String(), black)
	c.text(margin, margin+textH+2, "each panel: the 28x28 image; colour = the role of the variable(s) made from that pixel in that layer", darkGray)
	for i, t := range panels {
		x := margin + i*(pw+gap)
		c.centered(x, top, pw, t.Layer.Label(), black)
		c.centered(x, top+textH+2, pw, layerCaption(ct, t), darkGray)
		if ct.mixedBefore(t) {
			c.centered(x, top+2*textH+4, pw, "after an invconv", darkGray)
		}
		drawRoles(c, x, top+3*textH+8, scale, img, t.ImageRoles(img))
	}
	drawLegend(c, margin, top+3*textH+8+img.H*scale+12, usedRoles([]cellTrace{ct}, img))
	c.text(margin, height-margin-textH+2, "model order, left to right (vardeq couplings omitted: they transform the noise, not the image; white lines: 2x2 squeeze blocks)", darkGray)
	return c
}

// drawAtlas stacks every cell's panels, one row per cell.
func drawAtlas(atlas []cellTrace, img flow.Shape) *canvas {
	const scale, gap, margin, labelW = 3, 8, 10, 44 * textW
	maxPanels := 0
	for _, ct := range atlas {
		maxPanels = max(maxPanels, len(ct.panels()))
	}
	pw, ph := img.W*scale, img.H*scale
	rowH := ph + 10
	head := margin + 2*textH + 8
	width := margin*2 + labelW + maxPanels*(pw+gap)
	height := head + len(atlas)*rowH + textH + 2*margin
	c := newCanvas(width, height)
	c.text(margin, margin, "squeezebench pattern atlas: the role of every image pixel in each coupling and split, per cell", black)
	if len(atlas) > 0 {
		for i, t := range atlas[0].panels() {
			c.centered(margin+labelW+i*(pw+gap)-gap/2, margin+textH+4, pw+gap, strings.TrimPrefix(strings.TrimPrefix(t.Layer.Label(), "stage"), "coupling"), darkGray)
		}
	}
	for r, ct := range atlas {
		y := head + r*rowH
		label := strings.ReplaceAll(ct.cell.String(), "squeeze=", "")
		label = strings.NewReplacer("split=", "", "coupling=", "", "mixing=", "", ",", " ").Replace(label)
		c.text(margin, y+(ph-textH)/2, label, black)
		for i, t := range ct.panels() {
			drawRoles(c, margin+labelW+i*(pw+gap), y, scale, img, t.ImageRoles(img))
		}
	}
	drawLegend(c, margin, height-margin-textH, usedRoles(atlas, img))
	return c
}

// squeezeExample is one labelled input of the squeeze figure.
type squeezeExample struct {
	in    flow.Shape
	title string
}

var squeezeExamples = []squeezeExample{
	{flow.Shape{C: 1, H: 4, W: 4}, "1x4x4 (C=1, the first squeeze of MNIST); label = 4h+w"},
	{flow.Shape{C: 2, H: 4, W: 4}, "2x4x4 (C=2, the second squeeze); label = 16c+4h+w, colour = input channel"},
}

var channelTint = []color.RGBA{rgb(0xcfe0f5), rgb(0xf8dcb4), rgb(0xd4ecd4), rgb(0xf0d0e0)}

// drawSqueezes draws, for each example, the labelled input and then, for each squeeze variant,
// every output channel as its 2x2 map of input labels.
func drawSqueezes(names []string) *canvas {
	const cell, margin, chGap = 24, 12, 10
	chW := 2 * cell
	maxCh := 0
	for _, ex := range squeezeExamples {
		maxCh = max(maxCh, 4*ex.in.C)
	}
	nameW := 12 * textW
	width := margin*2 + nameW + maxCh*(chW+chGap)
	for _, ex := range squeezeExamples { // the captions must fit too
		width = max(width, margin*2+len("squeeze of a labelled "+ex.title)*textW)
	}
	blockH := 2*cell + 10
	height := margin
	for range squeezeExamples {
		height += textH + 6 + textH + 4 + 4*cell + 14 + textH + 4 + len(names)*blockH + 14
	}
	c := newCanvas(width, height+margin)
	y := margin
	for _, ex := range squeezeExamples {
		c.text(margin, y, "squeeze of a labelled "+ex.title, black)
		y += textH + 6
		plane := ex.in.H * ex.in.W
		for ch := 0; ch < ex.in.C; ch++ {
			x := margin + nameW + ch*(ex.in.W*cell+3*chGap)
			c.text(x, y, fmt.Sprintf("input channel %d", ch), darkGray)
			for h := 0; h < ex.in.H; h++ {
				for w := 0; w < ex.in.W; w++ {
					labelBox(c, x+w*cell, y+textH+4+h*cell, cell, fmt.Sprint(ch*plane+h*ex.in.W+w), channelTint[ch])
				}
			}
		}
		c.text(margin, y+textH+4+2*cell-textH/2, "input", black)
		y += textH + 4 + ex.in.H*cell + 14
		out := flow.Shape{C: 4 * ex.in.C, H: ex.in.H / 2, W: ex.in.W / 2}
		x0 := margin + nameW
		for k := 0; k < out.C; k++ {
			c.centered(x0+k*(chW+chGap), y, chW, fmt.Sprintf("ch %d", k), darkGray)
		}
		y += textH + 4
		for i, name := range names {
			by := y + i*blockH
			c.text(margin, by+cell-textH/2, name, black)
			sq, _ := variants.Squeezers.Lookup(name)
			idx := sq.Squeeze(ex.in)
			for k := 0; k < out.C; k++ {
				for h := 0; h < out.H; h++ {
					for w := 0; w < out.W; w++ {
						src := idx[out.Index(k, h, w)]
						labelBox(c, x0+k*(chW+chGap)+w*cell, by+h*cell, cell, fmt.Sprint(src), channelTint[src/plane%len(channelTint)])
					}
				}
			}
		}
		y += len(names)*blockH + 14
	}
	return c
}

func labelBox(c *canvas, x, y, size int, label string, fill color.RGBA) {
	c.fill(x, y, size, size, fill)
	c.frame(x, y, size, size, gridGray)
	if label != "" {
		c.text(x+(size-len(label)*textW)/2+1, y+(size-textH)/2, label, black)
	}
}

// patternsJSON is the atlas as data.
func patternsJSON(atlas []cellTrace, choices map[variants.Axis][]string, img flow.Shape) ([]byte, error) {
	type mapping struct {
		In      flow.Shape `json:"in"`
		Out     flow.Shape `json:"out"`
		InToOut [][6]int   `json:"in_to_out"` // (c, h, w) of the input -> (c, h, w) of the output
	}
	type splitMap struct {
		Split    string     `json:"split"`
		Squeeze  string     `json:"squeeze"`
		In       flow.Shape `json:"in"`
		Kept     flow.Shape `json:"kept"`
		InToKept [][6]int   `json:"in_to_kept"`   // (c, h, w) of the input -> (c, h, w) of the kept tensor
		Factored [][4]int   `json:"in_to_factor"` // (c, h, w) of the input -> position in the factored vector
	}
	type layer struct {
		Name  string     `json:"name"`
		Kind  string     `json:"kind"`
		In    flow.Shape `json:"in"`
		Out   flow.Shape `json:"out"`
		Image []string   `json:"image_roles,omitempty"` // one string per image row, one role letter per pixel
	}
	type cellJSON struct {
		Cell   string   `json:"cell"`
		Slug   string   `json:"slug"`
		Figure string   `json:"figure"`
		Layers []layer  `json:"layers"`
		Notes  []string `json:"notes,omitempty"`
	}
	doc := struct {
		Image    flow.Shape           `json:"image"`
		Roles    map[string]string    `json:"roles"`
		Squeezes map[string][]mapping `json:"squeezes"`
		Splits   []splitMap           `json:"splits"`
		Mixings  map[string]string    `json:"mixings"`
		Cells    []cellJSON           `json:"cells"`
	}{Image: img, Roles: map[string]string{}, Squeezes: map[string][]mapping{}, Mixings: map[string]string{}}
	for _, rn := range roleNames {
		doc.Roles[string(rn.role)] = rn.name
	}
	doc.Roles[string(flow.RolePassedThrough)] = "passes through"
	stageShapes := []flow.Shape{img, {C: 2 * img.C, H: img.H / 2, W: img.W / 2}}
	for _, name := range choices[variants.Squeeze] {
		sq, _ := variants.Squeezers.Lookup(name)
		for _, in := range append(append([]flow.Shape(nil), stageShapes...), squeezeExamples[0].in, squeezeExamples[1].in) {
			out := flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2}
			m := mapping{In: in, Out: out, InToOut: make([][6]int, in.Size())}
			for o, i := range sq.Squeeze(in) {
				m.InToOut[i] = cat6(coord(in, i), coord(out, o))
			}
			doc.Squeezes[name] = append(doc.Squeezes[name], m)
		}
		for _, sname := range choices[variants.Split] {
			sp, _ := variants.Splitters.Lookup(sname)
			in := flow.Shape{C: 4 * img.C, H: img.H / 2, W: img.W / 2}
			kept := flow.Shape{C: in.C / 2, H: in.H, W: in.W}
			keep, factor := sp.Split(in, sq)
			sm := splitMap{Split: sname, Squeeze: name, In: in, Kept: kept}
			for k, i := range keep {
				sm.InToKept = append(sm.InToKept, cat6(coord(in, i), coord(kept, k)))
			}
			for f, i := range factor {
				ci := coord(in, i)
				sm.Factored = append(sm.Factored, [4]int{ci[0], ci[1], ci[2], f})
			}
			doc.Splits = append(doc.Splits, sm)
		}
	}
	for _, name := range choices[variants.Mixing] {
		v, _ := variants.Lookup(variants.Mixing, name)
		doc.Mixings[name] = v.Doc + " (no element map: a 1x1 convolution makes every channel at a pixel a learnt linear mix of all channels there)"
	}
	for _, ct := range atlas {
		cj := cellJSON{Cell: ct.cell.String(), Slug: ct.cell.Slug(), Figure: "cells/" + ct.cell.Slug() + ".png"}
		for _, t := range ct.layers {
			l := layer{Name: t.Layer.Label(), Kind: flow.Kind(t.Layer), In: t.Layer.InShape(), Out: t.Layer.OutShape()}
			if _, ok := t.Layer.(flow.Permute); !ok {
				if _, ok := t.Layer.(flow.InvConv); !ok {
					roles := t.ImageRoles(img)
					for h := 0; h < img.H; h++ {
						l.Image = append(l.Image, string(roles[h*img.W:(h+1)*img.W]))
					}
				}
			}
			cj.Layers = append(cj.Layers, l)
		}
		doc.Cells = append(doc.Cells, cj)
	}
	js, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, err
	}
	// one line per array of numbers: the index maps stay readable and the file small
	return numberArray.ReplaceAllFunc(js, func(b []byte) []byte { return space.ReplaceAll(b, nil) }), nil
}

var (
	numberArray = regexp.MustCompile(`\[(\s*-?[0-9]+,)*\s*-?[0-9]+\s*\]`)
	space       = regexp.MustCompile(`\s+`)
)

func coord(s flow.Shape, i int) [3]int { return [3]int{i / (s.H * s.W), i / s.W % s.H, i % s.W} }

func cat6(a, b [3]int) [6]int { return [6]int{a[0], a[1], a[2], b[0], b[1], b[2]} }
