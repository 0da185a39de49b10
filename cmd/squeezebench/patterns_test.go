package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/variants"
)

// patterns writes every figure, patterns.json and facts.md, and the facts state the spec's claims.
func TestPatternsWritesAtlasAndFacts(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "patterns", "-out", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{"atlas.png", "squeezes.png", "patterns.json", "facts.md", "cells/tutorial_channel_channelwise.png", "cells/tf-ordered_checkerboard_rowwise_invconv.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("patterns did not write %s: %v", f, err)
		}
	}
	facts, err := os.ReadFile(filepath.Join(dir, "facts.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"same permutation at C=1: **true**; at C=2: **false**",
		"even/odd row stripes (stage2.coupling0: even rows condition): **true**",
		"keeps exactly the pixels of the `checkerboard` split ((h+w) even): **true**",
		"| channelwise (squeeze, 3 couplings, unsqueeze) | 0 | 0 |",
	} {
		if !strings.Contains(string(facts), want) {
			t.Errorf("facts.md lacks %q", want)
		}
	}
	var doc struct {
		Cells []struct {
			Cell   string
			Layers []struct {
				Name  string
				Image []string `json:"image_roles"`
			}
		}
	}
	js, err := os.ReadFile(filepath.Join(dir, "patterns.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cells) != len(variants.AllCells()) {
		t.Fatalf("patterns.json has %d cells, want every registered cell (%d)", len(doc.Cells), len(variants.AllCells()))
	}
	c := doc.Cells[0] // the default cell comes first
	if c.Cell != "squeeze=tutorial,split=channel,coupling=channelwise" {
		t.Fatalf("first cell %s", c.Cell)
	}
	for _, l := range c.Layers {
		if l.Name == "stage2.coupling0" && (len(l.Image) != 28 || l.Image[0] != strings.Repeat("C", 28) || l.Image[1] != strings.Repeat("T", 28)) {
			t.Errorf("stage2.coupling0 roles start %q, %q: want a row of C then a row of T", l.Image[0], l.Image[1])
		}
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
