package report

import (
	"fmt"
	"math"
	"time"

	"squeezebench/report/stats"
)

// PlanRow is what one contrast needs to detect an effect: from its seed-level sd, the minimum
// detectable effect with the seeds at hand and the seeds an effect of the planned size needs.
type PlanRow struct {
	Contrast    *Contrast
	SeedsNow    int
	SD          float64 // seed-level sd of the per-seed values
	MDENow      float64 // at the family's adjusted level, 80% power
	SeedsNeeded int     // for the planned effect; 0: more than MaxSeeds
	Wall        time.Duration
}

// Plan is the seeds and wall time contrasts need to detect an effect of a given size.
type Plan struct {
	Effect   float64 // bpd
	Power    float64
	MaxSeeds int
	// PerSeed is the measured wall time one more seed costs: one run of every distinct model,
	// at the experiment's runs at once, from the runs' recorded wall time (training and
	// evaluation).
	PerSeed  time.Duration
	Parallel int
	Rows     []PlanRow
}

// MaxPlanSeeds bounds the seeds a plan searches.
const MaxPlanSeeds = 256

// Plan computes, for every contrast of the main and hypothesis families and the interactions,
// the seeds needed to detect effect bpd with the given power at the family's adjusted level, and
// what that costs on the machine the runs were measured on.
func (an *Analysis) Plan(effect, power float64) *Plan {
	p := &Plan{Effect: effect, Power: power, MaxSeeds: MaxPlanSeeds, Parallel: max(an.Data.Experiment.Parallel, 1)}
	var perModel float64
	for _, cs := range an.Cells {
		if !cs.Twin() && cs.Wall.N > 0 {
			perModel += cs.Wall.Mean
		}
	}
	p.PerSeed = time.Duration(perModel / float64(p.Parallel) * float64(time.Second)).Round(time.Second)
	for _, fam := range an.Families() {
		for _, c := range fam {
			if c.N < 2 {
				continue
			}
			r := PlanRow{Contrast: c, SeedsNow: c.N, SD: c.SD, MDENow: c.MDE}
			r.SeedsNeeded = stats.SeedsNeeded(effect, c.SD, c.TestAlpha, power, p.MaxSeeds)
			if r.SeedsNeeded > 0 {
				r.Wall = time.Duration(r.SeedsNeeded) * p.PerSeed
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p
}

// Table renders the plan as Markdown.
func (p *Plan) Table() string {
	header := []string{"contrast", "seeds now", "seed-level sd", "detectable now (80%)",
		fmt.Sprintf("seeds for %s bpd", fmtNum(p.Effect, 4)), "wall time for them"}
	var rows [][]string
	for _, r := range p.Rows {
		need, wall := fmt.Sprintf("more than %d", p.MaxSeeds), "–"
		if r.SeedsNeeded > 0 {
			need, wall = fmt.Sprint(r.SeedsNeeded), fmtDuration(r.Wall)
		}
		rows = append(rows, []string{r.Contrast.Label, fmt.Sprint(r.SeedsNow), fmtNum(r.SD, 4), fmtNum(r.MDENow, 4), need, wall})
	}
	return markdown(header, rows)
}

// fmtDuration is "1 h 05 min", "12 min", "40 s", rounded to the minute from a minute on (so
// 3 h 59.6 min is "4 h 00 min", not "3 h 60 min").
func fmtDuration(d time.Duration) string {
	if d >= time.Minute-time.Second/2 {
		m := int(math.Round(d.Minutes()))
		if m >= 60 {
			return fmt.Sprintf("%d h %02d min", m/60, m%60)
		}
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", int(d.Seconds()))
}
