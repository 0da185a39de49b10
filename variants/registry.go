package variants

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"squeezebench/flow"
)

// Axis is one dimension of the ablation: each cell picks one variant per axis.
type Axis string

const (
	Squeeze  Axis = "squeeze"
	Split    Axis = "split"
	Coupling Axis = "coupling"
	Mixing   Axis = "mixing"
)

// axes lists the axes in report order, with the default variant of each. An axis added after
// results were first named is implicit: Cell.String and Cell.Slug leave it out while it is at its
// default, so that the names (and result directories) of earlier cells stay valid.
var axes = []struct {
	axis     Axis
	fallback string
	implicit bool
}{
	{Squeeze, "tutorial", false},
	{Split, "channel", false},
	{Coupling, "channelwise", false},
	{Mixing, "none", true},
}

// implicitAt reports whether axis a is left out of cell names when it takes variant name.
func implicitAt(a Axis, name string) bool {
	for _, x := range axes {
		if x.axis == a {
			return x.implicit && name == x.fallback
		}
	}
	return false
}

// Axes returns the axes in report order.
func Axes() []Axis {
	out := make([]Axis, len(axes))
	for i, a := range axes {
		out[i] = a.axis
	}
	return out
}

// Default is the variant the tutorial uses on axis a.
func Default(a Axis) string {
	for _, x := range axes {
		if x.axis == a {
			return x.fallback
		}
	}
	return ""
}

// Variant is one registered implementation of an axis.
type Variant struct {
	Axis Axis
	Name string
	Doc  string // one line
	Impl any    // flow.Squeezer, flow.Splitter, flow.Coupler or flow.Mixer, by axis
}

var (
	mu       sync.RWMutex
	registry = map[Axis]map[string]Variant{}
)

// Register makes a variant available by name. Variant packages call it from init. It panics on a
// duplicate name, an unknown axis or an implementation of the wrong kind, as database/sql.Register does.
func Register(axis Axis, name, doc string, impl any) {
	if err := checkImpl(axis, impl); err != nil {
		panic(fmt.Sprintf("variants.Register(%s, %q): %v", axis, name, err))
	}
	mu.Lock()
	defer mu.Unlock()
	if registry[axis] == nil {
		registry[axis] = map[string]Variant{}
	}
	if _, dup := registry[axis][name]; dup {
		panic(fmt.Sprintf("variants.Register: %s variant %q registered twice", axis, name))
	}
	registry[axis][name] = Variant{Axis: axis, Name: name, Doc: doc, Impl: impl}
}

func checkImpl(axis Axis, impl any) error {
	var ok bool
	switch axis {
	case Squeeze:
		_, ok = impl.(flow.Squeezer)
	case Split:
		_, ok = impl.(flow.Splitter)
	case Coupling:
		_, ok = impl.(flow.Coupler)
	case Mixing:
		_, ok = impl.(flow.Mixer)
	default:
		return fmt.Errorf("unknown axis (known: %s)", joinAxes())
	}
	if !ok {
		return fmt.Errorf("implementation %T does not implement the %s interface", impl, axis)
	}
	return nil
}

// Lookup returns the named variant; an unknown name is an error that lists the known ones.
func Lookup(axis Axis, name string) (Variant, error) {
	mu.RLock()
	defer mu.RUnlock()
	byName, known := registry[axis]
	if Default(axis) == "" && !known {
		return Variant{}, fmt.Errorf("unknown axis %q (known: %s)", axis, joinAxes())
	}
	v, ok := byName[name]
	if !ok {
		return Variant{}, fmt.Errorf("unknown %s variant %q (known: %s)", axis, name, strings.Join(namesLocked(axis), ", "))
	}
	return v, nil
}

// Names lists the registered variants of an axis, sorted.
func Names(axis Axis) []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked(axis)
}

func namesLocked(axis Axis) []string {
	var out []string
	for n := range registry[axis] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func joinAxes() string {
	var s []string
	for _, a := range Axes() {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}
