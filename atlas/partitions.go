package atlas

import (
	"reflect"
	"strings"

	"squeezebench/flow"
	"squeezebench/variants"
)

// PartitionFacts say which cells induce the same pixel partition in each coupling and split.
type PartitionFacts struct {
	// Rows groups the cells without channel mixing by the identical role of every image pixel,
	// layer by layer in model order.
	Rows []PartitionRow
	// Mixed are the cells with channel mixing, where a mask partitions learnt mixes of pixels.
	Mixed MixedCells

	TutorialMaskIsRowStripes   Finding // tutorial channelwise stage2.coupling0: even rows condition
	TutorialMaskIsRowwise      Finding // ... and stage 2 partitions pixels as rowwise's does
	TFOrderedMaskCheckerboard  Finding // tf-ordered channelwise stage2.coupling0: (h+w) even conditions
	TFOrderedSplitCheckerboard Finding // tf-ordered + channel split keeps the checkerboard split's pixels
	TFOrderedSplitTwins        Finding // ... and tf-ordered channel and checkerboard are one model
	TutorialSplitKeepsEvenRows Finding // the tutorial's channel split keeps the even rows
}

// PartitionRow is one class of cells with identical roles in one layer.
type PartitionRow struct {
	Layer   string
	Pattern string // the name of a reference pattern (References), or a description
	Cells   []variants.Cell
}

// MixedCells are the cells with channel mixing and how many of their coupling and split layers
// act on mixed variables.
type MixedCells struct {
	Cells       []variants.Cell
	MixedLayers int
}

// Reference is a named pixel pattern, as the roles of every image pixel.
type Reference struct {
	Name  string
	Roles string
}

// Pattern names of roles that are no reference.
const (
	PatternMixed = "every remaining pixel mixed by a 1x1 conv"
	PatternOther = "other (see the figure)"
)

// The reference patterns the facts name.
const (
	RowsEvenCondition    = "row stripes, even rows condition"
	RowsOddCondition     = "row stripes, odd rows condition"
	CheckerOddCondition  = "checkerboard, (h+w) odd conditions"
	CheckerEvenCondition = "checkerboard, (h+w) even conditions"
	ColsEvenCondition    = "column stripes, even columns condition"
	ColsOddCondition     = "column stripes, odd columns condition"
	KeepsEvenRows        = "keeps even rows (factors out odd rows)"
	KeepsCheckerboard    = "keeps (h+w) even: checkerboard split"
	KeepsEvenColumns     = "keeps even columns (factors out odd columns)"
)

// References are the simple pixel patterns of a 1-channel image that a partition is named by.
func References(img flow.Shape) []Reference {
	pat := func(name string, a, b byte, first func(h, w int) bool) Reference {
		s := make([]byte, img.Size())
		for h := 0; h < img.H; h++ {
			for w := 0; w < img.W; w++ {
				if first(h, w) {
					s[img.Index(0, h, w)] = a
				} else {
					s[img.Index(0, h, w)] = b
				}
			}
		}
		return Reference{name, string(s)}
	}
	C, T, K, F := byte(flow.RoleConditions), byte(flow.RoleTransformed), byte(flow.RoleKept), byte(flow.RoleFactored)
	evenRow := func(h, w int) bool { return h%2 == 0 }
	oddRow := func(h, w int) bool { return h%2 == 1 }
	evenSum := func(h, w int) bool { return (h+w)%2 == 0 }
	oddSum := func(h, w int) bool { return (h+w)%2 == 1 }
	evenCol := func(h, w int) bool { return w%2 == 0 }
	oddCol := func(h, w int) bool { return w%2 == 1 }
	return []Reference{
		pat(RowsEvenCondition, C, T, evenRow),
		pat(RowsOddCondition, C, T, oddRow),
		pat(CheckerOddCondition, C, T, oddSum),
		pat(CheckerEvenCondition, C, T, evenSum),
		pat(ColsEvenCondition, C, T, evenCol),
		pat(ColsOddCondition, C, T, oddCol),
		pat(KeepsEvenRows, K, F, evenRow),
		pat(KeepsCheckerboard, K, F, evenSum),
		pat(KeepsEvenColumns, K, F, evenCol),
	}
}

// PatternName names roles: a reference's name, PatternMixed when every pixel still present feeds
// both kinds of variable, else PatternOther.
func PatternName(refs []Reference, roles string) string {
	for _, r := range refs {
		if r.Roles == roles {
			return r.Name
		}
	}
	if strings.ContainsRune(roles, flow.RoleMixed) && strings.Trim(roles, string([]byte{flow.RoleMixed, flow.RoleGone})) == "" {
		return PatternMixed
	}
	return PatternOther
}

func reference(refs []Reference, name string) string {
	for _, r := range refs {
		if r.Name == name {
			return r.Roles
		}
	}
	panic("atlas: no reference pattern " + name) // the names are this file's constants
}

// unmixed reports whether c is at the default of the mixing axis: its masks partition pixels.
func unmixed(c variants.Cell) bool {
	return c.Get(variants.Mixing) == variants.Default(variants.Mixing)
}

func partitionFacts(a Atlas) (PartitionFacts, error) {
	refs := References(a.Image)
	f := PartitionFacts{Rows: partitionRows(a, refs), Mixed: mixedCells(a, refs)}
	if err := f.namedFindings(a, refs); err != nil {
		return PartitionFacts{}, err
	}
	return f, nil
}

// partitionRows groups the unmixed cells by roles, for every layer the first cell draws.
func partitionRows(a Atlas, refs []Reference) []PartitionRow {
	if len(a.Cells) == 0 {
		return nil
	}
	var cells []CellPattern
	for _, cp := range a.Cells {
		if unmixed(cp.Cell) {
			cells = append(cells, cp)
		}
	}
	var rows []PartitionRow
	for _, panel := range a.Cells[0].Panels() {
		roles := func(cp CellPattern) string { l, _ := cp.Layer(panel.Name); return string(l.Roles) }
		for _, g := range groupBy(cells, roles) {
			row := PartitionRow{Layer: panel.Name, Pattern: PatternName(refs, roles(g[0]))}
			for _, cp := range g {
				row.Cells = append(row.Cells, cp.Cell)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func mixedCells(a Atlas, refs []Reference) MixedCells {
	var m MixedCells
	for _, cp := range a.Cells {
		if unmixed(cp.Cell) {
			continue
		}
		m.Cells = append(m.Cells, cp.Cell)
		for _, l := range cp.Panels() {
			if PatternName(refs, string(l.Roles)) == PatternMixed {
				m.MixedLayers++
			}
		}
	}
	return m
}

// namedFindings checks the partitions the spec and the question are about.
func (f *PartitionFacts) namedFindings(a Atlas, refs []Reference) error {
	tutorial, err := namedCell("tutorial", "channel", "channelwise")
	if err != nil {
		return err
	}
	tutorialRowwise, err := namedCell("tutorial", "channel", "rowwise")
	if err != nil {
		return err
	}
	tfOrdered, err := namedCell("tf-ordered", "channel", "channelwise")
	if err != nil {
		return err
	}
	tfOrderedChecker, err := namedCell("tf-ordered", "checkerboard", "channelwise")
	if err != nil {
		return err
	}
	roles := func(c variants.Cell, layer string) (string, bool) {
		cp, ok := a.cell(c)
		if !ok {
			return "", false
		}
		l, ok := cp.Layer(layer)
		return string(l.Roles), ok
	}
	if r, ok := roles(tutorial, "stage2.coupling0"); ok {
		f.TutorialMaskIsRowStripes = finding(r == reference(refs, RowsEvenCondition))
		if r2, ok := roles(tutorialRowwise, "stage2.coupling0"); ok {
			s, _ := roles(tutorial, "stage2.coupling1")
			s2, _ := roles(tutorialRowwise, "stage2.coupling1")
			f.TutorialMaskIsRowwise = finding(r == r2 && s == s2)
		}
	}
	if r, ok := roles(tfOrdered, "stage2.coupling0"); ok {
		f.TFOrderedMaskCheckerboard = finding(r == reference(refs, CheckerEvenCondition))
	}
	r, ok := roles(tfOrdered, "split")
	r2, ok2 := roles(tfOrderedChecker, "split")
	if ok && ok2 {
		f.TFOrderedSplitCheckerboard = finding(r == r2 && r == reference(refs, KeepsCheckerboard))
		x, _ := a.cell(tfOrdered)
		y, _ := a.cell(tfOrderedChecker)
		f.TFOrderedSplitTwins = finding(reflect.DeepEqual(x.Arch.Layers, y.Arch.Layers))
	}
	if r, ok := roles(tutorial, "split"); ok {
		f.TutorialSplitKeepsEvenRows = finding(r == reference(refs, KeepsEvenRows))
	}
	return nil
}
