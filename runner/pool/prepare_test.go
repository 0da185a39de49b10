package pool

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"squeezebench/experiments"
)

func builtin(t *testing.T, name string) *experiments.Experiment {
	t.Helper()
	e, err := experiments.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Prepare writes the experiment copy and data.json of a new results directory, and refuses,
// before writing anything, a directory that is not one or that holds another experiment.
func TestPrepare(t *testing.T) {
	e := builtin(t, "smoke")
	warn := func(msg string) { t.Errorf("unexpected warning: %s", msg) }

	dir := filepath.Join(t.TempDir(), "results")
	data, order, err := Prepare(dir, e, e.Jobs(), "", false, warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 1 || data[order[0]] == nil || data[order[0]].ID() != order[0] {
		t.Fatalf("Prepare: order %v, data %v: want the one data set of the smoke experiment", order, data)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ExperimentFile)); err != nil || !bytes.Equal(b, e.Source) {
		t.Errorf("%s: %v, %q: want the experiment's source", ExperimentFile, err, b)
	}
	if rec, err := ReadDataRecord(dir); err != nil || rec.ID != order[0] {
		t.Errorf("data.json: %v, %+v: want %v", err, rec, order[0])
	}
	if _, _, err := Prepare(dir, e, e.Jobs(), "", false, warn); err != nil {
		t.Errorf("again on its own directory: %v", err)
	}

	// A copy that differs only in its comments is this experiment's: accepted, and rewritten.
	if err := os.WriteFile(filepath.Join(dir, ExperimentFile), append([]byte("# an older comment\n"), e.Source...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prepare(dir, e, e.Jobs(), "", false, warn); err != nil {
		t.Errorf("a copy differing only in comments: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ExperimentFile)); !bytes.Equal(b, e.Source) {
		t.Errorf("the copy was not rewritten: %q", b)
	}
	// One that trains other runs is another's, even under the same name.
	changed := strings.Replace(string(e.Source), "seeds = 2", "seeds = 3", 1)
	if changed == string(e.Source) {
		t.Fatal("the smoke experiment no longer says seeds = 2")
	}
	if err := os.WriteFile(filepath.Join(dir, ExperimentFile), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prepare(dir, e, e.Jobs(), "", false, warn); err == nil || !strings.Contains(err.Error(), "-replace-experiment") {
		t.Errorf("a copy with another seed count: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ExperimentFile), e.Source, 0o644); err != nil {
		t.Fatal(err)
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, ExperimentFile), []byte("name = \"other\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prepare(other, e, e.Jobs(), "", false, warn); err == nil || !strings.Contains(err.Error(), "-replace-experiment") {
		t.Errorf("a directory of another experiment: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, DataFile)); !os.IsNotExist(err) {
		t.Errorf("refused, but %s was written (%v)", DataFile, err)
	}
	if _, _, err := Prepare(other, e, e.Jobs(), "", true, warn); err != nil {
		t.Errorf("replace: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, ExperimentFile)); !bytes.Equal(b, e.Source) {
		t.Errorf("replace: %s is %q", ExperimentFile, b)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prepare(file, e, e.Jobs(), "", false, warn); err == nil || !strings.HasPrefix(err.Error(), "-results: ") {
		t.Errorf("a file as results directory: %v", err)
	}
}

// The command's -parallel and -checkpoint-every replace the experiment's; a -parallel is
// checked against the machine's memory.
func TestWithExperiment(t *testing.T) {
	e := builtin(t, "smoke")
	base := Options{Shard: 1, Shards: 2}
	opt, err := base.WithExperiment(e, 0, -1, 1)
	if err != nil || opt.Parallel != e.Parallel || opt.CheckpointEvery != e.CheckpointEvery || opt.Shard != 1 || opt.Shards != 2 {
		t.Errorf("no overrides: %+v, %v: want the experiment's %d at once, checkpoints every %d, the shard kept", opt, err, e.Parallel, e.CheckpointEvery)
	}
	opt, err = base.WithExperiment(e, 3, 0, 1<<40)
	if err != nil || opt.Parallel != 3 || opt.CheckpointEvery != 0 {
		t.Errorf("-parallel 3 -checkpoint-every 0: %+v, %v", opt, err)
	}
	if _, err := base.WithExperiment(e, 2, -1, 1<<10); err == nil || !strings.HasPrefix(err.Error(), "-parallel 2: ") {
		t.Errorf("-parallel 2 on a machine of 1 KB: %v", err)
	}
}

func TestBanner(t *testing.T) {
	e := builtin(t, "smoke")
	got := Banner(e, e.Jobs(), Options{Parallel: 2}, "res")
	want := "experiment smoke (" + e.File + "): 2 cells x 2 seeds = 4 jobs; 2 at once; results in res"
	if got != want {
		t.Errorf("Banner:\n got %s\nwant %s", got, want)
	}
	got = Banner(e, e.Jobs(), Options{Parallel: 1, Shard: 2, Shards: 3}, "res")
	if want := "4 jobs, shard 2/3: 1 of them; 1 at once"; !strings.Contains(got, want) {
		t.Errorf("shard 2/3: %s\nwant it to say %q", got, want)
	}
	ext := builtin(t, "extended")
	n := len(ext.Twins())
	if n == 0 {
		t.Fatal("the extended experiment has no twins")
	}
	if got, want := Banner(ext, ext.Jobs(), Options{Parallel: 1}, "res"), " jobs ("+strconv.Itoa(n)+" cells are twins of others"; !strings.Contains(got, want) {
		t.Errorf("extended: %s\nwant it to say %q", got, want)
	}
}

func TestResumeCommand(t *testing.T) {
	got := ResumeCommand([]string{"-experiment", "my exp.toml", "-set", `grid.split=["a"]`, "", "it's", "-shard", "1/2"})
	want := `squeezebench ablate -experiment 'my exp.toml' -set 'grid.split=["a"]' '' 'it'\''s' -shard 1/2`
	if got != want {
		t.Errorf("ResumeCommand:\n got %s\nwant %s", got, want)
	}
}
