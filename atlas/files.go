package atlas

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"path/filepath"
)

// File is one file of the atlas directory: its path relative to the directory, and its bytes.
type File struct {
	Path string
	Data []byte
}

// Files renders the atlas directory: cells/<slug>.png for every cell, atlas.png, squeezes.png,
// patterns.json, and facts.md when facts is not nil. It writes nothing; WriteFiles does.
func Files(a Atlas, facts *Facts) ([]File, error) {
	var files []File
	addPNG := func(path string, img image.Image) error {
		var buf bytes.Buffer
		if err := EncodePNG(&buf, img); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		files = append(files, File{path, buf.Bytes()})
		return nil
	}
	for _, cp := range a.Cells {
		if err := addPNG(CellFigurePath(cp.Cell), CellFigure(cp, a.Image)); err != nil {
			return nil, err
		}
	}
	if err := addPNG("atlas.png", AtlasFigure(a.Cells, a.Image)); err != nil {
		return nil, err
	}
	if err := addPNG("squeezes.png", SqueezeFigure(a.Squeezes)); err != nil {
		return nil, err
	}
	js, err := JSON(a)
	if err != nil {
		return nil, fmt.Errorf("patterns.json: %w", err)
	}
	files = append(files, File{"patterns.json", js})
	if facts != nil {
		files = append(files, File{"facts.md", Markdown(*facts)})
	}
	return files, nil
}

// WriteFiles writes files into the directory dir, creating it and the files' subdirectories.
func WriteFiles(dir string, files []File) error {
	for _, f := range files {
		path := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
