package atlas_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/atlas"
	"squeezebench/variants"
)

// committed is the atlas in the repository, which `squeezebench patterns` writes.
const committed = "../results/patterns"

// The renderers reproduce the committed atlas byte for byte: facts.md, patterns.json and every
// figure, and nothing is in the directory that they do not write.
func TestFilesAreTheCommittedAtlas(t *testing.T) {
	f := facts(t)
	files, err := atlas.Files(builtinAtlas(t), &f)
	if err != nil {
		t.Fatal(err)
	}
	rendered := map[string]bool{}
	for _, file := range files {
		rendered[file.Path] = true
		want, err := os.ReadFile(filepath.Join(committed, file.Path))
		if err != nil {
			t.Errorf("rendered %s: %v", file.Path, err)
			continue
		}
		if !bytes.Equal(file.Data, want) {
			t.Errorf("%s differs from the committed one (%d bytes, committed %d): regenerate with `squeezebench patterns`", file.Path, len(file.Data), len(want))
		}
	}
	err = filepath.WalkDir(committed, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(committed, path)
		if err == nil && !rendered[filepath.ToSlash(rel)] {
			t.Errorf("%s is committed but not rendered", rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Without facts there is no facts.md; every figure is a PNG of the size its layout asks.
func TestFilesWithoutFacts(t *testing.T) {
	a := builtinAtlas(t)
	files, err := atlas.Files(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(a.Cells) + 3; len(files) != want {
		t.Errorf("%d files, want %d: a figure per cell, atlas.png, squeezes.png, patterns.json", len(files), want)
	}
	for _, f := range files {
		if f.Path == "facts.md" {
			t.Error("facts.md without facts")
		}
		if !strings.HasSuffix(f.Path, ".png") {
			continue
		}
		img, err := png.Decode(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if f.Path == "atlas.png" && img.Bounds().Dy() < len(a.Cells)*3*a.Image.H {
			t.Errorf("atlas.png is %v: too short for %d rows of %d-pixel panels", img.Bounds(), len(a.Cells), 3*a.Image.H)
		}
	}
}

// patterns.json has every cell with its figure, and each layer's roles as one string per image
// row, matching the atlas's values.
func TestJSONHoldsTheRoles(t *testing.T) {
	a := builtinAtlas(t)
	js, err := atlas.JSON(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cells []struct {
			Cell, Slug, Figure string
			Layers             []struct {
				Name  string
				Image []string `json:"image_roles"`
			}
		}
		Squeezes map[string][]struct {
			InToOut [][6]int `json:"in_to_out"`
		}
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cells) != len(a.Cells) || len(doc.Squeezes) != len(variants.Names(variants.Squeeze)) {
		t.Fatalf("%d cells and %d squeezes in patterns.json", len(doc.Cells), len(doc.Squeezes))
	}
	for i, c := range doc.Cells {
		cp := a.Cells[i]
		if c.Cell != cp.Cell.String() || c.Figure != atlas.CellFigurePath(cp.Cell) {
			t.Errorf("cell %d: %s, %s", i, c.Cell, c.Figure)
		}
		for j, l := range c.Layers {
			if got, want := strings.Join(l.Image, ""), string(cp.Layers[j].Roles); got != want {
				t.Errorf("%s %s: roles differ from the atlas's", c.Cell, l.Name)
			}
		}
	}
	if m := doc.Squeezes["tutorial"][0].InToOut[1]; m != [6]int{0, 0, 1, 1, 0, 0} {
		t.Errorf("tutorial squeeze maps image pixel (0,0,1) to %v, want (0,0,1) -> (1,0,0)", m)
	}
}

// facts.md states a finding only when it is known.
func TestMarkdownOmitsUnknownFindings(t *testing.T) {
	f := facts(t)
	md := string(atlas.Markdown(f))
	const line = "same permutation at C=1: **true**; at C=2: **false**"
	if !strings.Contains(md, line) {
		t.Fatalf("facts.md lacks %q", line)
	}
	f.Squeezes.TutorialIsTFStyleC1, f.Squeezes.TutorialIsTFStyleC2 = atlas.Finding{}, atlas.Finding{}
	if strings.Contains(string(atlas.Markdown(f)), "same permutation at C=1") {
		t.Error("facts.md states an unknown finding")
	}
}
