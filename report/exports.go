package report

// The machine-readable exports beside REPORT.md: runs.csv and summary.json.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"squeezebench/report/stats"
)

// precisionName is a configuration's precision as users write it.
func precisionName(p string) string {
	if p == "" {
		return "fp32"
	}
	return p
}

// runsCSV is one row per expected run.
func runsCSV(d *Data) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"cell", "slug"}
	for _, a := range d.Axes {
		header = append(header, string(a))
	}
	header = append(header, "seed", "status", "note", "run_dir", "same_model_as", "config_hash", "expected_config_hash", "preset", "batch",
		"params", "flops_per_image", "steps", "train_bpd", "val_bpd", "test_bpd", "train_images", "val_images", "test_images", "importance_samples",
		"minibatch_bpd", "ms_per_step", "eval_seconds", "wall_seconds", "backend", "engine", "precision", "workers", "threads", "go_version", "ended", "code_version")
	w.Write(header)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range d.Runs {
		row := []string{r.Cell.String(), r.Cell.Slug()}
		for _, a := range d.Axes {
			row = append(row, r.Cell.Get(a))
		}
		row = append(row, strconv.FormatUint(r.Seed, 10), r.Status, r.Note, r.Dir)
		if res := r.Result; res != nil {
			row = append(row, res.SameModelAs, res.ConfigHash, r.Hash, res.Config.Preset, strconv.Itoa(res.Config.Batch),
				strconv.Itoa(res.Params), strconv.FormatInt(res.FLOPsPerImage, 10), strconv.Itoa(res.Steps),
				f(res.TrainBPD), f(res.ValBPD), f(res.TestBPD), strconv.Itoa(res.TrainImages), strconv.Itoa(res.ValImages), strconv.Itoa(res.TestImages),
				strconv.Itoa(res.ImportanceSamples), f(res.MinibatchBPD), f(res.MsPerStep), f(res.EvalSeconds), f(res.WallSeconds),
				res.Backend, res.Config.Engine, precisionName(res.Config.Precision), strconv.Itoa(res.Config.Workers), strconv.Itoa(res.Threads), res.GoVersion, res.Ended, res.CodeVersion)
		} else {
			row = append(row, "", "", r.Hash)
			for len(row) < len(header) {
				row = append(row, "")
			}
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// num is a JSON number, or null for NaN and infinities.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func summaryOf(s stats.Summary) map[string]any {
	return map[string]any{"n": s.N, "mean": num(s.Mean), "sd": num(s.SD), "ci95_lo": num(s.Lo), "ci95_hi": num(s.Hi)}
}

func contrastJSON(c *Contrast) map[string]any {
	m := map[string]any{
		"kind": c.Kind, "label": c.Label, "quantity": c.Quantity.Name, "axis": c.Axis, "reference": c.Ref, "alternative": c.Alt,
		"strata": c.Strata, "strata_kept": c.Kept, "strata_twins": c.Twins, "strata_duplicates": c.Duplicates, "strata_excluded": c.Excluded,
		"seeds": c.Seeds, "per_seed": c.PerSeed, "seeds_dropped": c.DroppedSeeds,
		"n": c.N, "mean": num(c.Mean), "sd": num(c.SD), "se": num(c.SE), "t": num(c.T), "df": c.DF,
		"p_t": num(c.P), "p_signflip": num(c.PSignFlip), "signflip_exact": c.SignFlipExact,
		"family_size": c.Family, "level": num(c.Level), "ci_lo": num(c.Lo), "ci_hi": num(c.Hi),
		"p_t_adjusted": num(c.PAdj), "p_signflip_adjusted": num(c.PSignFlipAdj), "mde_80": num(c.MDE),
		"claimed": c.Claimed(), "signflip_agrees": c.SignFlipAgrees(), "verdict": c.Verdict(),
	}
	if c.Axis2 != "" {
		m["axis2"], m["reference2"], m["alternative2"] = c.Axis2, c.Ref2, c.Alt2
	}
	if c.Given != "" {
		m["given"] = c.Given
	}
	if bl := c.Block; bl != nil {
		m["block_anova"] = map[string]any{"estimate": num(bl.Estimate), "se": num(bl.SE), "df": bl.DF, "ci_lo": num(bl.Lo), "ci_hi": num(bl.Hi), "p": num(bl.P)}
	}
	return m
}

func summaryJSON(an *Analysis) ([]byte, error) {
	d := an.Data
	e := d.Experiment
	grid := map[string][]string{}
	for _, a := range d.Axes {
		grid[string(a)] = d.Levels[a]
	}
	var cells []map[string]any
	for _, c := range an.Cells {
		cells = append(cells, map[string]any{
			"cell": c.Name, "slug": c.Slug, "model": c.Model, "expected_runs": c.Expected, "ok_runs": c.OK, "seeds_ok": c.Seeds,
			"test_bpd": summaryOf(c.Test), "val_bpd": summaryOf(c.Val), "train_bpd": summaryOf(c.Train),
			"gap_val_train": summaryOf(c.GapVal), "params": summaryOf(c.Params), "flops_per_image": summaryOf(c.FLOPs),
			"ms_per_step": summaryOf(c.MsPerStep), "eval_seconds": summaryOf(c.Eval), "wall_seconds": summaryOf(c.Wall), "test_bpd_by_seed": c.TestBySeed,
		})
	}
	fam := func(cs []*Contrast) []map[string]any {
		var out []map[string]any
		for _, c := range cs {
			out = append(out, contrastJSON(c))
		}
		return out
	}
	var traces []map[string]any
	for _, t := range an.Traces {
		var pts []map[string]any
		for i, s := range t.Steps {
			pt := t.Points[i]
			pts = append(pts, map[string]any{"step": s, "epoch": num(t.Epochs[i]), "n": pt.N, "mean": num(pt.Mean), "ci_lo": num(pt.Lo), "ci_hi": num(pt.Hi), "level": num(pt.Level), "claimed": pt.Claimed(), "per_seed": pt.Values})
		}
		traces = append(traces, map[string]any{"contrast": t.Contrast.Label, "quantity": t.Label, "points": pts,
			"trend_over_second_half": map[string]any{"from_step": t.TrendSteps[0], "to_step": t.TrendSteps[1], "n": t.Trend.N, "mean": num(t.Trend.Mean), "ci_lo": num(t.Trend.Lo), "ci_hi": num(t.Trend.Hi)},
			"words":                  t.Words()})
	}
	var problems []map[string]any
	for _, r := range d.Runs {
		if !r.OK() {
			problems = append(problems, map[string]any{"cell": r.Cell.String(), "seed": r.Seed, "status": r.Status, "note": r.Note})
		}
	}
	var twins [][2]string
	for _, t := range e.Twins() {
		twins = append(twins, [2]string{t[0].String(), t[1].String()})
	}
	out := map[string]any{
		"experiment": e.Name, "description": e.Description, "grid": grid, "seeds": e.Seeds, "twins": twins,
		"budget": d.budget(), "evaluation": d.evaluation(), "config": e.Config, "expected_runs": len(d.Runs),
		"alpha_familywise": stats.Alpha, "adjustment": "bonferroni within each family", "unit_of_replication": "seed",
		"cells": cells, "main_effects": fam(an.Main), "interactions": fam(an.Interactions), "hypotheses": fam(an.Hypotheses),
		"effects_over_training": traces, "runs_not_ok": problems, "compute_matched": matchedJSON(an.Matched),
	}
	if d.DataRecord != nil {
		out["data"] = d.DataRecord
	}
	if t := d.newest(); !t.IsZero() {
		out["newest_result"] = t.UTC().Format(time.RFC3339)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	return append(b, '\n'), nil
}

func matchedJSON(ms []*Matched) []map[string]any {
	var out []map[string]any
	for _, m := range ms {
		out = append(out, map[string]any{"contrast": m.Main.Label, "flops_ratio": num(m.Ratio), "n": m.N, "per_seed": m.Values,
			"mean": num(m.Mean), "ci_lo": num(m.Lo), "ci_hi": num(m.Hi), "level": num(m.Level), "claimed": m.Claimed(), "words": m.Words()})
	}
	return out
}
