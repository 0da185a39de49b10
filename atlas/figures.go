package atlas

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"squeezebench/flow"
	"squeezebench/variants"
)

var roleColors = map[byte]color.RGBA{
	flow.RoleConditions:  rgb(0x1f4e9a), // blue
	flow.RoleTransformed: rgb(0xf5a02b), // orange
	flow.RoleKept:        rgb(0x2e8b57), // green
	flow.RoleFactored:    rgb(0xd64545), // red
	flow.RoleMixed:       rgb(0xa98fd0), // lavender
	flow.RoleGone:        rgb(0xececec), // very light gray
}

// roleNames are the roles a panel shows, in legend order, with what the legend and
// patterns.json call them.
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

// caption is the second title line of a panel: what kind of mask, on what shape.
func caption(l LayerPattern) string {
	if l.Mask != "" {
		return fmt.Sprintf("%s %s", l.Mask, l.In)
	}
	return fmt.Sprintf("%s -> %s", l.In, l.Out)
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

// drawLegend draws the role colours in one row at (x, y).
func drawLegend(c *canvas, x, y int, roles []byte) {
	for _, rn := range roleNames {
		if !strings.ContainsRune(string(roles), rune(rn.role)) {
			continue
		}
		c.fill(x, y+1, 11, 11, roleColors[rn.role])
		c.frame(x, y+1, 11, 11, gridGray)
		c.text(x+15, y, rn.name, black)
		x += 15 + len(rn.name)*textW + 18
	}
}

// usedRoles are the roles any panel of the cells shows, in legend order.
func usedRoles(cells []CellPattern) []byte {
	seen := map[byte]bool{}
	for _, cp := range cells {
		for _, l := range cp.Panels() {
			for _, r := range l.Roles {
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

// CellFigurePath is where a cell's figure goes, relative to the atlas directory. A cell's
// settings (compute.precision, a network size) do not change its masks and splits, so cells that
// differ only in settings share the figure of their axes.
func CellFigurePath(c variants.Cell) string { return "cells/" + c.WithoutSettings().Slug() + ".png" }

// CellFigure is one cell's figure: a panel per coupling and split in model order, the image at
// 5 pixels per pixel in each.
func CellFigure(cp CellPattern, img flow.Shape) image.Image {
	const scale, gap, margin = 5, 14, 12
	panels := cp.Panels()
	pw := img.W * scale
	width := margin*2 + len(panels)*pw + (len(panels)-1)*gap
	top := margin + 2*textH + 10
	height := top + 3*textH + 8 + img.H*scale + 12 + textH + margin + textH + 4
	width = max(width, 2*margin+100*textW)
	c := newCanvas(width, height)
	c.text(margin, margin, "cell "+cp.Cell.String(), black)
	c.text(margin, margin+textH+2, "each panel: the 28x28 image; colour = the role of the variable(s) made from that pixel in that layer", darkGray)
	for i, l := range panels {
		x := margin + i*(pw+gap)
		c.centered(x, top, pw, l.Name, black)
		c.centered(x, top+textH+2, pw, caption(l), darkGray)
		if l.AfterMix {
			c.centered(x, top+2*textH+4, pw, "after an invconv", darkGray)
		}
		drawRoles(c, x, top+3*textH+8, scale, img, l.Roles)
	}
	drawLegend(c, margin, top+3*textH+8+img.H*scale+12, usedRoles([]CellPattern{cp}))
	c.text(margin, height-margin-textH+2, "model order, left to right (vardeq couplings omitted: they transform the noise, not the image; white lines: 2x2 squeeze blocks)", darkGray)
	return c.img
}

// AtlasFigure stacks every cell's panels, one row per cell.
func AtlasFigure(cells []CellPattern, img flow.Shape) image.Image {
	const scale, gap, margin, labelW = 3, 8, 10, 44 * textW
	maxPanels := 0
	for _, cp := range cells {
		maxPanels = max(maxPanels, len(cp.Panels()))
	}
	pw, ph := img.W*scale, img.H*scale
	rowH := ph + 10
	head := margin + 2*textH + 8
	width := margin*2 + labelW + maxPanels*(pw+gap)
	height := head + len(cells)*rowH + textH + 2*margin
	c := newCanvas(width, height)
	c.text(margin, margin, "squeezebench pattern atlas: the role of every image pixel in each coupling and split, per cell", black)
	if len(cells) > 0 {
		for i, l := range cells[0].Panels() {
			c.centered(margin+labelW+i*(pw+gap)-gap/2, margin+textH+4, pw+gap, strings.TrimPrefix(strings.TrimPrefix(l.Name, "stage"), "coupling"), darkGray)
		}
	}
	for r, cp := range cells {
		y := head + r*rowH
		c.text(margin, y+(ph-textH)/2, strings.Join(cp.Cell.Values(), " "), black)
		for i, l := range cp.Panels() {
			drawRoles(c, margin+labelW+i*(pw+gap), y, scale, img, l.Roles)
		}
	}
	drawLegend(c, margin, height-margin-textH, usedRoles(cells))
	return c.img
}

// exampleTitles caption the squeeze figure's examples (Examples, in order).
var exampleTitles = []string{
	"1x4x4 (C=1, the first squeeze of MNIST); label = 4h+w",
	"2x4x4 (C=2, the second squeeze); label = 16c+4h+w, colour = input channel",
}

var channelTint = []color.RGBA{rgb(0xcfe0f5), rgb(0xf8dcb4), rgb(0xd4ecd4), rgb(0xf0d0e0)}

// SqueezeFigure draws, for each worked example, the labelled input and then, for each squeeze,
// every output channel as its 2x2 map of input labels.
func SqueezeFigure(squeezes []SqueezeTables) image.Image {
	const cell, margin, chGap = 24, 12, 10
	chW := 2 * cell
	maxCh := 0
	for _, ex := range Examples {
		maxCh = max(maxCh, 4*ex.C)
	}
	nameW := 12 * textW
	width := margin*2 + nameW + maxCh*(chW+chGap)
	for _, title := range exampleTitles { // the captions must fit too
		width = max(width, margin*2+len("squeeze of a labelled "+title)*textW)
	}
	blockH := 2*cell + 10
	height := margin
	for range Examples {
		height += textH + 6 + textH + 4 + 4*cell + 14 + textH + 4 + len(squeezes)*blockH + 14
	}
	c := newCanvas(width, height+margin)
	y := margin
	for e, in := range Examples {
		c.text(margin, y, "squeeze of a labelled "+exampleTitles[e], black)
		y += textH + 6
		drawLabelledInput(c, margin+nameW, y, cell, chGap, in)
		c.text(margin, y+textH+4+2*cell-textH/2, "input", black)
		y += textH + 4 + in.H*cell + 14
		out := flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2}
		x0 := margin + nameW
		for k := 0; k < out.C; k++ {
			c.centered(x0+k*(chW+chGap), y, chW, fmt.Sprintf("ch %d", k), darkGray)
		}
		y += textH + 4
		for i, s := range squeezes {
			by := y + i*blockH
			c.text(margin, by+cell-textH/2, s.Name, black)
			t, _ := s.Table(in)
			drawSqueezedChannels(c, x0, by, cell, chW+chGap, t)
		}
		y += len(squeezes)*blockH + 14
	}
	return c.img
}

// drawLabelledInput draws every channel of in with each element labelled by its flat index.
func drawLabelledInput(c *canvas, x0, y, cell, chGap int, in flow.Shape) {
	plane := in.H * in.W
	for ch := 0; ch < in.C; ch++ {
		x := x0 + ch*(in.W*cell+3*chGap)
		c.text(x, y, fmt.Sprintf("input channel %d", ch), darkGray)
		for h := 0; h < in.H; h++ {
			for w := 0; w < in.W; w++ {
				labelBox(c, x+w*cell, y+textH+4+h*cell, cell, fmt.Sprint(ch*plane+h*in.W+w), channelTint[ch])
			}
		}
	}
}

// drawSqueezedChannels draws every output channel of t, stride pixels apart, each element
// labelled by the input element it holds and tinted by that element's channel.
func drawSqueezedChannels(c *canvas, x0, y, cell, stride int, t SqueezeTable) {
	plane := t.In.H * t.In.W
	for k := 0; k < t.Out.C; k++ {
		for h := 0; h < t.Out.H; h++ {
			for w := 0; w < t.Out.W; w++ {
				src := t.Index[t.Out.Index(k, h, w)]
				labelBox(c, x0+k*stride+w*cell, y+h*cell, cell, fmt.Sprint(src), channelTint[src/plane%len(channelTint)])
			}
		}
	}
}

func labelBox(c *canvas, x, y, size int, label string, fill color.RGBA) {
	c.fill(x, y, size, size, fill)
	c.frame(x, y, size, size, gridGray)
	if label != "" {
		c.text(x+(size-len(label)*textW)/2+1, y+(size-textH)/2, label, black)
	}
}
