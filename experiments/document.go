package experiments

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// document is an experiment file as written: a nil pointer is a key left out.
type document struct {
	Name        *string             `toml:"name"`
	Description *string             `toml:"description"`
	Seeds       any                 `toml:"seeds"` // a count n (seeds 1..n) or a list of seeds
	Dataset     *string             `toml:"dataset"`
	Grid        map[string]any      `toml:"grid"`
	Exclude     []map[string]string `toml:"exclude"`
	Model       *modelTable         `toml:"model"`
	Training    *trainingTable      `toml:"training"`
	Evaluation  *evaluationTable    `toml:"evaluation"`
	Compute     *computeTable       `toml:"compute"`
}

type modelTable struct {
	Preset      *string `toml:"preset"`
	VarDeq      *int    `toml:"vardeq"`
	Stage       []int   `toml:"stage"`
	GatedLayers *int    `toml:"gated_layers"`
}

type trainingTable struct {
	Steps    *int     `toml:"steps"`
	Epochs   *int     `toml:"epochs"`
	Batch    *int     `toml:"batch"`
	LR       *float64 `toml:"lr"`
	LRGamma  *float64 `toml:"lr_gamma"`
	ClipNorm *float64 `toml:"clip_norm"`
	LogEvery *int     `toml:"log_every"`
}

type evaluationTable struct {
	ValEvery          *int  `toml:"val_every"`
	EvalEpochs        []int `toml:"eval_epochs"`
	ValImages         *int  `toml:"val_images"`
	EvalSamples       *int  `toml:"eval_samples"`
	TestImages        *int  `toml:"test_images"`
	ImportanceSamples *int  `toml:"importance_samples"`
	EvalBatch         *int  `toml:"eval_batch"`
	SampleImages      *int  `toml:"sample_images"`
}

type computeTable struct {
	Parallel        *int    `toml:"parallel"`
	Workers         *int    `toml:"workers"`
	Engine          *string `toml:"engine"`
	Precision       *string `toml:"precision"`
	CheckpointEvery *int    `toml:"checkpoint_every"`
}

// decode reads data strictly: a syntax error, a value of the wrong type or an unknown key is a
// FieldError with its place in the file. Unknown keys do not stop decoding: the document comes
// back with them, so that the other keys can still be checked.
func decode(file string, data []byte) (*document, Errors) {
	var doc document
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&doc)
	if err == nil {
		return &doc, nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var errs Errors
		for i := range strict.Errors {
			errs = append(errs, unknownKey(file, &strict.Errors[i]))
		}
		return &doc, errs
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		fe := &FieldError{File: file, Line: line, Col: col, Field: strings.Join(de.Key(), "."), Msg: strings.TrimPrefix(de.Error(), "toml: ")}
		if m := typeMismatch.FindStringSubmatch(fe.Msg); m != nil && fe.Field != "" {
			if want := expected(de.Key()); want != "" {
				got := "a TOML " + m[1]
				if m[1] == "" {
					got = map[string]string{"table": "a table", "array table": "an array of tables"}[m[2]]
				}
				fe.Msg = fmt.Sprintf("want %s, got %s", want, got)
			}
		}
		if fe.Field == "" {
			fe.Msg = "TOML syntax: " + fe.Msg
		}
		return nil, Errors{fe}
	}
	return nil, Errors{{File: file, Msg: err.Error()}}
}

var typeMismatch = regexp.MustCompile(`^cannot (?:decode TOML (\w+)|store an? (table|array table))`)

// unknownKey explains a key the document type has no field for: which part of it is unknown, the
// keys known there, and the nearest one when it looks like a typo.
func unknownKey(file string, de *toml.DecodeError) *FieldError {
	line, col := de.Position()
	key := de.Key()
	t := reflect.TypeFor[document]()
	var known []string
	i := 0
	for ; i < len(key); i++ {
		known = keysOf(t)
		ft, ok := fieldType(t, key[i])
		if !ok {
			break
		}
		t = ft
	}
	if i == len(key) { // should not happen: the decoder found no field
		return &FieldError{File: file, Line: line, Col: col, Field: strings.Join(key, "."), Msg: "unknown key"}
	}
	name := strings.Join(key[:i+1], ".")
	where := "top-level keys"
	if i > 0 {
		where = "keys in [" + strings.Join(key[:i], ".") + "]"
	}
	kind := "key"
	if strings.Contains(de.Error(), "missing table") { // a [header]; anything else is a key
		kind, name = "table", "["+name+"]"
	}
	msg := "unknown " + kind
	if s := nearest(key[i], known); s != "" {
		s = strings.Join(append(key[:i:i], s), ".")
		if kind == "table" {
			s = "[" + s + "]"
		}
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	msg += fmt.Sprintf(" (known %s: %s)", where, strings.Join(known, ", "))
	return &FieldError{File: file, Line: line, Col: col, Field: name, Msg: msg}
}

// keysOf lists the TOML keys of a struct type (pointers followed), in declaration order.
func keysOf(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("toml"); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

// fieldType is the type of the field with TOML key k in struct type t (map element for maps).
func fieldType(t reflect.Type, k string) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem(), true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Tag.Get("toml") == k {
				return t.Field(i).Type, true
			}
		}
	}
	return nil, false
}

// expected says in words what the value at key must be.
func expected(key []string) string {
	switch {
	case len(key) == 1 && key[0] == "seeds":
		return "a count (seeds = 3 means 1, 2, 3) or a list of seeds (seeds = [1, 2, 3])"
	case len(key) == 1 && key[0] == "grid":
		return `a table of variant-name lists ([grid] then squeeze = ["tutorial", "tf-style"])`
	case len(key) == 2 && key[0] == "grid":
		return `a list of variant names, e.g. ["tutorial", "tf-style"]`
	case len(key) == 2 && key[0] == "model" && key[1] == "stage":
		return "a list of 3 hidden-channel counts, e.g. [8, 12, 16]"
	}
	t := reflect.TypeFor[document]()
	for _, k := range key {
		ft, ok := fieldType(t, k)
		if !ok {
			return ""
		}
		t = ft
	}
	return describe(t)
}

func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		if d := describe(t.Elem()); d != "" {
			return "a list of " + strings.TrimPrefix(strings.TrimPrefix(d, "an "), "a ") + "s"
		}
	case reflect.Struct, reflect.Map:
		return "a table"
	}
	return ""
}

// nearest is the known name closest to s when it is close enough to be a typo of it.
func nearest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD > max(1, len(s)/3) {
		return ""
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps of neighbours that turn
// a into b (optimal string alignment).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
