package report

import (
	"strings"
	"testing"
)

// A column of numbers is right-aligned whatever their signs (signed prints "+0.0021"), any
// other column left-aligned, and the first always.
func TestMarkdownAlignsNumbersRight(t *testing.T) {
	table := markdown([]string{"step", "mean", "interval", "claimed"}, [][]string{
		{"100", "+0.0021", "-0.0038 to 0.0055", "no"},
		{"200", "-0.0065", "–", "yes"},
	})
	lines := strings.Split(table, "\n")
	if len(lines) < 2 {
		t.Fatalf("table %q has no separator line", table)
	}
	cells := strings.Split(strings.Trim(lines[1], "|"), "|")
	want := []string{"left", "right", "right", "left"}
	for i, c := range cells {
		got := "left"
		if strings.HasSuffix(c, ":") && !strings.HasPrefix(c, ":") {
			got = "right"
		}
		if got != want[i] {
			t.Errorf("column %d aligned %s (%q), want %s:\n%s", i, got, c, want[i], table)
		}
	}
}
