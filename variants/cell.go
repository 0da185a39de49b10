package variants

import (
	"fmt"
	"sort"
	"strings"

	"squeezebench/flow"
)

// Cell is one combination of variants, one name per axis. Axes left out take their default.
type Cell map[Axis]string

// Get returns the variant name of axis a, or its default.
func (c Cell) Get(a Axis) string {
	if n, ok := c[a]; ok && n != "" {
		return n
	}
	return Default(a)
}

// String is the canonical name of the cell, e.g. "squeeze=tutorial,split=channel,coupling=channelwise"
// or "squeeze=tutorial,split=channel,coupling=channelwise,mixing=invconv" (an implicit axis such as
// mixing appears only when it is not at its default).
func (c Cell) String() string {
	var parts []string
	for _, a := range Axes() {
		if implicitAt(a, c.Get(a)) {
			continue
		}
		parts = append(parts, string(a)+"="+c.Get(a))
	}
	return strings.Join(parts, ",")
}

// Slug is a file-system-friendly name: "tutorial_channel_channelwise", or
// "tutorial_channel_channelwise_invconv" (implicit axes as in String).
func (c Cell) Slug() string { return strings.Join(c.Values(), "_") }

// Values are the variant names of the axes String names, in Axes order: ["tutorial" "channel"
// "channelwise"], or with "invconv" appended when mixing is not at its default. Slug joins them
// with "_"; a table or figure that shows cells side by side joins them its own way, so it names
// no axis and a cell of an axis added later keeps a name of its own.
func (c Cell) Values() []string {
	var values []string
	for _, a := range Axes() {
		if implicitAt(a, c.Get(a)) {
			continue
		}
		values = append(values, c.Get(a))
	}
	return values
}

// Resolve looks every axis up in the registry and returns the cell's choices, one per axis in
// Axes order: what flow.Multiscale lays the cell's model out from. A variant of a new axis reaches
// the model through its table's choose function, so nothing here names an axis.
func (c Cell) Resolve() ([]flow.Choice, error) {
	given := make([]string, 0, len(c))
	for a := range c {
		given = append(given, string(a))
	}
	sort.Strings(given) // the first unknown axis in a fixed order, whatever the map's
	for _, a := range given {
		if find(Axis(a)) == nil {
			return nil, fmt.Errorf("cell %s: unknown axis %q (known: %s)", c, a, joinAxes())
		}
	}
	var choices []flow.Choice
	for _, x := range registered() {
		ch, err := x.choice(c.Get(x.name()))
		if err != nil {
			return nil, err
		}
		choices = append(choices, ch)
	}
	return choices, nil
}

// Arch lays out the multi-scale model of this cell.
func (c Cell) Arch(in flow.Shape, sz flow.Sizes) (flow.Arch, error) {
	choices, err := c.Resolve()
	if err != nil {
		return flow.Arch{}, err
	}
	a, err := flow.Multiscale(in, sz, choices...)
	if err != nil {
		return flow.Arch{}, fmt.Errorf("cell %s: %w", c, err)
	}
	return a, nil
}

// Grid is every combination of the given names per axis (an axis without names takes its
// default), in a fixed order: the first axis varies slowest.
func Grid(choices map[Axis][]string) []Cell {
	cells := []Cell{{}}
	for _, a := range Axes() {
		names := choices[a]
		if len(names) == 0 {
			names = []string{Default(a)}
		}
		var next []Cell
		for _, c := range cells {
			for _, n := range names {
				nc := Cell{}
				for k, v := range c {
					nc[k] = v
				}
				nc[a] = n
				next = append(next, nc)
			}
		}
		cells = next
	}
	return cells
}

// AllCells is the full grid of every registered variant on every axis.
func AllCells() []Cell {
	ch := map[Axis][]string{}
	for _, a := range Axes() {
		ch[a] = Names(a)
	}
	return Grid(ch)
}

// Fingerprint identifies the model the cell resolves to at input in and sizes sz (flow.Arch's
// Fingerprint): cells with equal fingerprints are structural twins, one model under two names.
func (c Cell) Fingerprint(in flow.Shape, sz flow.Sizes) (string, error) {
	a, err := c.Arch(in, sz)
	if err != nil {
		return "", err
	}
	return a.Fingerprint(), nil
}

// Primaries maps every cell to the first cell of the list that is the same model (its twin that
// is trained; itself when it has no earlier twin): primary[i] is an index into cells.
func Primaries(cells []Cell, in flow.Shape, sz flow.Sizes) ([]int, error) {
	first := map[string]int{}
	primary := make([]int, len(cells))
	for i, c := range cells {
		fp, err := c.Fingerprint(in, sz)
		if err != nil {
			return nil, err
		}
		if j, ok := first[fp]; ok {
			primary[i] = j
			continue
		}
		first[fp], primary[i] = i, i
	}
	return primary, nil
}
