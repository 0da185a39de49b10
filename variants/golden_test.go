package variants_test

import (
	"testing"

	_ "squeezebench/variants/all"
	"squeezebench/variants/internal/golden"
)

// The names, model fingerprints (small and tutorial sizes) and configuration hashes of all 36
// built-in cells are those of the code before the redesign.
func TestGoldenCells(t *testing.T) { golden.Check(t) }
