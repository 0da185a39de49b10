package atlas

import (
	"fmt"

	"gorgonia.org/tensor"

	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
)

// CostTable is the parameters and forward FLOPs per image of every cell at every preset.
type CostTable struct {
	Presets []string
	Rows    []CostRow // one per cell of the atlas, in its order
	// RowwiseVsChannelwise compares the default cell with its rowwise twin at Presets[0]; Known
	// when both are in the atlas.
	RowwiseVsChannelwise CostComparison
}

// CostRow is one cell's cost at each of the table's presets.
type CostRow struct {
	Cell  variants.Cell
	Costs []Cost
}

// Cost is one model's size and forward cost per image (flow.Model.NumParams and FLOPs).
type Cost struct {
	Params int
	FLOPs  int64
}

// CostComparison is the cost of the rowwise coupling against the channelwise one.
type CostComparison struct {
	Known                bool
	Preset               string
	Rowwise, Channelwise Cost
}

// FLOPsRatio is rowwise FLOPs / channelwise FLOPs.
func (c CostComparison) FLOPsRatio() float64 {
	return float64(c.Rowwise.FLOPs) / float64(c.Channelwise.FLOPs)
}

// CostPresets are the presets of the cost table: the tutorial's model and the ablation's.
var CostPresets = []string{"tutorial", "small"}

func costTable(a Atlas) (CostTable, error) {
	t := CostTable{Presets: CostPresets}
	var sizes []flow.Sizes
	for _, p := range t.Presets {
		cfg, err := runner.Preset(p)
		if err != nil {
			return CostTable{}, err
		}
		sizes = append(sizes, cfg.Sizes)
	}
	for _, cp := range a.Cells {
		row := CostRow{Cell: cp.Cell}
		for _, sz := range sizes {
			c, err := CellCost(cp.Cell, a.Image, sz)
			if err != nil {
				return CostTable{}, err
			}
			row.Costs = append(row.Costs, c)
		}
		t.Rows = append(t.Rows, row)
	}
	rowwise, err := named(variants.Coupling, "rowwise")
	if err != nil {
		return CostTable{}, err
	}
	cw, okC := t.row(variants.Cell{})
	rw, okR := t.row(variants.Cell{variants.Coupling: rowwise})
	if okC && okR {
		t.RowwiseVsChannelwise = CostComparison{Known: true, Preset: t.Presets[0], Rowwise: rw.Costs[0], Channelwise: cw.Costs[0]}
	}
	return t, nil
}

func (t CostTable) row(c variants.Cell) (CostRow, bool) {
	for _, r := range t.Rows {
		if r.Cell.String() == c.String() {
			return r, true
		}
	}
	return CostRow{}, false
}

// CellCost is the parameter count and FLOPs per image of cell c's model at sizes sz.
func CellCost(c variants.Cell, img flow.Shape, sz flow.Sizes) (Cost, error) {
	arch, err := c.Arch(img, sz)
	if err != nil {
		return Cost{}, err
	}
	m, err := flow.New(arch, tensor.Float32, 1)
	if err != nil {
		return Cost{}, fmt.Errorf("cell %s: %w", c, err)
	}
	return Cost{Params: m.NumParams(), FLOPs: m.FLOPs()}, nil
}
