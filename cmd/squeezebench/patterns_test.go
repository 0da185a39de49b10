package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/variants"
)

// patterns writes the committed atlas byte for byte (package atlas renders it; this is the
// command's writing of it), and with restricted axes and -no-facts the figures of those cells only.
func TestPatternsWritesTheCommittedAtlas(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "patterns", "-out", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	committed := filepath.Join("..", "..", "results", "patterns")
	var n int
	err = filepath.WalkDir(committed, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(committed, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("patterns wrote %s unlike the committed one (%v)", rel, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(variants.AllCells()) + 4; n != want {
		t.Errorf("%d committed files, want %d: a figure per cell, atlas.png, squeezes.png, patterns.json, facts.md", n, want)
	}

	dir = t.TempDir()
	if out, err := run(t, "patterns", "-no-facts", "-split", "checkerboard", "-mixing", "none", "-out", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cells, _ := filepath.Glob(filepath.Join(dir, "cells", "*.png"))
	if _, err := os.Stat(filepath.Join(dir, "facts.md")); err == nil || len(cells) != 6 {
		t.Errorf("-no-facts -split checkerboard -mixing none: %d cell figures (want 6), facts.md stat: %v", len(cells), err)
	}
}

// check covers every registered cell (24 built in: 3 squeezes x 2 splits x 2 couplings x 2
// mixings), each on one row named by the cell.
func TestCheckCoversEveryRegisteredCell(t *testing.T) {
	out, err := run(t, "check", "-size", "4", "-samples", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cells := variants.AllCells()
	if n := strings.Count(out, " ok\n"); n != len(cells) || strings.Contains(out, "FAIL") {
		t.Errorf("want %d cells ok:\n%s", len(cells), out)
	}
	for _, c := range cells {
		if !strings.Contains(out, "\n"+c.String()+" ") {
			t.Errorf("no row for %s:\n%s", c, out)
		}
	}
}
