package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/variants"
)

// constructedTOML is a 2 (split) x 2 (coupling) grid with 5 seeds; the runs are made up by
// writeConstructed, not trained.
const constructedTOML = `name = "constructed"
seeds = 5

[grid]
split = ["channel", "checkerboard"]
coupling = ["channelwise", "rowwise"]

[model]
preset = "smoke"

[training]
steps = 10
`

// writeConstructed writes a results tree whose test bpd is 1.3 + bpd(cell, seed), and whose
// status is status(cell, seed) ("" for ok; "missing" leaves the run out).
func writeConstructed(t *testing.T, bpd func(c variants.Cell, seed uint64) float64, status func(c variants.Cell, seed uint64) string) string {
	t.Helper()
	dir := t.TempDir()
	e, err := experiments.Parse("constructed.toml", []byte(constructedTOML))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "experiment.toml"), []byte(constructedTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, j := range e.Jobs() {
		st := runner.StatusOK
		if status != nil && status(j.Cell, j.Seed) != "" {
			st = status(j.Cell, j.Seed)
		}
		if st == StatusMissing {
			continue
		}
		test := 1.3 + bpd(j.Cell, j.Seed)
		r := runner.Result{Variants: map[string]string{}, Cell: j.Cell.String(), Seed: j.Seed, Config: j.Config, ConfigHash: j.Config.Hash(),
			Params: 1000, FLOPsPerImage: 2e6, Steps: 10, TrainBPD: test + 0.02, ValBPD: test + 0.03, TestBPD: test, TestImages: 64,
			MsPerStep: 50, WallSeconds: 2, Status: st, Backend: "fast/gonum", GoVersion: "go1.26", Threads: 2}
		if st != runner.StatusOK {
			r.Error, r.TestBPD = "loss became NaN at step 7", 0
		}
		for a, v := range j.Cell {
			r.Variants[string(a)] = v
		}
		b, _ := json.Marshal(r)
		rd := filepath.Join(dir, j.RunDir())
		if err := os.MkdirAll(rd, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rd, "result.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		csv := fmt.Sprintf("step,epoch,lr,train_bpd,grad_norm,val_bpd,elapsed_s\n5,0.1,0.001,%g,1,,1\n10,0.2,0.001,%g,1,%g,2\n", test+1, test+0.02, test+0.03)
		if err := os.WriteFile(filepath.Join(rd, "metrics.csv"), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		log := fmt.Sprintf("--- 2026-01-0%d 10:00:00: x (pid 1 on h)\n", 1+j.Seed%5)
		if err := os.WriteFile(filepath.Join(rd, "train.log"), []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noise is a fixed pseudo-random jitter per cell and seed, sd 0.002 bpd.
func noise(c variants.Cell, seed uint64) float64 {
	h := fnv.New64a()
	h.Write([]byte(c.String()))
	return 0.002 * rand.New(rand.NewPCG(h.Sum64(), seed)).NormFloat64()
}

func analyze(t *testing.T, dir string) *Analysis {
	t.Helper()
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Analyze(d)
}

func main(an *Analysis, a variants.Axis) *Comparison {
	for _, c := range an.Main {
		if c.Axis == a {
			return c
		}
	}
	return nil
}

func TestVerdictClearEffect(t *testing.T) {
	dir := writeConstructed(t, func(c variants.Cell, s uint64) float64 {
		v := noise(c, s)
		if c.Get(variants.Split) == "checkerboard" {
			v += 0.012
		}
		return v
	}, nil)
	an := analyze(t, dir)
	c := main(an, variants.Split)
	if c == nil || c.N != 10 || c.Dropped != 0 {
		t.Fatalf("split effect: %+v", c)
	}
	near(t, "split effect", c.Mean, 0.012, 0.002)
	if !c.Significant() {
		t.Fatalf("a 0.012 bpd effect with ±0.002 noise is not significant: %+v", c.Paired)
	}
	v := c.Verdict()
	for _, want := range []string{"checkerboard is worse than channel by 0.01", "95% CI 0.0", "Holm-adjusted over 2 tests", "10 pairs"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict %q lacks %q", v, want)
		}
	}
	// The coupling has no effect here: no claim.
	if cc := main(an, variants.Coupling); cc.Significant() || !strings.HasPrefix(cc.Verdict(), "no difference detectable at this budget") {
		t.Errorf("coupling verdict: %s", cc.Verdict())
	}
}

func TestVerdictNoEffect(t *testing.T) {
	an := analyze(t, writeConstructed(t, noise, nil))
	for _, c := range an.Main {
		v := c.Verdict()
		if c.Significant() || !strings.HasPrefix(v, "no difference detectable at this budget") || !strings.Contains(v, "|diff| < 0.00") {
			t.Errorf("%s: %s", c.Label, v)
		}
	}
	if len(an.Interactions) != 1 || an.Interactions[0].N != 5 {
		t.Fatalf("interactions: %+v", an.Interactions)
	}
	if v := an.Interactions[0].Verdict(); !strings.HasPrefix(v, "no interaction detectable") {
		t.Errorf("interaction: %s", v)
	}
}

func TestFailedRunsDropPairs(t *testing.T) {
	status := func(c variants.Cell, s uint64) string {
		switch {
		case c.Get(variants.Split) == "checkerboard" && c.Get(variants.Coupling) == "rowwise" && s == 2:
			return runner.StatusDiverged
		case c.Get(variants.Split) == "channel" && c.Get(variants.Coupling) == "channelwise" && s == 4:
			return StatusMissing
		}
		return ""
	}
	dir := writeConstructed(t, noise, status)
	an := analyze(t, dir)
	c := main(an, variants.Split)
	// Split pairs: (coupling, seed); (rowwise, 2) and (channelwise, 4) each lose one side.
	if c.N != 8 || c.Dropped != 2 || c.Strata != 10 {
		t.Errorf("split pairs %d, dropped %d of %d; want 8, 2 of 10", c.N, c.Dropped, c.Strata)
	}
	if !strings.Contains(c.Verdict(), "2 of 10 dropped for runs that are not ok") {
		t.Errorf("verdict does not say pairs were dropped: %s", c.Verdict())
	}
	if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"18 of 20 expected runs usable", "2 of 20 expected runs are not usable",
		"| tutorial_checkerboard_rowwise |    2 | diverged | loss became NaN at step 7 |", "| tutorial_channel_channelwise  |    4 | missing  | no result.json            |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(string(md))
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "runs.csv"))
	if n := strings.Count(string(csv), "\n"); n != 21 {
		t.Errorf("runs.csv has %d lines, want a header and 20 runs", n)
	}
}

// A real smoke tree, trained here in a few seconds: the report is written, its figures decode,
// and regenerating it gives identical files.
func TestReportOnSmokeTree(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	e, err := experiments.Builtin("smoke")
	if err != nil {
		t.Fatal(err)
	}
	data, err := dataset.Load("")
	if err != nil {
		t.Skip("no MNIST:", err)
	}
	dir := filepath.Join(t.TempDir(), "smoke")
	var jobs []runner.AblationJob
	for _, j := range e.Jobs() {
		cfg := j.Config
		cfg.Steps, cfg.ValEvery, cfg.ValImages, cfg.TestImages, cfg.ImportanceSamples = 3, 2, 16, 16, 1
		jobs = append(jobs, runner.AblationJob{Index: j.Index, Name: j.String(), Dir: filepath.Join(dir, j.RunDir()), Config: cfg})
	}
	// The stored experiment must describe the runs: write the shortened one.
	src := strings.NewReplacer("steps = 6", "steps = 3", "val_every = 3", "val_every = 2", "val_images = 32", "val_images = 16",
		"test_images = 32", "test_images = 16", "importance_samples = 2", "importance_samples = 1").Replace(string(e.Source))
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "experiment.toml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range runner.Ablate(context.Background(), jobs, data, runner.AblateOptions{Parallel: 2}) {
		if r.Failed() {
			t.Fatalf("%s: %s %v", r.Job.Name, r.Status, r.Err)
		}
	}
	w, err := Generate(dir, Options{CodeVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Usable != 4 || w.Expected != 4 {
		t.Fatalf("usable %d of %d, want 4 of 4 (is the stored experiment the trained one?)", w.Usable, w.Expected)
	}
	first := map[string][]byte{}
	for _, f := range w.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		first[f] = b
		if strings.HasSuffix(f, ".png") {
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	for _, want := range []string{"REPORT.md", "runs.csv", "summary.json", "figures/test_bpd.png", "figures/main_effects.png", "figures/curves.png", "figures/samples.png"} {
		if first[want] == nil {
			t.Errorf("%s not written (wrote %v)", want, w.Files)
		}
	}
	md := string(first["REPORT.md"])
	for _, want := range []string{"# squeezebench report: smoke", "**coupling (rowwise vs channelwise), test bpd:**",
		"**Not varied in this experiment** (every run uses squeeze=tutorial)", "3 training steps of batch 16", "2 seeds (1, 2)"} {
		if !strings.Contains(md, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	var sum map[string]any
	if err := json.Unmarshal(first["summary.json"], &sum); err != nil {
		t.Errorf("summary.json: %v", err)
	}
	// Regenerating gives identical files.
	if _, err := Generate(dir, Options{CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	for f, b := range first {
		again, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Equal(b, again) {
			t.Errorf("%s differs when regenerated", f)
		}
	}
	// A run removed: the report still works and says so.
	os.Remove(filepath.Join(dir, "runs", "tutorial_channel_rowwise", "seed-2", "result.json"))
	w, err = Generate(dir, Options{CodeVersion: "test"})
	if err != nil || w.Usable != 3 {
		t.Fatalf("partial results: %v, %+v", err, w)
	}
	md2, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if !strings.Contains(string(md2), "| tutorial_channel_rowwise |    2 | missing | no result.json |") {
		t.Errorf("the missing run is not listed:\n%s", md2)
	}
}
