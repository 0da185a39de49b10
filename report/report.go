package report

import (
	"fmt"
	"os"
	"path/filepath"

	"squeezebench/runner"
	"squeezebench/runner/pool"
)

// TrainImages is the size of the training split (the tutorial's 50,000 of MNIST's 60,000).
const TrainImages = 50000

// Options say what Generate writes.
type Options struct {
	// CodeVersion overrides the code version (tests); empty: CodeVersionFile, else git.
	CodeVersion string
	// Reference is a results directory of the same experiment to compare with in the section
	// "Agreement with the reference". Empty: ReferenceDir(dir, name) when it exists; "-": none.
	Reference string
}

// ReferenceDir is where the committed reference results of an experiment live, seen from a
// results directory dir beside them: results/<name> -> results/reference/<name>.
func ReferenceDir(dir, name string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dir)), "reference", name)
}

// Written lists what Generate wrote, relative to the results directory.
type Written struct {
	Files []string
	// Usable and Expected count the runs.
	Usable, Expected int
}

// Generate reads the results directory dir and writes REPORT.md, runs.csv, summary.json and
// figures/*.png into it, each atomically. The output depends only on the stored results (and
// the code version), so regenerating gives identical files.
func Generate(dir string, opt Options) (*Written, error) {
	d, err := Load(dir)
	if err != nil {
		return nil, err
	}
	an := Analyze(d)
	ref, err := reference(dir, d.Experiment.Name, opt.Reference)
	if err != nil {
		return nil, err
	}
	w := &Written{Expected: len(d.Runs)}
	for _, r := range d.Runs {
		if r.OK() {
			w.Usable++
		}
	}
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := runner.WriteFileAtomic(path, data); err != nil {
			return err
		}
		w.Files = append(w.Files, name)
		return nil
	}
	figs := []struct {
		file, caption string
		make          func() ([]byte, error)
	}{
		{"figures/test_bpd.png", "Test bpd of every cell: each seed (grey), mean and 95% t interval (black); (k/n) is the ok runs of the expected.", an.TestFigure},
		{"figures/main_effects.png", "Main effects on test bpd: one value per seed (grey: the seed's mean over the strata of alternative − reference), mean and family-wise interval (black); * marks a claimed difference.",
			func() ([]byte, error) { return EffectsFigure(an.Main, "Main effects on test bpd") }},
		{"figures/interaction_effects.png", "Two-way interactions (difference of differences of test bpd), drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Interactions, "Interactions") }},
		{"figures/hypotheses.png", "Hypothesis tests: the split's effect on the generalisation gaps, and effects within each mixing level, drawn as the main effects.",
			func() ([]byte, error) { return EffectsFigure(an.Hypotheses, "Hypothesis tests") }},
		{"figures/effects_over_training.png", "Effects over training: every main effect and hypothesis test at every evaluation (validation bpd, or its gap to the training subset, with the evaluations' estimator): mean over seeds (line), family-wise interval at that step (band), per-seed values (grey), claimed differences (black).", an.TraceFigure},
		{"figures/interactions_over_training.png", "Interactions over training: every two-way interaction (difference of differences of validation bpd) at every evaluation, drawn as the effects over training.", an.InteractionTraceFigure},
		{"figures/by_setting.png", "Every variant effect against each numeric setting the grid varies: the effect within each of the setting's values, mean over seeds with its family-wise interval.", an.SettingFigure},
		{"figures/compute.png", "Compute-matched view: the validation bpd of every level of every varied axis (mean over seeds and the other axes) against training compute (top) and training time (bottom), from the evaluations after the first quarter of training.", an.ComputeFigure},
		{"figures/interactions.png", "Interaction plots: mean test bpd at each level of one axis, one line per level of another (averaged over seeds and the other axes). Parallel lines: no interaction.", an.InteractionFigure},
		{"figures/curves.png", "Learning curves, one panel per model (twins share one): bpd of the training subset and of the validation subset at every evaluation, with one estimator; line: mean over seeds, band: min–max. Every panel has the same y range, which leaves out the first evaluations.", an.CurvesFigure},
		{"figures/samples.png", "Samples drawn at the end of training, one seed per cell.", an.SamplesFigure},
	}
	var made []Figure
	for _, f := range figs {
		b, err := f.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.file, err)
		}
		if b == nil {
			continue
		}
		if err := write(f.file, b); err != nil {
			return nil, err
		}
		made = append(made, Figure{File: f.file, Caption: f.caption})
	}
	if err := write("runs.csv", runsCSV(d)); err != nil {
		return nil, err
	}
	sum, err := summaryJSON(an)
	if err != nil {
		return nil, err
	}
	if err := write("summary.json", sum); err != nil {
		return nil, err
	}
	version := opt.CodeVersion
	if version == "" {
		version = CodeVersion(dir)
	}
	if err := write("REPORT.md", []byte(an.Markdown(made, version, ref))); err != nil {
		return nil, err
	}
	return w, nil
}

// refAnalysis is a reference analysis with the path the report names it by.
type refAnalysis struct {
	dir string
	an  *Analysis
}

// reference loads the reference results of opt (see Options.Reference); nil without one, or when
// dir is the reference itself.
func reference(dir, name, opt string) (*refAnalysis, error) {
	if opt == "-" {
		return nil, nil
	}
	ref := opt
	if ref == "" {
		ref = ReferenceDir(dir, name)
		if _, err := os.Stat(filepath.Join(ref, "experiment.toml")); err != nil {
			return nil, nil
		}
	}
	if same, err := sameDir(dir, ref); err != nil || same {
		return nil, err
	}
	d, err := Load(ref)
	if err != nil {
		return nil, fmt.Errorf("the reference: %w", err)
	}
	rel, err := filepath.Rel(dir, ref)
	if err != nil {
		rel = ref
	}
	return &refAnalysis{dir: filepath.ToSlash(rel), an: Analyze(d)}, nil
}

func sameDir(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, fmt.Errorf("the reference: %w", err)
	}
	return os.SameFile(sa, sb), nil
}

// CodeVersion is the code version of the results in dir: the one recorded there, else the
// checkout's (git) marked as the report's, else "unknown".
func CodeVersion(dir string) string {
	if v := pool.CodeVersion(dir); v != "" {
		return v
	}
	if v := runner.CodeVersion(); v != "" {
		return v + " (of the report; the runs did not record theirs)"
	}
	return "unknown"
}

// PlanEffect is the effect size the report's "what could be detected" section plans for.
const PlanEffect = 0.005
