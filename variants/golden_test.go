package variants_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
)

var update = flag.Bool("update", false, "rewrite testdata/cells.golden from the current code")

// goldenCells is one line per built-in cell: its canonical name, slug, the fingerprint of its
// model on MNIST at the small and the tutorial sizes, and the configuration hash of a seed-1 run
// of each preset. Result directories, twins and skip-if-done all key on these, so a refactoring
// of flow or variants must leave every one of them as it was.
func goldenCells(t *testing.T) string {
	t.Helper()
	in := flow.Shape{C: 1, H: 28, W: 28}
	var b strings.Builder
	for _, c := range variants.AllCells() {
		fmt.Fprintf(&b, "%s %s", c, c.Slug())
		for _, preset := range []string{"small", "tutorial"} {
			cfg, err := runner.Preset(preset)
			if err != nil {
				t.Fatal(err)
			}
			fp, err := c.Fingerprint(in, cfg.Sizes)
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			cfg.Cell, cfg.Seed = c, 1
			fmt.Fprintf(&b, " %s=%s,%s", preset, fp, cfg.Hash())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestGoldenCells pins the names, model fingerprints and configuration hashes of all 24 built-in
// cells. The golden file was written before the typed registry and the layer redesign.
func TestGoldenCells(t *testing.T) {
	path := filepath.Join("testdata", "cells.golden")
	got := goldenCells(t)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, "\n"); n != 24 {
		t.Errorf("%d built-in cells, want 24", n)
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d cells, golden file has %d", len(gotLines)-1, len(wantLines)-1)
	}
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("cell %d changed:\n got  %s\n want %s", i, gotLines[i], wantLines[i])
		}
	}
}
