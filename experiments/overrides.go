package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Override is one command-line setting of an experiment key: `-set training.steps=200`.
type Override struct {
	Key   string // a dotted key of the experiment file: seeds, training.steps, grid.split, ...
	Value string // a TOML value (200, 1e-3, [1, 2], "x"); a bare word is taken as a string
}

func (o Override) String() string { return o.Key + "=" + o.Value }

// ParseOverride reads "key=value".
func ParseOverride(s string) (Override, error) {
	k, v, ok := strings.Cut(s, "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ok || k == "" || v == "" {
		return Override{}, fmt.Errorf("-set %q: want key=value, e.g. training.steps=200 or grid.split=[\"channel\"]", s)
	}
	return Override{Key: k, Value: v}, nil
}

// WithOverrides applies overrides to the experiment e and checks the result like a file: the
// effective experiment, whose Source is the file's contents with the keys set (as TOML, under a
// comment naming the file and the overrides), is what a results directory records. Unless an
// override sets the name, the name gets a suffix from the overrides' hash, so that the results
// of the overridden experiment do not go where the file's go.
func WithOverrides(e *Experiment, ovs []Override) (*Experiment, error) {
	if len(ovs) == 0 {
		return e, nil
	}
	var tree map[string]any
	if err := toml.Unmarshal(e.Source, &tree); err != nil {
		return nil, fmt.Errorf("%s: %w", e.File, err)
	}
	if tree == nil {
		tree = map[string]any{}
	}
	named := false
	var set []string
	for _, o := range ovs {
		if err := checkKey(o.Key); err != nil {
			return nil, fmt.Errorf("-set %s: %w", o, err)
		}
		v, err := tomlValue(o.Value)
		if err != nil {
			return nil, fmt.Errorf("-set %s: %w", o, err)
		}
		if err := applyKey(tree, o.Key, v); err != nil {
			return nil, fmt.Errorf("-set %s: %w", o, err)
		}
		named = named || o.Key == "name"
		set = append(set, "-set "+o.String())
	}
	if !named {
		h := sha256.Sum256([]byte(strings.Join(set, "\n")))
		tree["name"] = e.Name + "-set-" + hex.EncodeToString(h[:4])
	}
	body, err := toml.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("the overridden experiment: %w", err)
	}
	src := fmt.Sprintf("# The effective experiment: %s with %s (written by squeezebench).\n%s", e.File, strings.Join(set, " "), body)
	out, err := Parse(e.File+" (with "+strings.Join(set, " ")+")", []byte(src))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkKey reports whether key names a key of the experiment file (grid.<axis> included; the
// grid's axes themselves are checked when the result is parsed).
func checkKey(key string) error {
	parts := strings.Split(key, ".")
	t := reflect.TypeFor[document]()
	for i, p := range parts {
		if i == 1 && parts[0] == "grid" && len(parts) == 2 {
			return nil
		}
		ft, ok := fieldType(t, p)
		if !ok {
			known := keysOf(t)
			hint := ""
			if s := nearest(p, known); s != "" {
				hint = fmt.Sprintf("; did you mean %s?", strings.Join(append(parts[:i:i], s), "."))
			}
			return fmt.Errorf("unknown key %s%s (known there: %s)", strings.Join(parts[:i+1], "."), hint, strings.Join(known, ", "))
		}
		t = ft
	}
	if len(keysOf(t)) > 0 && t.Kind() != reflect.Map {
		return fmt.Errorf("%s is a table: set one of its keys (%s)", key, strings.Join(keysOf(t), ", "))
	}
	return nil
}

// tomlValue parses a TOML value; a bare word that is not one is a string.
func tomlValue(s string) (any, error) {
	var m map[string]any
	if err := toml.Unmarshal([]byte("v = "+s), &m); err == nil {
		return m["v"], nil
	}
	if strings.ContainsAny(s, "[]{}\"'=\n") {
		return nil, fmt.Errorf("%q is not a TOML value", s)
	}
	return s, nil
}

// applyKey sets the dotted key in the tree; the budget is steps or epochs, so setting one
// removes the other.
func applyKey(tree map[string]any, key string, v any) error {
	if err := setKey(tree, strings.Split(key, "."), v); err != nil {
		return err
	}
	if other, ok := map[string]string{"training.steps": "epochs", "training.epochs": "steps"}[key]; ok {
		delete(tree["training"].(map[string]any), other)
	}
	return nil
}

// setKey sets the dotted key path in the tree, making tables as needed.
func setKey(tree map[string]any, path []string, v any) error {
	for i, p := range path[:len(path)-1] {
		next, ok := tree[p]
		if !ok {
			next = map[string]any{}
			tree[p] = next
		}
		sub, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not a table", strings.Join(path[:i+1], "."))
		}
		tree = sub
	}
	tree[path[len(path)-1]] = v
	return nil
}
