package variants_test

import (
	"slices"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
	"squeezebench/variants/coupling/channelwise"
	"squeezebench/variants/internal/golden"
	"squeezebench/variants/split/channel"
	"squeezebench/variants/squeeze/tfstyle"
	"squeezebench/variants/squeeze/tutorial"
)

func TestBuiltinNames(t *testing.T) {
	want := map[variants.Axis][]string{
		variants.Squeeze:  {"tf-ordered", "tf-style", "tutorial"},
		variants.Split:    {"channel", "checkerboard"},
		variants.Coupling: {"channelwise", "rowwise"},
		variants.Mixing:   {"glow", "invconv", "none"},
	}
	if got := variants.Axes(); len(got) != len(want) {
		t.Errorf("Axes() = %v, want the %d axes %v", got, len(want), want)
	}
	for a, names := range want {
		if got := variants.Names(a); !slices.Equal(got, names) {
			t.Errorf("Names(%s) = %v, want %v", a, got, names)
		}
		for _, n := range names {
			v, err := variants.Lookup(a, n)
			if err != nil || v.Axis != a || v.Name != n || v.Doc == "" || strings.Contains(v.Doc, "\n") {
				t.Errorf("Lookup(%s, %q) = %+v, %v; want a variant with a one-line doc", a, n, v, err)
			}
		}
		if d := variants.Default(a); !slices.Contains(names, d) {
			t.Errorf("default %s variant %q is not registered", a, d)
		}
	}
}

// List is every registered variant once, axes in order, names sorted, one default per axis, each
// as Lookup describes it.
func TestList(t *testing.T) {
	var want []variants.Variant
	for _, a := range variants.Axes() {
		for _, n := range variants.Names(a) {
			v, err := variants.Lookup(a, n)
			if err != nil {
				t.Fatal(err)
			}
			if v.Default != (n == variants.Default(a)) {
				t.Errorf("Lookup(%s, %q).Default = %v", a, n, v.Default)
			}
			want = append(want, v)
		}
	}
	if got := variants.List(); !slices.Equal(got, want) {
		t.Errorf("List() = %+v\nwant %+v", got, want)
	}
}

func TestLookupErrors(t *testing.T) {
	cases := []struct {
		axis        variants.Axis
		name        string
		wantInError []string
	}{
		{variants.Squeeze, "nope", []string{`"nope"`, "tf-ordered, tf-style, tutorial"}},
		{variants.Split, "", []string{"channel, checkerboard"}},
		{variants.Coupling, "Rowwise", []string{"channelwise, rowwise"}},
		{variants.Mixing, "actnorm", []string{"glow, invconv, none"}},
		{"colour", "red", []string{"unknown axis", "squeeze, split, coupling, mixing"}},
	}
	for _, tc := range cases {
		_, err := variants.Lookup(tc.axis, tc.name)
		if err == nil {
			t.Errorf("Lookup(%s, %q): no error", tc.axis, tc.name)
			continue
		}
		for _, s := range tc.wantInError {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("Lookup(%s, %q) error %q lacks %q", tc.axis, tc.name, err, s)
			}
		}
	}
}

// Every bad registration panics before it touches the registry, so these leave it unchanged. A
// variant of the wrong interface, or of an axis that does not exist, does not compile.
func TestRegisterPanics(t *testing.T) {
	axes := variants.Axes()
	cases := []struct {
		name       string
		register   func()
		wantInText string
	}{
		{"duplicate", func() { variants.Squeezers.Register("tutorial", "doc", tutorial.Squeezer{}) }, "registered twice"},
		{"nil impl", func() { variants.Squeezers.Register("x", "doc", nil) }, "non-nil implementation"},
		{"no name", func() { variants.Splitters.Register("", "doc", channel.Splitter{}) }, "want a name"},
		{"axis twice", func() {
			variants.NewAxis(variants.Squeeze, "tutorial", variants.Named, func(*flow.Blueprint, flow.Squeezer) {})
		}, "defined twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.wantInText) {
					t.Errorf("panic %v, want one mentioning %q", r, tc.wantInText)
				}
			}()
			tc.register()
		})
	}
	if got := variants.Squeezers.Names(); len(got) != 3 {
		t.Errorf("squeeze registry changed: %v", got)
	}
	if got := variants.Axes(); !slices.Equal(got, axes) {
		t.Errorf("axes changed: %v, was %v", got, axes)
	}
}

// Each built-in table is the registry of its axis: typed Lookup gives the implementation that
// Resolve puts into the blueprint.
func TestTables(t *testing.T) {
	if sq, err := variants.Squeezers.Lookup("tutorial"); err != nil || sq != (tutorial.Squeezer{}) {
		t.Errorf("Squeezers.Lookup(tutorial) = %v, %v", sq, err)
	}
	if _, err := variants.Couplers.Lookup("diagonal"); err == nil || !strings.Contains(err.Error(), "channelwise, rowwise") {
		t.Errorf("Couplers.Lookup(diagonal): %v, want an error listing channelwise, rowwise", err)
	}
	tables := []struct {
		axis      variants.Axis
		tableAxis variants.Axis
		def       string
		names     []string
	}{
		{variants.Squeeze, variants.Squeezers.Axis(), variants.Squeezers.Default(), variants.Squeezers.Names()},
		{variants.Split, variants.Splitters.Axis(), variants.Splitters.Default(), variants.Splitters.Names()},
		{variants.Coupling, variants.Couplers.Axis(), variants.Couplers.Default(), variants.Couplers.Names()},
		{variants.Mixing, variants.Mixers.Axis(), variants.Mixers.Default(), variants.Mixers.Names()},
	}
	for i, tc := range tables {
		if tc.tableAxis != tc.axis || variants.Axes()[i] != tc.axis {
			t.Errorf("table %d is axis %q, Axes()[%d] = %q, want %q", i, tc.tableAxis, i, variants.Axes()[i], tc.axis)
		}
		if tc.def != variants.Default(tc.axis) || !slices.Equal(tc.names, variants.Names(tc.axis)) {
			t.Errorf("%s: the table and the untyped view disagree", tc.axis)
		}
	}
	choices, err := variants.Cell{variants.Squeeze: "tf-style"}.Resolve()
	if err != nil || len(choices) != len(variants.Axes()) {
		t.Fatalf("Resolve: %d choices, %v; want one per axis", len(choices), err)
	}
	var bp flow.Blueprint
	for _, c := range choices[:4] {
		c.Choose(&bp)
	}
	if bp.Squeeze != (tfstyle.Squeezer{}) || bp.Split != (channel.Splitter{}) || bp.Coupling != (channelwise.Coupler{}) || len(bp.Edits) != 1 {
		t.Errorf("blueprint %+v, want tf-style, channel, channelwise and one edit (mixing none)", bp)
	}
}

func TestCellNames(t *testing.T) {
	cases := []struct {
		cell         variants.Cell
		str, slug    string
		wantSqueeze  string
		wantCoupling string
	}{
		{variants.Cell{}, "squeeze=tutorial,split=channel,coupling=channelwise", "tutorial_channel_channelwise", "tutorial", "channelwise"},
		{variants.Cell{variants.Split: "checkerboard", variants.Squeeze: ""}, "squeeze=tutorial,split=checkerboard,coupling=channelwise", "tutorial_checkerboard_channelwise", "tutorial", "channelwise"},
		{variants.Cell{variants.Coupling: "rowwise", variants.Squeeze: "tf-style"}, "squeeze=tf-style,split=channel,coupling=rowwise", "tf-style_channel_rowwise", "tf-style", "rowwise"},
		// mixing is implicit: named only when it is not "none", so the names above never change
		{variants.Cell{variants.Mixing: "none"}, "squeeze=tutorial,split=channel,coupling=channelwise", "tutorial_channel_channelwise", "tutorial", "channelwise"},
		{variants.Cell{variants.Mixing: "invconv"}, "squeeze=tutorial,split=channel,coupling=channelwise,mixing=invconv", "tutorial_channel_channelwise_invconv", "tutorial", "channelwise"},
	}
	for _, tc := range cases {
		if got := tc.cell.String(); got != tc.str {
			t.Errorf("String = %q, want %q", got, tc.str)
		}
		if got := tc.cell.Slug(); got != tc.slug {
			t.Errorf("Slug = %q, want %q", got, tc.slug)
		}
		if tc.cell.Get(variants.Squeeze) != tc.wantSqueeze || tc.cell.Get(variants.Coupling) != tc.wantCoupling {
			t.Errorf("%s: Get gives %q, %q", tc.str, tc.cell.Get(variants.Squeeze), tc.cell.Get(variants.Coupling))
		}
	}
}

// Values are the names String spells out, so an implicit axis at its default is left out.
func TestCellValues(t *testing.T) {
	if got, want := (variants.Cell{variants.Coupling: "rowwise"}).Values(), []string{"tutorial", "channel", "rowwise"}; !slices.Equal(got, want) {
		t.Errorf("Values = %v, want %v", got, want)
	}
	if got, want := (variants.Cell{variants.Mixing: "invconv"}).Values(), []string{"tutorial", "channel", "channelwise", "invconv"}; !slices.Equal(got, want) {
		t.Errorf("Values = %v, want %v", got, want)
	}
}

func TestResolveErrors(t *testing.T) {
	cases := []struct {
		cell variants.Cell
		want string
	}{
		{variants.Cell{variants.Split: "diagonal"}, `unknown split variant "diagonal" (known: channel, checkerboard)`},
	}
	for _, tc := range cases {
		if _, err := tc.cell.Resolve(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Resolve(%v): %v, want an error mentioning %s", map[variants.Axis]string(tc.cell), err, tc.want)
		}
	}
}

// Keys that are not axes are settings of an experiment's grid: named after the axes (sorted), in
// the slug by their last key part, and no part of the model's choices.
func TestCellSettings(t *testing.T) {
	c := variants.Cell{variants.Split: "checkerboard", "model.gated_layers": "2", "dataset": "fashion-mnist"}
	if got, want := c.String(), "squeeze=tutorial,split=checkerboard,coupling=channelwise,dataset=fashion-mnist,model.gated_layers=2"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := c.Slug(), "tutorial_checkerboard_channelwise_dataset-fashion-mnist_gated_layers-2"; got != want {
		t.Errorf("Slug = %q, want %q", got, want)
	}
	plain := variants.Cell{variants.Split: "checkerboard"}
	a, err := c.Arch(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{VarDeq: 2, Stage: [3]int{2, 3, 4}, GatedLayers: 1})
	b, err2 := plain.Arch(flow.Shape{C: 1, H: 8, W: 8}, flow.Sizes{VarDeq: 2, Stage: [3]int{2, 3, 4}, GatedLayers: 1})
	if err != nil || err2 != nil || a.Fingerprint() != b.Fingerprint() {
		t.Errorf("settings changed the model's layout: %v, %v", err, err2)
	}
}

// The ablation grid: squeeze {tutorial, tf-style} x split x coupling, first axis slowest.
var ablation = map[variants.Axis][]string{
	variants.Squeeze:  {"tutorial", "tf-style"},
	variants.Split:    {"channel", "checkerboard"},
	variants.Coupling: {"channelwise", "rowwise"},
}

func TestGrid(t *testing.T) {
	want := []string{
		"tutorial_channel_channelwise", "tutorial_channel_rowwise",
		"tutorial_checkerboard_channelwise", "tutorial_checkerboard_rowwise",
		"tf-style_channel_channelwise", "tf-style_channel_rowwise",
		"tf-style_checkerboard_channelwise", "tf-style_checkerboard_rowwise",
	}
	var got []string
	for _, c := range variants.Grid(ablation) {
		got = append(got, c.Slug())
	}
	if !slices.Equal(got, want) {
		t.Errorf("Grid = %v, want %v", got, want)
	}
	if g := variants.Grid(map[variants.Axis][]string{variants.Split: {"checkerboard"}}); len(g) != 1 || g[0].Slug() != "tutorial_checkerboard_channelwise" {
		t.Errorf("Grid with one choice = %v", g)
	}
	combinations := 1
	for _, a := range variants.Axes() {
		combinations *= len(variants.Names(a))
	}
	if n := len(variants.AllCells()); n != combinations {
		t.Errorf("AllCells has %d cells, want the %d combinations of the registered variants", n, combinations)
	}
	mixing := variants.Grid(map[variants.Axis][]string{variants.Mixing: {"none", "invconv"}})
	if len(mixing) != 2 || mixing[0].Slug() != "tutorial_channel_channelwise" || mixing[1].Slug() != "tutorial_channel_channelwise_invconv" {
		t.Errorf("Grid over mixing = %v", mixing)
	}
}

// Every cell of the ablation (and of the built-in grid, which adds tf-ordered, invconv and glow) lays
// out a valid Tutorial 11 model on MNIST that ends at 8x7x7.
func TestCellArch(t *testing.T) {
	in := flow.Shape{C: 1, H: 28, W: 28}
	for _, c := range append(variants.Grid(ablation), variants.Grid(golden.Builtin)...) {
		a, err := c.Arch(in, flow.TutorialSizes)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", c, err)
		}
		last := a.Layers[len(a.Layers)-1]
		if got := last.OutShape(); got != (flow.Shape{C: 8, H: 7, W: 7}) {
			t.Errorf("%s: ends at %s, want 8x7x7", c, got)
		}
		// invconv puts an invconv, glow an actnorm and an invconv, before each of the 4 stage-3
		// couplings, in both coupling layouts
		mixers := map[string]int{"none": 0, "invconv": 4, "glow": 8}[c.Get(variants.Mixing)]
		if len(a.VarDeq) != 4 || len(a.Layers) != 2+3+1+1+4+mixers {
			t.Errorf("%s: %d vardeq couplings and %d layers, want 4 and %d", c, len(a.VarDeq), len(a.Layers), 11+mixers)
		}
	}
}
