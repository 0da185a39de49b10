// Package golden pins what the 36 built-in cells are: their names, the fingerprints of their
// models and the hashes of their run configurations, against cells.golden (the output of Lines).
// The lines of the 24 cells without glow mixing were written from the code before the typed
// registry and the layer redesign. Result directories, twins and skip-if-done all key on these, so
// no refactoring, and no new axis at its default, may change one of them.
//
// Deliberate changes since (issue 14): invconv's 1x1 convolutions moved to the stage-3 couplings
// only, which removed the two stage-2 invconvs of the 6 channelwise+invconv cells and changed
// their fingerprints (names and configuration hashes did not change; the rowwise+invconv models
// were already exactly that); and the 12 glow cells were added.
package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
)

// Builtin is the grid of the built-in variants, in the order of the golden file.
var Builtin = map[variants.Axis][]string{
	variants.Squeeze:  {"tf-ordered", "tf-style", "tutorial"},
	variants.Split:    {"channel", "checkerboard"},
	variants.Coupling: {"channelwise", "rowwise"},
	variants.Mixing:   {"glow", "invconv", "none"},
}

// Lines is one line per built-in cell: its canonical name, slug, and for the small and the
// tutorial preset the fingerprint of its model on MNIST and the configuration hash of a seed-1 run.
func Lines() (string, error) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	var b strings.Builder
	for _, c := range variants.Grid(Builtin) {
		fmt.Fprintf(&b, "%s %s", c, c.Slug())
		for _, preset := range []string{"small", "tutorial"} {
			cfg, err := runner.Preset(preset)
			if err != nil {
				return "", err
			}
			fp, err := c.Fingerprint(in, cfg.Sizes)
			if err != nil {
				return "", fmt.Errorf("%s: %w", c, err)
			}
			cfg.Cell, cfg.Seed = c, 1
			fmt.Fprintf(&b, " %s=%s,%s", preset, fp, cfg.Hash())
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

// Path is the golden file.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "cells.golden")
}

// Check compares Lines with the golden file, cell by cell.
func Check(t testing.TB) {
	t.Helper()
	got, err := Lines()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(Path())
	if err != nil {
		t.Fatal(err)
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	cells := len(variants.Grid(Builtin))
	if len(gotLines) != cells+1 || len(wantLines) != cells+1 {
		t.Fatalf("%d cells, golden file has %d; want %d", len(gotLines)-1, len(wantLines)-1, cells)
	}
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("cell %d changed:\n got  %s\n want %s", i, gotLines[i], wantLines[i])
		}
	}
}
