package main

import (
	"bufio"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// canvas is a white RGBA image with helpers for filled boxes and 7x13 bitmap text.
type canvas struct{ img *image.RGBA }

const (
	textH = 13 // basicfont.Face7x13 line height
	textW = 7  // and glyph advance
)

func newCanvas(w, h int) *canvas {
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h))}
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return c
}

func (c *canvas) fill(x, y, w, h int, col color.Color) {
	draw.Draw(c.img, image.Rect(x, y, x+w, y+h), image.NewUniform(col), image.Point{}, draw.Src)
}

// frame draws a one-pixel rectangle outline.
func (c *canvas) frame(x, y, w, h int, col color.Color) {
	c.fill(x, y, w, 1, col)
	c.fill(x, y+h-1, w, 1, col)
	c.fill(x, y, 1, h, col)
	c.fill(x+w-1, y, 1, h, col)
}

// text writes s with its top-left corner at (x, y).
func (c *canvas) text(x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y+basicfont.Face7x13.Ascent)}
	d.DrawString(s)
}

// centered writes s centred horizontally in [x, x+w).
func (c *canvas) centered(x, y, w int, s string, col color.Color) {
	c.text(x+(w-len(s)*textW)/2, y, s, col)
}

func (c *canvas) save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, c.img); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xff}
}

var (
	black    = rgb(0x000000)
	darkGray = rgb(0x555555)
	gridGray = rgb(0xbbbbbb)
)
