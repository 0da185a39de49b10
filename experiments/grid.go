package experiments

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	toml "github.com/pelletier/go-toml/v2"

	"squeezebench/runner"
	"squeezebench/variants"
)

// A grid varies the variant axes and, beside them, settings: keys of the experiment file's
// model, training and evaluation tables, the data set, and the compute engine and workers (e.g.
// `model.gated_layers = [1, 2]`, `dataset = ["mnist", "fashion-mnist"]`). A cell is then a
// combination of variants and setting values (variants.Cell holds both: settings are its keys
// that are not axes), and every cell's configuration is the file's with its settings applied.

// settingTables are the tables whose keys may vary in a grid: those of a run's configuration.
var settingTables = map[string]bool{"model": true, "training": true, "evaluation": true}

// settingKeys outside those tables that may vary.
var settingKeys = map[string]bool{"dataset": true, "compute.engine": true, "compute.workers": true, "compute.precision": true}

// isSettingKey reports whether key may be a setting axis of a grid.
func isSettingKey(key string) bool {
	table, _, dotted := strings.Cut(key, ".")
	return settingKeys[key] || dotted && settingTables[table]
}

// flattenGrid turns the [grid] table into dotted keys with their values: a nested table
// (`model.gated_layers = [1, 2]` is grid.model.gated_layers) becomes one key per leaf. A
// variant axis's value is never descended into, so a table there is reported as what it is.
func flattenGrid(g map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := prefix + k
			sub, isTable := v.(map[string]any)
			if isTable && (prefix != "" || variants.Default(variants.Axis(k)) == "") {
				walk(key+".", sub)
				continue
			}
			out[key] = v
		}
	}
	walk("", g)
	return out
}

// settingLevels checks a setting axis's values (a non-empty list of distinct TOML scalars) and
// returns them with their texts, the level names cells and reports use.
func (c *checker) settingLevels(key string, v any) (values []any, texts []string) {
	field := "grid." + key
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		c.fail(field, "want a non-empty list of values of %s to vary, e.g. [1, 2]; got %s", key, tomlKind(v))
		return nil, nil
	}
	seen := map[string]int{}
	for i, x := range list {
		el := fmt.Sprintf("%s[%d]", field, i)
		t, ok := valueText(x)
		switch {
		case !ok:
			c.fail(el, "want a number, string or boolean, got %s", tomlKind(x))
		case seen[t] > 0:
			c.fail(el, "the value %s is listed twice (elements %d and %d)", t, seen[t], i+1)
		default:
			seen[t] = i + 1
			values, texts = append(values, x), append(texts, t)
		}
	}
	return values, texts
}

// valueText is the canonical text of a scalar TOML value.
func valueText(x any) (string, bool) {
	switch v := x.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// setting is one setting axis of a grid: its key and the values it takes.
type setting struct {
	key    string
	values []any
	texts  []string
}

// settingConfigs computes the configuration of every combination of the settings' values: the
// file's document with the keys set, checked like the file; a problem is reported at the value
// that causes it.
func (c *checker) settingConfigs(data []byte, settings []setting) map[string]combo {
	out := map[string]combo{}
	var tree map[string]any
	if err := toml.Unmarshal(data, &tree); err != nil {
		return out // reported by decode
	}
	for _, cell := range settingCombos(settings) {
		t := deepCopy(tree)
		delete(t, "grid")
		delete(t, "exclude")
		var at []string // where each value is written, for errors
		for i, s := range settings {
			k := cell[i]
			applyKey(t, s.key, s.values[k])
			at = append(at, fmt.Sprintf("grid.%s[%d]", s.key, k))
		}
		cfg, ds, errs := configOf(c.file, t)
		for _, msg := range errs {
			c.fail(at[len(at)-1], "with %s: %s", comboText(settings, cell), msg)
		}
		if len(errs) == 0 {
			out[comboKey(settings, cell)] = combo{cfg, ds}
		}
	}
	return out
}

// combo is one settings combination's configuration and data set.
type combo struct {
	config  runner.Config
	dataset string
}

// configOf checks a document tree the way Parse checks a file and returns its configuration
// and data set, or the problems' messages.
func configOf(file string, tree map[string]any) (runner.Config, string, []string) {
	b, err := toml.Marshal(tree)
	if err != nil {
		return runner.Config{}, "", []string{err.Error()}
	}
	doc, errs := decode(file, b)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Msg)
	}
	if doc == nil {
		return runner.Config{}, "", msgs
	}
	sub := &checker{file: file, pos: index(b)}
	cfg := sub.config(doc)
	ds := sub.dataset(doc.Dataset, &cfg)
	for _, e := range sub.errs {
		msgs = append(msgs, e.Field+": "+e.Msg)
	}
	return cfg, ds, msgs
}

// settingCombos is every combination of the settings' value indices, the last setting varying
// fastest.
func settingCombos(settings []setting) [][]int {
	combos := [][]int{{}}
	for _, s := range settings {
		var next [][]int
		for _, c := range combos {
			for k := range s.values {
				next = append(next, append(slices.Clone(c), k))
			}
		}
		combos = next
	}
	return combos
}

// comboKey names a combination by its settings' texts, as cells carry them.
func comboKey(settings []setting, idx []int) string {
	var parts []string
	for i, s := range settings {
		parts = append(parts, s.key+"="+s.texts[idx[i]])
	}
	return strings.Join(parts, ",")
}

func comboText(settings []setting, idx []int) string {
	return strings.ReplaceAll(comboKey(settings, idx), ",", ", ")
}

// cellComboKey is the combination key of a cell's settings, in the grid's setting order.
func (e *Experiment) cellComboKey(c variants.Cell) string {
	var parts []string
	for _, a := range e.Settings {
		parts = append(parts, string(a)+"="+c[a])
	}
	return strings.Join(parts, ",")
}

// deepCopy copies the nested tables of a decoded TOML tree (lists and scalars are shared: they
// are replaced, never changed in place).
func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

// Axes is the experiment's axes: the variant axes, then its setting axes in the file's order.
func (e *Experiment) Axes() []variants.Axis {
	return append(variants.Axes(), e.Settings...)
}

// Product is every combination of the levels of the axes, in order (the first varies slowest);
// an axis without levels takes its default variant.
func Product(axes []variants.Axis, levels map[variants.Axis][]string) []variants.Cell {
	cells := []variants.Cell{{}}
	for _, a := range axes {
		names := levels[a]
		if len(names) == 0 {
			names = []string{variants.Default(a)}
		}
		var next []variants.Cell
		for _, c := range cells {
			for _, n := range names {
				nc := variants.Cell{}
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

// sortedAxes is the keys of m sorted.
func sortedAxes(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
