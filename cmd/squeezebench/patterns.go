package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"squeezebench/atlas"
	"squeezebench/experiments"
	"squeezebench/variants"
)

// patterns: the atlas (package atlas) of every cell of a grid, written to a directory: the
// figures, patterns.json and facts.md.
func runPatterns(args []string) error {
	fs := flag.NewFlagSet("patterns", flag.ContinueOnError)
	out := fs.String("out", filepath.Join("results", "patterns"), "output directory")
	axes := map[variants.Axis]*string{}
	for _, a := range variants.Axes() {
		axes[a] = fs.String(string(a), "", fmt.Sprintf("comma-separated %s variants (default: all registered: %s)", a, strings.Join(variants.Names(a), ", ")))
	}
	noFacts := fs.Bool("no-facts", false, "skip facts.md (the facts build and run small float64 models: a few seconds)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[variants.Axis][]string{}
	for a, v := range axes {
		if *v != "" {
			given[a] = strings.Split(*v, ",")
		}
	}
	sel, err := atlas.Select(given)
	if err != nil {
		return err
	}
	a, err := atlas.Build(sel, experiments.ImageShape)
	if err != nil {
		return err
	}
	var facts *atlas.Facts
	if !*noFacts {
		f, err := atlas.ComputeFacts(a)
		if err != nil {
			return fmt.Errorf("facts: %w", err)
		}
		facts = &f
	}
	files, err := atlas.Files(a, facts)
	if err != nil {
		return err
	}
	if err := atlas.WriteFiles(*out, files); err != nil {
		return err
	}
	wrote := fmt.Sprintf("atlas.png, squeezes.png, cells/*.png (%d), patterns.json", len(a.Cells))
	if facts != nil {
		wrote += ", facts.md"
	}
	fmt.Printf("%d cells; wrote %s in %s\n", len(a.Cells), wrote, *out)
	return nil
}
