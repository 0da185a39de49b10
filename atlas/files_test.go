package atlas_test

import (
	"os"
	"path/filepath"
	"testing"

	"squeezebench/atlas"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
)

// WriteFiles creates the directory and the files' subdirectories, and replaces a file there.
func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "patterns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "patterns.json"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []atlas.File{{Path: "cells/a.png", Data: []byte("png")}, {Path: "patterns.json", Data: []byte("{}\n")}}
	if err := atlas.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(filepath.Join(dir, f.Path)); err != nil || string(b) != string(f.Data) {
			t.Errorf("%s: %q, %v: want %q", f.Path, b, err, f.Data)
		}
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atlas.WriteFiles(file, files); err == nil {
		t.Error("wrote into a regular file")
	}
}

// A cell's settings do not change its masks, so a cell with settings shares its axes' figure.
func TestCellFigurePathIgnoresSettings(t *testing.T) {
	axes := variants.Cell{"squeeze": "tutorial", "split": "checkerboard", "coupling": "channelwise"}
	withSetting := variants.Cell{"squeeze": "tutorial", "split": "checkerboard", "coupling": "channelwise", "compute.precision": "bf16"}
	want := "cells/tutorial_checkerboard_channelwise.png"
	for _, c := range []variants.Cell{axes, withSetting} {
		if got := atlas.CellFigurePath(c); got != want {
			t.Errorf("CellFigurePath(%v) = %s, want %s", c, got, want)
		}
	}
	if got := withSetting.Slug(); got == want[len("cells/"):len(want)-len(".png")] {
		t.Errorf("the cell's own slug %s lost its setting", got)
	}
}
