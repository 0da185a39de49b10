package atlas

import (
	"fmt"

	"squeezebench/flow"
	"squeezebench/variants"
)

// Facts are the structural facts of an atlas's variants, each computed (from index tables, masks
// and small float64 models) rather than typed in. Markdown renders them as facts.md.
type Facts struct {
	Image      flow.Shape
	Squeezes   SqueezeFacts
	Partitions PartitionFacts
	Identity   IdentityExperiment
	Absorption []Absorption
	Costs      CostTable
}

// A Finding is a yes/no fact about named variants. Known is false when the atlas's selection
// lacks one of the cells it is about; Holds is then false too.
type Finding struct{ Known, Holds bool }

func finding(holds bool) Finding { return Finding{Known: true, Holds: holds} }

// ComputeFacts computes the facts of an atlas. The facts about specific variants (the tutorial
// squeeze, the rowwise coupling, ...) name them; a name missing from the registry is an error, a
// registered one missing from the selection leaves its Finding unknown.
func ComputeFacts(a Atlas) (Facts, error) {
	f := Facts{Image: a.Image}
	var err error
	if f.Squeezes, err = squeezeFacts(a); err != nil {
		return Facts{}, fmt.Errorf("squeeze facts: %w", err)
	}
	if f.Partitions, err = partitionFacts(a); err != nil {
		return Facts{}, fmt.Errorf("partition facts: %w", err)
	}
	if f.Identity, err = identityExperiment(a.Image); err != nil {
		return Facts{}, fmt.Errorf("identity experiment: %w", err)
	}
	if f.Absorption, err = absorption(a); err != nil {
		return Facts{}, fmt.Errorf("invconv absorption: %w", err)
	}
	if f.Costs, err = costTable(a); err != nil {
		return Facts{}, fmt.Errorf("cost table: %w", err)
	}
	return f, nil
}

// named returns name after checking that it is a registered variant of axis a: a fact about a
// specific variant fails clearly when the variant is renamed or removed.
func named(a variants.Axis, name string) (string, error) {
	if _, err := variants.Lookup(a, name); err != nil {
		return "", fmt.Errorf("a fact names it: %w", err)
	}
	return name, nil
}

// namedCell is the cell of the given squeeze, split and coupling, each checked with named, every
// other axis at its default.
func namedCell(squeeze, split, coupling string) (variants.Cell, error) {
	c := variants.Cell{}
	for _, v := range []struct {
		axis variants.Axis
		name string
	}{{variants.Squeeze, squeeze}, {variants.Split, split}, {variants.Coupling, coupling}} {
		n, err := named(v.axis, v.name)
		if err != nil {
			return nil, err
		}
		c[v.axis] = n
	}
	return c, nil
}

// cell returns the atlas's pattern of cell c.
func (a Atlas) cell(c variants.Cell) (CellPattern, bool) {
	for _, cp := range a.Cells {
		if cp.Cell.String() == c.String() {
			return cp, true
		}
	}
	return CellPattern{}, false
}

// groupBy partitions items into classes of equal keys, in first-seen order.
func groupBy[T any](items []T, key func(T) string) [][]T {
	var keys []string
	groups := map[string][]T{}
	for _, it := range items {
		k := key(it)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], it)
	}
	var out [][]T
	for _, k := range keys {
		out = append(out, groups[k])
	}
	return out
}
