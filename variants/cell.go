package variants

import (
	"fmt"
	"sort"
	"strings"

	"squeezebench/flow"
)

// Cell is one combination of variants, one name per axis. Axes left out take their default.
//
// A cell of an experiment's grid may also carry settings that the grid varies (keys of the
// experiment file such as model.gated_layers or dataset, with their values): keys that are not
// registered axes. They are part of its name, after the axes, and take no part in its model's
// choices (the experiment applies them to the run's configuration).
type Cell map[Axis]string

// Settings is the cell's keys that are not registered axes, sorted.
func (c Cell) Settings() []Axis {
	var out []Axis
	for a := range c {
		if find(a) == nil {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// WithoutSettings is the cell with its registered axes only.
func (c Cell) WithoutSettings() Cell {
	out := Cell{}
	for a, v := range c {
		if find(a) != nil {
			out[a] = v
		}
	}
	return out
}

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
	for _, k := range c.Settings() {
		parts = append(parts, string(k)+"="+c[k])
	}
	return strings.Join(parts, ",")
}

// Slug is a file-system-friendly name: "tutorial_channel_channelwise", or
// "tutorial_channel_channelwise_invconv" (implicit axes as in String).
func (c Cell) Slug() string { return strings.Join(c.Values(), "_") }

// Values are the variant names of the axes String names, in Axes order: ["tutorial" "channel"
// "channelwise"], or with "invconv" appended when mixing is not at its default, then a grid's
// settings as "<last key part>-<value>" ("gated_layers-2"). Slug joins them
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
	for _, k := range c.Settings() {
		key := string(k)
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[i+1:]
		}
		values = append(values, key+"-"+slugSafe(c[k]))
	}
	return values
}

// slugSafe keeps letters, digits, '.', '-' and '+' of a setting's value for a directory name.
func slugSafe(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '+':
			return r
		}
		return -1
	}, v)
}

// Resolve looks every axis up in the registry and returns the cell's choices, one per axis in
// Axes order: what flow.Multiscale lays the cell's model out from. A variant of a new axis reaches
// the model through its table's choose function, so nothing here names an axis. A key that is
// not an axis is a setting (see Cell): it is left to the experiment, and so is checking it.
func (c Cell) Resolve() ([]flow.Choice, error) {
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
