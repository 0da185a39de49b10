package variants

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"squeezebench/flow"
)

// Axis names one dimension of the ablation: each cell picks one variant per axis. The name is
// what flags, experiment files, cell names and reports use.
type Axis string

// Naming says whether an axis is spelled out in cell names while it is at its default.
type Naming int

const (
	// Named axes are always part of cell names: the axes the first results were named with.
	Named Naming = iota
	// Implicit axes are left out of cell names (Cell.String and Cell.Slug, hence run directories
	// and configuration hashes) while at their default, so that adding an axis leaves the names
	// of every existing cell, and the results filed under them, as they were.
	Implicit
)

// Table is the registry of one axis: its variants by name, each an implementation of T, the axis's
// interface. NewAxis makes one; variant packages Register into it from init. Its methods are safe
// for concurrent use.
type Table[T any] struct {
	axis   Axis
	def    string
	naming Naming
	choose func(*flow.Blueprint, T)

	mu       sync.RWMutex
	variants map[string]entry[T]
}

type entry[T any] struct {
	doc  string
	impl T
}

// axis is a Table seen without its T: what cells, grids and listings need to iterate the axes.
type axis interface {
	name() Axis
	fallback() string
	implicit() bool
	names() []string
	doc(variant string) (string, error)
	choice(variant string) (flow.Choice, error)
}

var (
	axesMu sync.RWMutex
	axes   []axis // in the order NewAxis made them: report order
)

// NewAxis adds an axis after those already registered (Axes order) and returns its table. def is
// the variant a cell takes when it names none for the axis, and choose puts a variant into the
// flow.Blueprint of a cell's model: it sets a field or appends an Edit. Declare the table as a
// package-level variable, so it exists before any init registers variants into it:
//
//	var Flips = variants.NewAxis(Flip, "none", variants.Implicit,
//		func(bp *flow.Blueprint, f Flipper) { bp.Edits = append(bp.Edits, flow.BeforeCouplings(f.Flip)) })
//
// An axis added after results exist must be Implicit. NewAxis panics if the axis exists.
func NewAxis[T any](name Axis, def string, naming Naming, choose func(bp *flow.Blueprint, v T)) *Table[T] {
	axesMu.Lock()
	defer axesMu.Unlock()
	for _, a := range axes {
		if a.name() == name {
			panic(fmt.Sprintf("variants.NewAxis: axis %q defined twice", name))
		}
	}
	t := &Table[T]{axis: name, def: def, naming: naming, choose: choose, variants: map[string]entry[T]{}}
	axes = append(axes, t)
	return t
}

// Axis is the name of the table's axis.
func (t *Table[T]) Axis() Axis { return t.axis }

// Default is the variant a cell takes when it names none for this axis (the tutorial's choice).
func (t *Table[T]) Default() string { return t.def }

// Register makes a variant available by name, with a one-line doc. Variant packages call it from
// init. It panics on an empty or duplicate name or a nil implementation, as database/sql.Register
// does, so a mistake shows at program start.
func (t *Table[T]) Register(name, doc string, impl T) {
	if name == "" || any(impl) == nil {
		panic(fmt.Sprintf("variants: %s.Register(%q): want a name and a non-nil implementation", t.axis, name))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.variants[name]; dup {
		panic(fmt.Sprintf("variants: %s variant %q registered twice", t.axis, name))
	}
	t.variants[name] = entry[T]{doc: doc, impl: impl}
}

// Lookup returns the named variant's implementation; an unknown name is an error that lists the
// known ones.
func (t *Table[T]) Lookup(name string) (T, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.variants[name]
	if !ok {
		var zero T
		return zero, t.unknownLocked(name)
	}
	return e.impl, nil
}

func (t *Table[T]) unknownLocked(name string) error {
	return fmt.Errorf("unknown %s variant %q (known: %s)", t.axis, name, strings.Join(t.namesLocked(), ", "))
}

// Names lists the registered variants, sorted.
func (t *Table[T]) Names() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.namesLocked()
}

func (t *Table[T]) namesLocked() []string {
	out := make([]string, 0, len(t.variants))
	for n := range t.variants {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (t *Table[T]) name() Axis       { return t.axis }
func (t *Table[T]) fallback() string { return t.def }
func (t *Table[T]) implicit() bool   { return t.naming == Implicit }
func (t *Table[T]) names() []string  { return t.Names() }

func (t *Table[T]) doc(variant string) (string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.variants[variant]
	if !ok {
		return "", t.unknownLocked(variant)
	}
	return e.doc, nil
}

func (t *Table[T]) choice(variant string) (flow.Choice, error) {
	impl, err := t.Lookup(variant)
	if err != nil {
		return nil, err
	}
	return flow.ChoiceFunc(func(bp *flow.Blueprint) { t.choose(bp, impl) }), nil
}

// registered is a copy of the axes, in order.
func registered() []axis {
	axesMu.RLock()
	defer axesMu.RUnlock()
	return append([]axis(nil), axes...)
}

// find returns the axis named a, or nil.
func find(a Axis) axis {
	for _, x := range registered() {
		if x.name() == a {
			return x
		}
	}
	return nil
}

// Axes returns the axes in report order.
func Axes() []Axis {
	var out []Axis
	for _, a := range registered() {
		out = append(out, a.name())
	}
	return out
}

// Default is the variant the tutorial uses on axis a ("" for an unknown axis).
func Default(a Axis) string {
	if x := find(a); x != nil {
		return x.fallback()
	}
	return ""
}

// Names lists the registered variants of axis a, sorted (none for an unknown axis).
func Names(a Axis) []string {
	if x := find(a); x != nil {
		return x.names()
	}
	return nil
}

// implicitAt reports whether axis a is left out of cell names when it takes variant name.
func implicitAt(a Axis, name string) bool {
	x := find(a)
	return x != nil && x.implicit() && name == x.fallback()
}

// Variant describes one registered variant. Its implementation is had, typed, from the axis's
// Table (Squeezers.Lookup and so on).
type Variant struct {
	Axis    Axis
	Name    string
	Doc     string // one line
	Default bool   // the variant a cell takes when it names none for the axis
}

// Lookup describes the named variant of axis a: whether it exists, and its doc. An unknown axis or
// name is an error that lists the known ones.
func Lookup(a Axis, name string) (Variant, error) {
	x := find(a)
	if x == nil {
		return Variant{}, fmt.Errorf("unknown axis %q (known: %s)", a, joinAxes())
	}
	doc, err := x.doc(name)
	if err != nil {
		return Variant{}, err
	}
	return Variant{Axis: a, Name: name, Doc: doc, Default: name == x.fallback()}, nil
}

// List describes every registered variant: the axes in Axes order, each axis's variants sorted by
// name (what `squeezebench variants` prints).
func List() []Variant {
	var out []Variant
	for _, x := range registered() {
		for _, n := range x.names() {
			doc, _ := x.doc(n) // n is registered: names lists it and nothing unregisters
			out = append(out, Variant{Axis: x.name(), Name: n, Doc: doc, Default: n == x.fallback()})
		}
	}
	return out
}

func joinAxes() string {
	var s []string
	for _, a := range Axes() {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}
