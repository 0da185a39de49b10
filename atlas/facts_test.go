package atlas_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"squeezebench/atlas"
	"squeezebench/flow"
	"squeezebench/variants"
)

var builtinFacts = sync.OnceValues(func() (atlas.Facts, error) {
	a, err := builtin()
	if err != nil {
		return atlas.Facts{}, err
	}
	return atlas.ComputeFacts(a)
})

func facts(t *testing.T) atlas.Facts {
	t.Helper()
	f, err := builtinFacts()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func known(holds bool) atlas.Finding { return atlas.Finding{Known: true, Holds: holds} }

// tutorial = tf-style at C=1 and not at C=2; tf-ordered differs already at C=1.
func TestSqueezeFindings(t *testing.T) {
	f := facts(t).Squeezes
	if f.TutorialIsTFStyleC1 != known(true) || f.TutorialIsTFStyleC2 != known(false) {
		t.Errorf("tutorial vs tf-style: C=1 %+v, C=2 %+v; want the same at C=1 only", f.TutorialIsTFStyleC1, f.TutorialIsTFStyleC2)
	}
	if f.TutorialIsTFOrderedC1 != known(false) {
		t.Errorf("tutorial vs tf-ordered at C=1: %+v, want different", f.TutorialIsTFOrderedC1)
	}
	want := [][][]string{
		{{"tutorial", "tf-style"}, {"tf-ordered"}},
		{{"tutorial"}, {"tf-ordered"}, {"tf-style"}},
		{{"tutorial", "tf-style"}, {"tf-ordered"}},
		{{"tutorial"}, {"tf-ordered"}, {"tf-style"}},
	}
	for i, sc := range f.Classes {
		if !slices.EqualFunc(sc.Classes, want[i], slices.Equal) {
			t.Errorf("classes at %s: %v, want %v", sc.Input.In, sc.Classes, want[i])
		}
	}
}

// The tutorial squeeze is channel-major: output channel 4c + 2dh + dw holds input channel c at
// block position (dh, dw) (the spec's table).
func TestTutorialChannelOrder(t *testing.T) {
	for _, co := range facts(t).Squeezes.ChannelOrders {
		col := slices.Index(co.Squeezes, "tutorial")
		for k, row := range co.Sources {
			want := atlas.BlockSource{C: k / 4, DH: k % 4 / 2, DW: k % 2}
			if row[col] != want {
				t.Errorf("%s: tutorial output channel %d holds %+v, want %+v", co.In, k, row[col], want)
			}
		}
	}
}

func TestPartitionFindings(t *testing.T) {
	f := facts(t).Partitions
	for name, got := range map[string]atlas.Finding{
		"tutorial mask is row stripes":         f.TutorialMaskIsRowStripes,
		"tutorial mask is rowwise's":           f.TutorialMaskIsRowwise,
		"tf-ordered mask is a checkerboard":    f.TFOrderedMaskCheckerboard,
		"tf-ordered channel split is checkers": f.TFOrderedSplitCheckerboard,
		"tf-ordered channel/checkerboard twin": f.TFOrderedSplitTwins,
		"tutorial split keeps even rows":       f.TutorialSplitKeepsEvenRows,
	} {
		if got != known(true) {
			t.Errorf("%s: %+v, want known and true", name, got)
		}
	}
}

// The partition rows cover every unmixed cell once per layer; the tf-ordered channelwise cells
// alone make a checkerboard of the stage-2 channel mask.
func TestPartitionRows(t *testing.T) {
	f := facts(t).Partitions
	perLayer := map[string]int{}
	for _, r := range f.Rows {
		perLayer[r.Layer] += len(r.Cells)
		if r.Layer == "stage2.coupling0" && r.Pattern == atlas.CheckerEvenCondition {
			var got []string
			for _, c := range r.Cells {
				got = append(got, c.Slug())
			}
			if want := []string{"tf-ordered_channel_channelwise", "tf-ordered_checkerboard_channelwise"}; !slices.Equal(got, want) {
				t.Errorf("checkerboard stage-2 mask in %v, want %v", got, want)
			}
		}
	}
	unmixed := len(variants.AllCells()) / len(variants.Names(variants.Mixing))
	for layer, n := range perLayer {
		if n != unmixed {
			t.Errorf("%s: %d cells in its rows, want the %d without mixing", layer, n, unmixed)
		}
	}
	if len(perLayer) != 9 { // 2 stage-1 couplings, 2 stage-2, the split, 4 stage-3
		t.Errorf("rows for %d layers, want 9", len(perLayer))
	}
	mixedCells := len(variants.AllCells()) - unmixed // every mixing but none
	if len(f.Mixed.Cells) != mixedCells || f.Mixed.MixedLayers == 0 {
		t.Errorf("mixed: %d cells, %d mixed layers; want %d cells and some mixed layers", len(f.Mixed.Cells), f.Mixed.MixedLayers, mixedCells)
	}
}

// The question's experiment: with the pointwise network both flows are exactly the identity;
// with random GatedConvNets they are different functions.
func TestIdentityExperiment(t *testing.T) {
	e := facts(t).Identity
	p := e.Pointwise
	if p.Channelwise != (atlas.Change{}) || p.Rowwise != (atlas.Change{}) || p.Difference != 0 {
		t.Errorf("pointwise: %+v, want both flows exactly the identity with log-det 0", p)
	}
	r := e.Random
	if r.Difference < 1 || r.LogDetDifference() < 1 {
		t.Errorf("random nets: outputs differ by %g, log-dets by %g; want different functions", r.Difference, r.LogDetDifference())
	}
	if r.Channelwise.MaxChange == 0 || r.Rowwise.MaxChange == 0 {
		t.Errorf("random nets: %+v, want both to change the input", r)
	}
}

// Every pair of squeezes differs by a channel permutation, which an invconv absorbs to rounding.
func TestInvConvAbsorbsTheSqueezeOrder(t *testing.T) {
	abs := facts(t).Absorption
	n := len(variants.Names(variants.Squeeze))
	if len(abs) != 2*n*(n-1)/2 {
		t.Fatalf("%d checks, want every pair at both squeezes", len(abs))
	}
	for _, a := range abs {
		if a.Permutation == nil {
			t.Errorf("%s vs %s at %s: not a channel permutation", a.A, a.B, a.In)
			continue
		}
		if a.MaxOutputDiff > 1e-12 || a.MaxLogDetDiff > 1e-12 {
			t.Errorf("%s vs %s at %s: outputs differ by %g, log-dets by %g", a.A, a.B, a.In, a.MaxOutputDiff, a.MaxLogDetDiff)
		}
		identity := slices.Equal(a.Permutation, []int{0, 1, 2, 3})
		if tfStyleAtC1 := a.A == "tutorial" && a.B == "tf-style" && a.In.C == 1; identity != tfStyleAtC1 {
			t.Errorf("%s vs %s at %s: permutation %v", a.A, a.B, a.In, a.Permutation)
		}
	}
}

// The tutorial model has Tutorial 11's 1,711,818 parameters; rowwise costs 1.63x the FLOPs.
func TestCosts(t *testing.T) {
	c := facts(t).Costs
	if !slices.Equal(c.Presets, []string{"tutorial", "small"}) {
		t.Fatalf("presets %v", c.Presets)
	}
	if len(c.Rows) != len(variants.AllCells()) {
		t.Fatalf("%d rows, want one per cell", len(c.Rows))
	}
	if got := c.Rows[0].Costs[0]; got.Params != 1_711_818 || fmt.Sprintf("%.2f", float64(got.FLOPs)/1e6) != "568.85" {
		t.Errorf("tutorial cell, tutorial preset: %+v, want 1,711,818 parameters and 568.85 MFLOPs", got)
	}
	if got := c.Rows[0].Costs[1].Params; got != 62_890 {
		t.Errorf("tutorial cell, small preset: %d parameters, want 62,890", got)
	}
	cmp := c.RowwiseVsChannelwise
	if !cmp.Known || cmp.Rowwise.Params >= cmp.Channelwise.Params || fmt.Sprintf("%.2f", cmp.FLOPsRatio()) != "1.63" {
		t.Errorf("rowwise vs channelwise %+v (ratio %.3f), want fewer parameters and 1.63x the FLOPs", cmp, cmp.FLOPsRatio())
	}
}

// A selection without tf-style or tf-ordered leaves the findings about them unknown.
func TestFindingsOutsideTheSelectionAreUnknown(t *testing.T) {
	sel, err := atlas.Select(map[variants.Axis][]string{variants.Squeeze: {"tutorial"}, variants.Mixing: {"none"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := atlas.Build(sel, mnist)
	if err != nil {
		t.Fatal(err)
	}
	f, err := atlas.ComputeFacts(a)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]atlas.Finding{
		"tutorial vs tf-style":   f.Squeezes.TutorialIsTFStyleC1,
		"tutorial vs tf-ordered": f.Squeezes.TutorialIsTFOrderedC1,
		"tf-ordered mask":        f.Partitions.TFOrderedMaskCheckerboard,
		"tf-ordered twins":       f.Partitions.TFOrderedSplitTwins,
	} {
		if got.Known {
			t.Errorf("%s: %+v, want unknown", name, got)
		}
	}
	if f.Partitions.TutorialMaskIsRowwise != known(true) {
		t.Errorf("tutorial mask is rowwise's: %+v, want known and true", f.Partitions.TutorialMaskIsRowwise)
	}
	if len(f.Absorption) != 0 || len(f.Partitions.Mixed.Cells) != 0 {
		t.Errorf("one squeeze, no mixing: %d absorption checks, %d mixed cells", len(f.Absorption), len(f.Partitions.Mixed.Cells))
	}
}

func TestReferencesAreDistinct(t *testing.T) {
	refs := atlas.References(mnist)
	for i, r := range refs {
		if got := atlas.PatternName(refs, r.Roles); got != r.Name {
			t.Errorf("reference %s is named %s", r.Name, got)
		}
		for _, s := range refs[i+1:] {
			if r.Roles == s.Roles {
				t.Errorf("%s and %s are one pattern", r.Name, s.Name)
			}
		}
	}
	mixed := strings.Repeat(string(rune(flow.RoleMixed)), 100) + strings.Repeat(string(rune(flow.RoleGone)), mnist.Size()-100)
	if got := atlas.PatternName(refs, mixed); got != atlas.PatternMixed {
		t.Errorf("mixed and gone pixels named %q", got)
	}
}
