package atlas_test

import (
	"os"
	"path/filepath"
	"testing"

	"squeezebench/atlas"
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
