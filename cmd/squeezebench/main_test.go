package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"squeezebench/variants"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "squeezebench-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "squeezebench")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building the binary: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	return string(out), err
}

func TestDescribeTutorialParameterCount(t *testing.T) {
	out, err := run(t, "describe", "-preset", "tutorial")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "1,711,818") {
		t.Errorf("describe -preset tutorial does not report the tutorial's 1,711,818 parameters:\n%s", out)
	}
}

func TestCheckAllCells(t *testing.T) {
	out, err := run(t, "check", "-size", "4", "-samples", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.Count(out, " ok\n"); n < 8 || strings.Contains(out, "FAIL") {
		t.Errorf("want every cell ok (at least the ablation's 8):\n%s", out)
	}
}

// The variants table has exactly one row per registered (axis, variant), matched by exact
// column values, with the default marked and a description, and the four axes are all there.
func TestVariantsListsEveryAxis(t *testing.T) {
	out, err := run(t, "variants")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	header := lines[0]
	cols := []int{0, strings.Index(header, "variant"), strings.Index(header, "default"), strings.Index(header, "description")}
	if !strings.HasPrefix(header, "axis") || slices.Contains(cols[1:], -1) {
		t.Fatalf("header %q lacks the columns axis, variant, default, description", header)
	}
	field := func(row string, i int) string {
		if cols[i] >= len(row) {
			return ""
		}
		if i+1 < len(cols) && cols[i+1] <= len(row) {
			return strings.TrimSpace(row[cols[i]:cols[i+1]])
		}
		return strings.TrimSpace(row[cols[i]:])
	}
	listed := map[string]bool{}
	seenAxes := map[string]bool{}
	for _, row := range lines[1:] {
		axis, name, def, doc := field(row, 0), field(row, 1), field(row, 2), field(row, 3)
		key := axis + "/" + name
		if listed[key] {
			t.Errorf("%s listed twice", key)
		}
		listed[key], seenAxes[axis] = true, true
		if (def == "yes") != (variants.Default(variants.Axis(axis)) == name) || (def != "" && def != "yes") {
			t.Errorf("row %q: default column %q, but the default of %s is %q", row, def, axis, variants.Default(variants.Axis(axis)))
		}
		if doc == "" {
			t.Errorf("row %q has no description", row)
		}
	}
	for _, a := range []string{"squeeze", "split", "coupling", "mixing"} {
		if !seenAxes[a] {
			t.Errorf("variants lists no %s variant:\n%s", a, out)
		}
	}
	want := 0
	for _, a := range variants.Axes() {
		for _, n := range variants.Names(a) {
			want++
			if !listed[string(a)+"/"+n] {
				t.Errorf("variants does not list %s variant %q:\n%s", a, n, out)
			}
		}
	}
	if len(listed) != want {
		t.Errorf("variants lists %d rows, want the %d registered variants:\n%s", len(listed), want, out)
	}
}

func TestTrainWritesResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, err := run(t, "train", "-preset", "smoke", "-steps", "4", "-squeeze", "tf-style", "-split", "checkerboard", "-coupling", "rowwise", "-out", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{"result.json", "metrics.csv", "samples.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
}

func TestBadInputIsAClearError(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "-squeeze", "bogus", "-out", "x"}, "known: tf-ordered, tf-style, tutorial"},
		{[]string{"train", "-preset", "huge", "-out", "x"}, `unknown preset "huge"`},
		{[]string{"train", "-preset", "smoke"}, "-out DIR is required"},
		{[]string{"train", "-preset", "smoke", "-out", "x", "-data", "/nonexistent"}, "/nonexistent/train-images-idx3-ubyte"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"ablate", "-experiment", "smoke", "-stop-starting-after", "-1h"}, "-stop-starting-after -1h0m0s: want a duration, at least 0"},
	}
	for _, tc := range cases {
		out, err := run(t, tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("squeezebench %s: err %v, output %q; want a failure mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	if out, err := run(t, "check", "-h"); err != nil {
		t.Errorf("check -h should succeed: %v\n%s", err, out)
	}
}

// Two ablate processes on one results directory (as two shards or two machines would) finish
// the smoke experiment between them, training every run once; a third finds everything done.
func TestAblateTwoProcessesOneDir(t *testing.T) {
	dir := t.TempDir()
	args := []string{"ablate", "-experiment", "smoke", "-results", dir, "-parallel", "1"}
	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = run(t, args...)
		}()
	}
	wg.Wait()
	for i := range 2 {
		// A process that found runs trained by the other says so and exits non-zero.
		if errs[i] != nil && !strings.Contains(outs[i], "because other live processes train them") {
			t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
		}
		if strings.Contains(outs[i], "stopping") {
			t.Errorf("process %d printed a stopping message without a signal:\n%s", i, outs[i])
		}
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "seed-*"))
	if len(runs) != 4 {
		t.Fatalf("%d run directories, want 4 (2 cells x 2 seeds)", len(runs))
	}
	for _, r := range runs {
		log, _ := os.ReadFile(filepath.Join(r, "train.log"))
		if n := strings.Count(string(log), " parameters, "); n != 1 {
			t.Errorf("%s trained %d times:\n%s", r, n, log)
		}
		if _, err := os.Stat(filepath.Join(r, "result.json")); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "experiment.toml")); err != nil {
		t.Errorf("no copy of the experiment file: %v", err)
	}
	out, err := run(t, args...)
	if err != nil || strings.Count(out, "ok (done before)") != 4 {
		t.Errorf("third invocation: %v, want 4 jobs done before:\n%s", err, out)
	}
}

func TestAblateBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[grid]\nsqueeze = [\"nope\"]\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ablate"}, "-experiment FILE|NAME is required"},
		{[]string{"ablate", "-experiment", bad}, "bad.toml:2:"},
		{[]string{"ablate", "-experiment", "nosuch"}, "built in: ablation"},
		{[]string{"ablate", "-experiment", "smoke", "-shard", "3/2"}, "1 <= K <= N"},
	}
	for _, tc := range cases {
		out, err := run(t, tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("squeezebench %s: err %v, output %q; want a failure mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
}

// Flags out of range are refused, not replaced by the preset's values.
func TestTrainFlagsOutOfRange(t *testing.T) {
	for _, tc := range []struct{ flag, value, want string }{
		{"-steps", "-1", "training.steps: want a number of training steps, at least 1; got -1"},
		{"-steps", "0", "training.steps: want a number of training steps, at least 1; got 0"},
		{"-epochs", "-2", "training.epochs: want a number of epochs, at least 1; got -2"},
		{"-batch", "0", "training.batch: want images per step, at least 1; got 0"},
		{"-test-images", "-5", "evaluation.test_images: want test images (0: the whole test set), at least 0; got -5"},
		{"-val-every", "-3", "evaluation.val_every: want steps between validations"},
	} {
		out, err := run(t, "train", "-preset", "smoke", tc.flag, tc.value, "-out", t.TempDir())
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("train %s %s: err %v, output %q; want %q", tc.flag, tc.value, err, out, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-precision", "half"}, `-precision: want "fp32" or "bf16"`},
		{[]string{"-precision", "bf16", "-engine", "stock"}, "-precision bf16 needs -engine fast"},
	} {
		args := append([]string{"train", "-preset", "smoke", "-out", t.TempDir()}, tc.args...)
		out, err := run(t, args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("train %v: err %v, output %q; want %q", tc.args, err, out, tc.want)
		}
	}
	out, err := run(t, "ablate", "-experiment", "smoke", "-results", t.TempDir(), "-parallel", "-1")
	if err == nil || !strings.Contains(out, "-parallel -1: want the runs trained at once, at least 1") {
		t.Errorf("ablate -parallel -1: err %v, output %q", err, out)
	}
}

// Outputs are checked before any work: an unwritable -out or -results fails at once, and a
// results directory holding another experiment is refused unless asked to replace it.
func TestOutputsAreCheckedFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	out, err := run(t, "train", "-preset", "smoke", "-steps", "4", "-out", filepath.Join(file, "run"))
	if err == nil || !strings.Contains(out, "-out:") || strings.Contains(out, "step 1/") {
		t.Errorf("train -out under a file: err %v, output %q; want a refusal before training", err, out)
	}
	out, err = run(t, "ablate", "-experiment", "smoke", "-results", file)
	if err == nil || !strings.Contains(out, "-results:") || !strings.Contains(out, "not a directory") {
		t.Errorf("ablate -results FILE: err %v, output %q", err, out)
	}
	dir := t.TempDir()
	other := []byte("name = \"other\"\n[model]\npreset = \"smoke\"\n")
	os.WriteFile(filepath.Join(dir, "experiment.toml"), other, 0o644)
	out, err = run(t, "ablate", "-experiment", "smoke", "-results", dir)
	if err == nil || !strings.Contains(out, "holds another experiment than experiments/smoke.toml") || !strings.Contains(out, "-replace-experiment") {
		t.Errorf("ablate into a directory of another experiment: err %v, output %q", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "experiment.toml")); string(b) != string(other) {
		t.Error("the refused invocation changed experiment.toml")
	}
	if runs, _ := filepath.Glob(filepath.Join(dir, "runs", "*")); len(runs) > 0 {
		t.Errorf("the refused invocation trained: %v", runs)
	}
}

// An experiment of one known data set refuses a -data directory holding another.
func TestAblateRefusesAnotherKnownDataSet(t *testing.T) {
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist"); err != nil {
		t.Skip("Fashion-MNIST is not installed (make fashion-mnist)")
	}
	out, err := run(t, "ablate", "-experiment", "smoke", "-results", t.TempDir(), "-data", "/usr/share/datasets/fashion-mnist")
	if err == nil || !strings.Contains(out, "holds fashion-mnist, but the experiment is of mnist") {
		t.Errorf("smoke (MNIST) with -data Fashion-MNIST: err %v, output %q", err, out)
	}
}

// -set overrides a key for one invocation: the results go to the overridden experiment's own
// directory, which records the effective experiment.
func TestAblateSet(t *testing.T) {
	root := t.TempDir()
	cmd := exec.Command(binary, "ablate", "-experiment", "smoke", "-set", "seeds=1", "-set", "training.steps=4", "-set", "grid.coupling=[\"rowwise\"]")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "results", "smoke-set-*"))
	if len(dirs) != 1 {
		t.Fatalf("results directories %v, want one smoke-set-*:\n%s", dirs, out)
	}
	runs, _ := filepath.Glob(filepath.Join(dirs[0], "runs", "*", "seed-*"))
	if len(runs) != 1 || !strings.Contains(runs[0], "rowwise") {
		t.Errorf("runs %v, want the one rowwise cell with one seed", runs)
	}
	rec, _ := os.ReadFile(filepath.Join(dirs[0], "experiment.toml"))
	if !strings.Contains(string(rec), "-set training.steps=4") || !strings.Contains(string(rec), "steps = 4") {
		t.Errorf("recorded experiment:\n%s", rec)
	}
	o, err := run(t, "train", "-preset", "smoke", "-set", "training.stpes=3", "-out", t.TempDir())
	if err == nil || !strings.Contains(o, "did you mean training.steps?") {
		t.Errorf("train -set with a misspelt key: %v\n%s", err, o)
	}
}

// -dry-run prints the cells, twins with a suggested exclusion and an estimate, and writes nothing.
func TestAblateDryRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "res")
	src := filepath.Join(t.TempDir(), "tw.toml")
	os.WriteFile(src, []byte("seeds = 2\n[grid]\nsqueeze = [\"tutorial\", \"tf-ordered\"]\nsplit = [\"channel\", \"checkerboard\"]\n[model]\npreset = \"smoke\"\n[training]\nsteps = 4\n"), 0o644)
	out, err := run(t, "ablate", "-experiment", src, "-results", dir, "-dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"4 cells x 2 seeds = 8 jobs", "tf-ordered_checkerboard_channelwise  (same model as squeeze=tf-ordered,split=channel",
		`exclude = [{ squeeze = "tf-ordered", split = "checkerboard" }]`, "6 runs to train", "estimated wall time", "Nothing was written"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the dry run created the results directory")
	}
}

// compare of a results directory with itself finds no difference; with a copy whose runs of one
// cell are perturbed it finds that cell.
func TestCompareCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a")
	if out, err := run(t, "ablate", "-experiment", "smoke", "-results", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := run(t, "compare", dir, dir)
	if err != nil || !strings.Contains(out, "the answers agree") || strings.Contains(out, "**no**") {
		t.Errorf("compare with itself: %v\n%s", err, out)
	}
	copyDir := filepath.Join(t.TempDir(), "b")
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for _, seed := range []string{"seed-1", "seed-2"} {
		p := filepath.Join(copyDir, "runs", "tutorial_channel_rowwise", seed, "result.json")
		b, _ := os.ReadFile(p)
		var m map[string]any
		json.Unmarshal(b, &m)
		m["test_bpd"] = m["test_bpd"].(float64) + 0.5
		b, _ = json.Marshal(m)
		os.WriteFile(p, b, 0o644)
	}
	out, err = run(t, "compare", copyDir, dir)
	if err != nil || !strings.Contains(out, "| tutorial_channel_rowwise") || !strings.Contains(out, "**no**") {
		t.Errorf("compare with a perturbed copy: %v\n%s", err, out)
	}
}

// -reuse copies another results directory's finished runs of the same configurations: the dry
// run counts them as copies, the ablation trains none and reports them; a directory that is no
// results directory, or the results directory itself, is refused.
func TestAblateReuse(t *testing.T) {
	from, dir := filepath.Join(t.TempDir(), "from"), filepath.Join(t.TempDir(), "to")
	if out, err := run(t, "ablate", "-experiment", "smoke", "-results", from); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := run(t, "ablate", "-experiment", "smoke", "-results", dir, "-reuse", from, "-dry-run")
	if err != nil || !strings.Contains(out, "4 runs to copy from "+from) || !strings.Contains(out, "0 runs to train") {
		t.Errorf("dry run with -reuse: %v\n%s", err, out)
	}
	out, err = run(t, "ablate", "-experiment", "smoke", "-results", dir, "-reuse", from)
	if err != nil || !strings.Contains(out, "(0 trained, 0 failed)") || !strings.Contains(out, "copied from "+from) {
		t.Errorf("ablate with -reuse: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(from, "runs", "tutorial_channel_rowwise", "seed-2", "result.json"))
	got, _ := os.ReadFile(filepath.Join(dir, "runs", "tutorial_channel_rowwise", "seed-2", "result.json"))
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("the copied result.json differs from its source")
	}
	if _, err := os.Stat(filepath.Join(dir, "REPORT.md")); err != nil {
		t.Errorf("no report on the copied runs: %v", err)
	}
	for _, bad := range []string{t.TempDir(), dir} {
		if out, err := run(t, "ablate", "-experiment", "smoke", "-results", dir, "-reuse", bad); err == nil || !strings.Contains(out+err.Error(), "-reuse "+bad) {
			t.Errorf("-reuse %s: %v\n%s", bad, err, out)
		}
	}
}
