package glow_test

import (
	"testing"

	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/varianttest"
)

// Every cell with this variant is a flow with the log-determinant it claims, as a whole and layer
// by layer (flowtest, through varianttest; the actnorms with random logs and bias).
func TestConformance(t *testing.T) { varianttest.TestCells(t, variants.Mixing, "glow") }
