package experiments

import (
	"fmt"
	"strings"

	"squeezebench/variants"
)

// TwinExclusions is the exclude list that removes exactly the twins' later cells ("" without twins): one, on the
// axes they share, when that matches nothing else; else one per cell.
func (e *Experiment) TwinExclusions() string {
	twins := e.Twins()
	if len(twins) == 0 {
		return ""
	}
	shared := variants.Cell{}
	for _, a := range variants.Axes() {
		v := twins[0][1].Get(a)
		same := len(e.Grid[a]) > 1
		for _, t := range twins {
			same = same && t[1].Get(a) == v
		}
		if same {
			shared[a] = v
		}
	}
	count := 0
	for _, c := range e.Cells() {
		all := true
		for a, v := range shared {
			all = all && c.Get(a) == v
		}
		if all {
			count++
		}
	}
	if len(shared) > 0 && count == len(twins) {
		return "{ " + exclusionOf(shared, e.Grid, shared) + " }"
	}
	var out []string
	for _, t := range twins {
		out = append(out, "{ "+exclusionOf(t[1], e.Grid, nil)+" }")
	}
	return strings.Join(out, ", ")
}

// exclusionOf is the exclusion that names cell c on the grid's varied axes (only those of only,
// when given).
func exclusionOf(c variants.Cell, grid map[variants.Axis][]string, only variants.Cell) string {
	var parts []string
	for _, a := range variants.Axes() {
		if _, in := only[a]; only != nil && !in {
			continue
		}
		if len(grid[a]) > 1 {
			parts = append(parts, fmt.Sprintf("%s = %q", a, c.Get(a)))
		}
	}
	return strings.Join(parts, ", ")
}
