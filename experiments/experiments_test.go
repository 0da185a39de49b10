package experiments_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"squeezebench/dataset"
	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/variants"
)

// mixing is the axis extended.toml adds.
const mixing = variants.Mixing

func TestBuiltins(t *testing.T) {
	want := []string{"ablation", "bf16", "bf16-tutorial", "extended", "fashion", "fashion-mixing", "long", "smoke", "tutorial", "tutorial-coupling", "tutorial-split", "tutorial-squeeze"}
	if got := experiments.BuiltinNames(); !slices.Equal(got, want) {
		t.Fatalf("BuiltinNames() = %v, want %v", got, want)
	}
	tests := []struct {
		name         string
		cells, seeds int
		preset       string
	}{
		{"ablation", 8, 8, "small"},
		{"bf16", 2, 8, "small"},
		{"bf16-tutorial", 2, 6, "tutorial"},
		{"smoke", 2, 2, "smoke"},
		{"extended", 36, 8, "small"},
		{"fashion", 8, 8, "small"},
		{"fashion-mixing", 12, 8, "small"},
		{"long", 8, 8, "small"},
		{"tutorial-split", 2, 6, "tutorial"},
		{"tutorial-coupling", 2, 6, "tutorial"},
		{"tutorial-squeeze", 2, 6, "tutorial"},
		{"tutorial", 8, 3, "tutorial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := experiments.Builtin(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			// The file on disk is the embedded one.
			disk, err := experiments.Load(tt.name + ".toml")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(disk.Config, e.Config) || !slices.Equal(disk.Seeds, e.Seeds) || !reflect.DeepEqual(disk.Grid, e.Grid) {
				t.Errorf("%s.toml on disk and embedded differ", tt.name)
			}
			if e.Name != tt.name || e.Description == "" {
				t.Errorf("name %q, description %q", e.Name, e.Description)
			}
			if e.ResultsDir() != "results/"+tt.name {
				t.Errorf("ResultsDir() = %q", e.ResultsDir())
			}
			if e.Config.Preset != tt.preset {
				t.Errorf("preset %q, want %q", e.Config.Preset, tt.preset)
			}
			if len(e.Cells()) != tt.cells || len(e.Seeds) != tt.seeds {
				t.Errorf("%d cells x %d seeds, want %d x %d", len(e.Cells()), len(e.Seeds), tt.cells, tt.seeds)
			}
			jobs := e.Jobs()
			if len(jobs) != tt.cells*tt.seeds {
				t.Fatalf("%d jobs, want %d", len(jobs), tt.cells*tt.seeds)
			}
			for _, j := range jobs {
				if err := j.Config.Validate(); err != nil {
					t.Errorf("job %s: %v", j, err)
				}
			}
		})
	}
}

// The ablation's budget is the one its comment computes.
func TestAblationBudget(t *testing.T) {
	e, err := experiments.Builtin("ablation")
	if err != nil {
		t.Fatal(err)
	}
	c := e.Config
	if c.Steps != 0 || c.Epochs != 1 || c.Batch != 64 || c.Workers != 1 || c.Engine != "fast" {
		t.Errorf("steps %d, epochs %d, batch %d, workers %d, engine %q; want 0, 1, 64, 1, fast", c.Steps, c.Epochs, c.Batch, c.Workers, c.Engine)
	}
	// One epoch per run: 64 runs (8 cells x 8 seeds) x 781 steps at the measured rate of the
	// budget comment (two single-worker runs at once) is its training time.
	const stepsPerSecond, budget = 20.7, 45 * 60
	runs := len(e.Jobs())
	steps := runs * c.Epochs * (50000 / c.Batch)
	if training := float64(steps) / stepsPerSecond; runs != 64 || len(e.Seeds) != 8 || training > budget {
		t.Errorf("%d runs (%d seeds), %d steps: %.0f s of training, want 64 runs of 8 seeds within %d s", runs, len(e.Seeds), steps, training, budget)
	}
	if e.Parallel != max(1, runtime.GOMAXPROCS(0)) {
		t.Errorf("parallel %d, want GOMAXPROCS %d", e.Parallel, runtime.GOMAXPROCS(0))
	}
	want := map[variants.Axis][]string{
		variants.Squeeze:  {"tutorial", "tf-style"},
		variants.Split:    {"channel", "checkerboard"},
		variants.Coupling: {"channelwise", "rowwise"},
	}
	for _, a := range variants.Axes() {
		w, ok := want[a]
		if !ok {
			w = []string{variants.Default(a)} // e.g. mixing: none
		}
		if !slices.Equal(e.Grid[a], w) {
			t.Errorf("grid %s = %v, want %v", a, e.Grid[a], w)
		}
	}
}

// Jobs are cell-major in variants.Grid order, then seeds in the file's order, each fully resolved.
func TestJobsOrder(t *testing.T) {
	e, err := experiments.Parse("order.toml", []byte(`
seeds = [7, 3]
[grid]
coupling = ["rowwise", "channelwise"]
squeeze = ["tf-style", "tutorial"]
`))
	if err != nil {
		t.Fatal(err)
	}
	cells := variants.Grid(map[variants.Axis][]string{
		variants.Squeeze:  {"tf-style", "tutorial"},
		variants.Coupling: {"rowwise", "channelwise"},
	})
	jobs := e.Jobs()
	if len(jobs) != len(cells)*2 {
		t.Fatalf("%d jobs, want %d", len(jobs), len(cells)*2)
	}
	for i, j := range jobs {
		cell, seed := cells[i/2], []uint64{7, 3}[i%2]
		if j.Index != i || j.Cell.String() != cell.String() || j.Seed != seed {
			t.Errorf("job %d = #%d %s, want %s seed %d", i, j.Index, j, cell, seed)
		}
		if j.Config.Cell.String() != cell.String() || j.Config.Seed != seed {
			t.Errorf("job %d: config has cell %s seed %d", i, j.Config.Cell, j.Config.Seed)
		}
		if want := "runs/" + cell.Slug() + "/seed-" + []string{"7", "3"}[i%2]; j.RunDir() != want {
			t.Errorf("job %d: RunDir %q, want %q", i, j.RunDir(), want)
		}
	}
	if got := jobs[0].String(); !strings.HasPrefix(got, "squeeze=tf-style,split=channel,coupling=rowwise") || !strings.HasSuffix(got, " seed 7") {
		t.Errorf("jobs[0] = %q", got)
	}
	// Jobs do not share cells: changing one leaves the others alone.
	jobs[0].Cell[variants.Split] = "checkerboard"
	if jobs[1].Cell.Get(variants.Split) != "channel" || e.Jobs()[0].Cell.Get(variants.Split) != "channel" {
		t.Error("jobs share their cell maps")
	}
}

// A file that sets nothing trains the preset's default cell once, with the compute defaults.
func TestDefaults(t *testing.T) {
	for _, src := range []string{"", "[grid]\n", "[model]\npreset = \"small\"\n"} {
		e, err := experiments.Parse("dir/minimal.toml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		want, _ := runner.Preset("small")
		want.Workers, want.Engine = 1, "fast"
		if !reflect.DeepEqual(e.Config, want) {
			t.Errorf("%q: config\n%+v, want\n%+v", src, e.Config, want)
		}
		if e.Name != "minimal" || e.ResultsDir() != "results/minimal" || e.File != "dir/minimal.toml" || string(e.Source) != src {
			t.Errorf("%q: name %q, results %q, file %q", src, e.Name, e.ResultsDir(), e.File)
		}
		if !slices.Equal(e.Seeds, []uint64{1}) || e.Parallel != max(1, runtime.GOMAXPROCS(0)) {
			t.Errorf("%q: seeds %v, parallel %d", src, e.Seeds, e.Parallel)
		}
		for _, a := range variants.Axes() {
			if !slices.Equal(e.Grid[a], []string{variants.Default(a)}) {
				t.Errorf("%q: grid %s = %v, want the default", src, a, e.Grid[a])
			}
		}
		if jobs := e.Jobs(); len(jobs) != 1 || jobs[0].Cell.String() != (variants.Cell{}).String() || jobs[0].Seed != 1 {
			t.Errorf("%q: jobs %v", src, jobs)
		}
	}
}

func TestSeeds(t *testing.T) {
	tests := []struct {
		src  string
		want []uint64
	}{
		{"", []uint64{1}},
		{"seeds = 1", []uint64{1}},
		{"seeds = 4", []uint64{1, 2, 3, 4}},
		{"seeds = [1]", []uint64{1}},
		{"seeds = [5, 2, 9]", []uint64{5, 2, 9}},
		{"seeds = [0, 1]", []uint64{0, 1}},
		{"seeds = [\n  1,\n  2,\n]", []uint64{1, 2}},
	}
	for _, tt := range tests {
		e, err := experiments.Parse("seeds.toml", []byte(tt.src))
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if !slices.Equal(e.Seeds, tt.want) {
			t.Errorf("%q: seeds %v, want %v", tt.src, e.Seeds, tt.want)
		}
		if len(e.Jobs()) != len(tt.want) {
			t.Errorf("%q: %d jobs", tt.src, len(e.Jobs()))
		}
	}
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want func(c *runner.Config)
		par  int
	}{
		{"sizes", "[model]\npreset = \"smoke\"\nvardeq = 0\nstage = [5, 6, 7]\ngated_layers = 2\n", func(c *runner.Config) {
			*c, _ = runner.Preset("smoke")
			c.Sizes.VarDeq, c.Sizes.Stage, c.Sizes.GatedLayers = 0, [3]int{5, 6, 7}, 2
		}, 0},
		{"epochs replace the preset's steps", "[training]\nepochs = 2\nbatch = 32\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.Steps, c.Epochs, c.Batch = 0, 2, 32
		}, 0},
		{"steps replace the preset's epochs", "[model]\npreset = \"tutorial\"\n[training]\nsteps = 10\n", func(c *runner.Config) {
			*c, _ = runner.Preset("tutorial")
			c.Steps, c.Epochs = 10, 0
		}, 0},
		{"optimiser", "[training]\nlr = 2e-3\nlr_gamma = 1\nclip_norm = 0\nlog_every = 7\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.LR, c.LRGamma, c.ClipNorm, c.LogEvery = 2e-3, 1, 0, 7
		}, 0},
		{"integer lr", "[training]\nlr = 1\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.LR = 1
		}, 0},
		{"evaluation", "[evaluation]\nval_every = 0\nval_images = 0\ntest_images = 123\nimportance_samples = 1\neval_batch = 7\nsample_images = 0\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.ValEvery, c.ValImages, c.TestImages, c.ImportanceSamples, c.EvalBatch, c.SampleImages = 0, 0, 123, 1, 7, 0
		}, 0},
		{"compute", "[compute]\nparallel = 3\nworkers = 2\nengine = \"stock\"\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.Workers, c.Engine = 2, "stock"
		}, 3},
		{"workers 0: one run at a time", "[compute]\nworkers = 0\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.Workers = 0
		}, 1},
		{"dotted keys and inline tables", "training.steps = 9\nmodel = { stage = [1, 2, 3] }\n", func(c *runner.Config) {
			*c, _ = runner.Preset("small")
			c.Steps, c.Sizes.Stage = 9, [3]int{1, 2, 3}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := experiments.Parse("o.toml", []byte("seeds = [4, 5]\n"+tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var want runner.Config
			tt.want(&want)
			if want.Workers == 0 && !strings.Contains(tt.src, "workers") {
				want.Workers = 1
			}
			if want.Engine == "" {
				want.Engine = "fast"
			}
			if !reflect.DeepEqual(e.Config, want) {
				t.Errorf("config\n%+v, want\n%+v", e.Config, want)
			}
			for _, j := range e.Jobs() {
				w := want
				w.Cell, w.Seed = j.Cell, j.Seed
				if !reflect.DeepEqual(j.Config, w) {
					t.Errorf("job %s: config\n%+v, want\n%+v", j, j.Config, w)
				}
			}
			if tt.par != 0 && e.Parallel != tt.par {
				t.Errorf("parallel %d, want %d", e.Parallel, tt.par)
			}
		})
	}
}

// Every kind of bad input is an error naming the file, the line, the field and what was expected.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the error; the first is "bad.toml:LINE:"
	}{
		{"misspelt table", "seeds = 2\n[trainig]\nsteps = 5\n", []string{"bad.toml:2:", "[trainig]", "unknown table", "did you mean [training]?"}},
		{"misspelt key", "[training]\nbatch = 3\nstep = 5\n", []string{"bad.toml:3:", "training.step:", "unknown key", "did you mean training.steps?", "steps, epochs, batch"}},
		{"unknown top-level key", "name = \"x\"\nseed = 3\n", []string{"bad.toml:2:", "seed:", "unknown key", "did you mean seeds?"}},
		{"unknown precision", "[compute]\nprecision = \"fp16\"\n", []string{"bad.toml:2:", "compute.precision:", `want "fp32" or "bf16"`, `got "fp16"`}},
		{"bf16 on the stock ops", "[compute]\nengine = \"stock\"\nprecision = \"bf16\"\n", []string{"bad.toml:3:", "compute.precision:", `needs compute.engine = "fast"`}},
		{"unknown key far from any", "[compute]\ngpus = 8\n", []string{"bad.toml:2:", "compute.gpus:", "unknown key", "known keys in [compute]: parallel, workers, engine, precision, checkpoint_every"}},
		{"unknown axis", "[grid]\nsqueeze = [\"tutorial\"]\ncolour = [\"red\"]\n", []string{"bad.toml:3:", "grid.colour:", `unknown axis "colour"`, "squeeze, split, coupling"}},
		{"misspelt axis", "[grid]\nsplt = [\"channel\"]\n", []string{"bad.toml:2:", "grid.splt:", "did you mean split?"}},
		{"unknown variant", "[grid]\nsqueeze = [\"tutorial\",\n  \"tf\"]\n", []string{"bad.toml:3:", "grid.squeeze:", `unknown squeeze variant "tf"`, "tf-ordered, tf-style, tutorial"}},
		{"duplicate variant", "[grid]\nsplit = [\"channel\", \"checkerboard\", \"channel\"]\n", []string{"bad.toml:2:", "grid.split:", `"channel" is listed twice`}},
		{"empty variant list", "[grid]\ncoupling = []\n", []string{"bad.toml:2:", "grid.coupling:", "at least one variant name", "channelwise, rowwise"}},
		{"variant not a list", "[grid]\ncoupling = \"rowwise\"\n", []string{"bad.toml:2:", "grid.coupling:", "want a list of variant names", "got a TOML string"}},
		{"negative steps", "[training]\nsteps = -5\n", []string{"bad.toml:2:", "training.steps:", "at least 1", "got -5"}},
		{"zero steps", "[training]\n\nsteps = 0\n", []string{"bad.toml:3:", "training.steps:", "at least 1", "got 0"}},
		{"zero epochs", "[training]\nepochs = 0\n", []string{"bad.toml:2:", "training.epochs:", "at least 1"}},
		{"steps and epochs", "[training]\nsteps = 5\nepochs = 1\n", []string{"bad.toml:3:", "training.epochs:", "steps or as epochs, not both"}},
		{"epochs and steps", "[training]\nepochs = 1\nsteps = 5\n", []string{"bad.toml:3:", "training.steps:", "not both"}},
		{"steps not an integer", "[training]\nsteps = 2.5\n", []string{"bad.toml:2:", "training.steps:", "want an integer", "got a TOML float"}},
		{"steps a string", "[training]\nsteps = \"many\"\n", []string{"bad.toml:2:", "training.steps:", "want an integer", "got a TOML string"}},
		{"batch 0", "[training]\nbatch = 0\n", []string{"bad.toml:2:", "training.batch:", "at least 1", "got 0"}},
		{"negative lr", "[training]\nlr = -0.1\n", []string{"bad.toml:2:", "training.lr:", "positive", "got -0.1"}},
		{"lr_gamma above 1", "[training]\nlr_gamma = 1.5\n", []string{"bad.toml:2:", "training.lr_gamma:", "(0, 1]"}},
		{"negative clip_norm", "[training]\nclip_norm = -1\n", []string{"bad.toml:2:", "training.clip_norm:", "0: no clipping"}},
		{"log_every 0", "[training]\nlog_every = 0\n", []string{"bad.toml:2:", "training.log_every:", "at least 1"}},
		{"zero seeds", "seeds = 0\n", []string{"bad.toml:1:", "seeds:", "want a count", "got 0"}},
		{"negative seed count", "name = \"x\"\nseeds = -2\n", []string{"bad.toml:2:", "seeds:", "got -2"}},
		{"empty seed list", "seeds = []\n", []string{"bad.toml:1:", "seeds:", "non-empty list", "got an empty list"}},
		{"duplicate seed", "seeds = [1,\n  2,\n  1]\n", []string{"bad.toml:3:", "seeds:", "seed 1 is listed twice"}},
		{"negative seed", "seeds = [1, -1]\n", []string{"bad.toml:1:13", "seeds:", "got -1 in the list"}},
		{"too many seeds", "seeds = 100000000\n", []string{"bad.toml:1:", "seeds:", "from 1 to 10000", "got 100000000"}},
		{"float seeds", "seeds = 2.5\n", []string{"bad.toml:1:", "seeds:", "got a float"}},
		{"string seeds", "seeds = \"3\"\n", []string{"bad.toml:1:", "seeds:", "got a string"}},
		{"unknown preset", "[model]\npreset = \"huge\"\n", []string{"bad.toml:2:", "model.preset:", `unknown preset "huge"`, "small, smoke, tutorial"}},
		{"stage of 2", "[model]\nstage = [8, 12]\n", []string{"bad.toml:2:", "model.stage:", "3 stages", "got 2 values"}},
		{"stage with 0", "[model]\nstage = [8,\n 0, 16]\n", []string{"bad.toml:3:", "model.stage:", "stage 2, at least 1; got 0"}},
		{"stage not a list", "[model]\nstage = 8\n", []string{"bad.toml:2:", "model.stage:", "list of 3"}},
		{"negative vardeq", "[model]\nvardeq = -1\n", []string{"bad.toml:2:", "model.vardeq:", "at least 0"}},
		{"negative gated layers", "[model]\ngated_layers = -1\n", []string{"bad.toml:2:", "model.gated_layers:", "at least 0"}},
		{"importance samples 0", "[evaluation]\nimportance_samples = 0\n", []string{"bad.toml:2:", "evaluation.importance_samples:", "at least 1"}},
		{"eval batch 0", "[evaluation]\neval_batch = 0\n", []string{"bad.toml:2:", "evaluation.eval_batch:", "at least 1"}},
		{"negative val_every", "[evaluation]\nval_every = -1\n", []string{"bad.toml:2:", "evaluation.val_every:", "0: only at the end"}},
		{"negative test images", "[evaluation]\ntest_images = -1\n", []string{"bad.toml:2:", "evaluation.test_images:", "at least 0"}},
		{"unknown engine", "[compute]\nengine = \"gpu\"\n", []string{"bad.toml:2:", "compute.engine:", `"fast"`, `"stock"`, `got "gpu"`}},
		{"negative parallel", "[compute]\nparallel = -1\n", []string{"bad.toml:2:", "compute.parallel:", "at least 1"}},
		{"negative workers", "[compute]\nworkers = -1\n", []string{"bad.toml:2:", "compute.workers:", "0: all cores"}},
		{"negative checkpoint_every", "[compute]\ncheckpoint_every = -5\n", []string{"bad.toml:2:", "compute.checkpoint_every:", "at least 0"}},
		{"bad name", "name = \"../etc\"\n", []string{"bad.toml:1:", "name:", "results directory", `"../etc"`}},
		{"table as a value", "training = 3\n", []string{"bad.toml:1:", "training:", "want a table"}},
		{"table for a list", "[grid]\nsqueeze = [\"tutorial\"]\n[grid.split]\nx = 1\n", []string{"bad.toml:3:", "grid.split:", "want a list of variant names", "got a table"}},
		{"array of tables", "[[grid]]\n", []string{"bad.toml:1:", "grid:", "want a table of variant-name lists", "got an array of tables"}},
		{"unknown subtable", "[model.extra]\nx = 1\n", []string{"bad.toml:1:", "[model.extra]", "unknown table", "known keys in [model]: preset"}},
		{"dotted key", "\ntraining.steps = -1\n", []string{"bad.toml:2:", "training.steps:", "at least 1"}},
		{"inline table", "model = { preset = \"x\" }\n", []string{"bad.toml:1:", "model.preset:", "unknown preset"}},
		{"syntax", "seeds = 3\n[training\n", []string{"bad.toml:2:", "TOML syntax"}},
		{"key twice", "seeds = 3\nseeds = 4\n", []string{"bad.toml:2:", "seeds:", "already defined"}},
		{"infinite lr", "[training]\nlr = inf\n", []string{"bad.toml:2:", "training.lr:", "finite", "got +Inf"}},
		{"infinite clip_norm", "[training]\nclip_norm = inf\n", []string{"bad.toml:2:", "training.clip_norm:", "finite"}},
		{"nan lr", "[training]\nlr = nan\n", []string{"bad.toml:2:", "training.lr:", "got NaN"}},
		{"batch above the training set", "[training]\nbatch = 100000\n", []string{"bad.toml:2:", "training.batch:", "at most the mnist's 50000 training images"}},
		{"test images above the test set", "[evaluation]\ntest_images = 20000\n", []string{"bad.toml:2:", "evaluation.test_images:", "at most the mnist's 10000 test images, got 20000"}},
		{"val images above the validation set", "[evaluation]\nval_images = 10001\n", []string{"bad.toml:2:", "evaluation.val_images:", "10000 validation images"}},
		{"unknown data set", "dataset = \"cifar\"\n", []string{"bad.toml:1:", "dataset:", `unknown data set "cifar"`, "known: mnist"}},
		{"samples beyond memory", "[training]\nbatch = 50000\n[evaluation]\nsample_images = 100000\n", []string{"bad.toml:4:", "evaluation.sample_images:", "lower evaluation.sample_images", "GB"}},
		{"huge stage", "[model]\nstage = [100000, 12, 16]\n", []string{"bad.toml:2:", "model.stage:", "lower model.stage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := experiments.Parse("bad.toml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error for %q", tt.src)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var fe *experiments.FieldError
			if !errors.As(err, &fe) || fe.File != "bad.toml" || fe.Line == 0 {
				t.Errorf("error %q: want a *FieldError with file and line", err)
			}
		})
	}
}

// All problems of a file are reported at once, in file order.
func TestManyErrors(t *testing.T) {
	src := `seeds = [1, 1]
[grid]
squeeze = ["nope"]
[trainig]
steps = 1
[training]
batch = -1
`
	_, err := experiments.Parse("many.toml", []byte(src))
	var es experiments.Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v, want Errors", err)
	}
	want := []struct {
		line  int
		field string
	}{{1, "seeds"}, {3, "grid.squeeze"}, {4, "[trainig]"}, {7, "training.batch"}}
	if len(es) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i, w := range want {
		if es[i].Line != w.line || es[i].Field != w.field {
			t.Errorf("error %d at line %d field %q, want line %d field %q", i, es[i].Line, es[i].Field, w.line, w.field)
		}
	}
	if n := strings.Count(err.Error(), "\n"); n != len(want)-1 {
		t.Errorf("error text has %d lines, want one per problem:\n%v", n+1, err)
	}
}

func TestMixingAxis(t *testing.T) {
	e, err := experiments.Parse("mix.toml", []byte("[grid]\nmixing = [\"none\", \"invconv\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	jobs := e.Jobs()
	if len(jobs) != 2 || jobs[0].Cell.Get(mixing) != "none" || jobs[1].Cell.Get(mixing) != "invconv" {
		t.Errorf("jobs %v", jobs)
	}
	if jobs[0].Config.Hash() == jobs[1].Config.Hash() {
		t.Error("mixing does not change the hash")
	}
	_, err = experiments.Parse("mix.toml", []byte("[grid]\nmixing = [\"actnorm\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "mix.toml:2:") || !strings.Contains(err.Error(), "glow, invconv, none") {
		t.Errorf("unknown mixing variant: err = %v", err)
	}
}

// Configuration hashes tell jobs apart and do not change from one load to the next; a cell two
// shipped experiments share has the same hash in both.
func TestHashes(t *testing.T) {
	names := []string{"ablation", "smoke", "tutorial", "extended"}
	byCell := map[string]string{} // "ablation"-like configs: cell+seed -> hash
	for _, name := range names {
		a, err := experiments.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := experiments.Load(name + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		ja, jb := a.Jobs(), b.Jobs()
		seen := map[string]string{}
		for i := range ja {
			h := ja[i].Config.Hash()
			if other, dup := seen[h]; dup {
				t.Errorf("%s: jobs %s and %s have the same hash %s", name, other, ja[i], h)
			}
			seen[h] = ja[i].String()
			if hb := jb[i].Config.Hash(); hb != h {
				t.Errorf("%s: job %s hashes %s, then %s", name, ja[i], h, hb)
			}
			if name == "ablation" {
				byCell[ja[i].String()] = h
			}
			if name == "extended" {
				if h0, ok := byCell[ja[i].String()]; ok && h0 != h {
					t.Errorf("job %s: hash %s in extended, %s in ablation", ja[i], h, h0)
				}
			}
		}
	}
}

func TestOpen(t *testing.T) {
	for _, ref := range []string{"smoke", "smoke.toml", "./smoke.toml"} {
		e, err := experiments.Open(ref)
		if err != nil || e.Name != "smoke" {
			t.Errorf("Open(%q) = %v, %v", ref, e, err)
		}
	}
	if e, _ := experiments.Open("smoke"); e.File != "experiments/smoke.toml" {
		t.Errorf("built-in smoke File = %q", e.File)
	}
	for _, ref := range []string{"nosuch", "nosuch.toml", "dir/nosuch"} {
		_, err := experiments.Open(ref)
		if err == nil || !strings.Contains(err.Error(), "nosuch") || !strings.Contains(err.Error(), strings.Join(experiments.BuiltinNames(), ", ")) {
			t.Errorf("Open(%q): err = %v, want one naming it and the built-in experiments", ref, err)
		}
	}
	if _, err := experiments.Load("nosuch.toml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
	src, err := experiments.BuiltinSource("ablation")
	if disk, _ := os.ReadFile("ablation.toml"); err != nil || string(src) != string(disk) {
		t.Errorf("BuiltinSource(ablation) differs from ablation.toml (err %v)", err)
	}
}

// The shipped smoke experiment trains, in seconds: its first job runs to the end.
func TestSmokeTrains(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	e, err := experiments.Builtin("smoke")
	if err != nil {
		t.Fatal(err)
	}
	data, err := dataset.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range e.Jobs()[:2] { // the first cell with both seeds
		o, err := runner.Train(context.Background(), j.Config, data, io.Discard, runner.Options{})
		if err != nil {
			t.Fatalf("%s: %v", j, err)
		}
		if o.Result.Steps != 6 || o.Result.TestBPD <= 0 {
			t.Errorf("%s: %d steps, test bpd %v", j, o.Result.Steps, o.Result.TestBPD)
		}
	}
}

// checkpoint_every sets how often runs save a checkpoint, and is not part of any job's
// configuration (checkpoints do not change the numbers).
func TestCheckpointEvery(t *testing.T) {
	a, err := experiments.Parse("a.toml", []byte("[compute]\ncheckpoint_every = 25\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := experiments.Parse("a.toml", []byte(""))
	if err != nil {
		t.Fatal(err)
	}
	if a.CheckpointEvery != 25 || b.CheckpointEvery != 0 {
		t.Errorf("checkpoint_every %d and %d, want 25 and 0 (left out)", a.CheckpointEvery, b.CheckpointEvery)
	}
	if a.Jobs()[0].Config.Hash() != b.Jobs()[0].Config.Hash() {
		t.Error("checkpoint_every changed the configuration hash")
	}
}

// Structural twins come from the model fingerprints: in extended exactly the tf-ordered cells'
// two splits are one model, and every such job is served by the job of the same seed of the
// channel-split cell; the ablation has none.
func TestTwinJobs(t *testing.T) {
	ext, err := experiments.Builtin("extended")
	if err != nil {
		t.Fatal(err)
	}
	twins := ext.Twins()
	if len(twins) != 6 { // one pair per coupling x mixing
		t.Fatalf("extended: %d twin pairs, want 6: %v", len(twins), twins)
	}
	for _, p := range twins {
		if p[0].Get(variants.Squeeze) != "tf-ordered" || p[0].Get(variants.Split) != "channel" || p[1].Get(variants.Split) != "checkerboard" {
			t.Errorf("twin pair %v, want a tf-ordered channel-split cell and its checkerboard twin", p)
		}
	}
	jobs := ext.Jobs()
	n := 0
	for _, j := range jobs {
		if !j.Twin() {
			continue
		}
		n++
		p := jobs[j.Primary]
		if p.Seed != j.Seed || p.Twin() || p.Cell.Get(variants.Split) != "channel" || j.Cell.Get(variants.Squeeze) != "tf-ordered" {
			t.Errorf("job %s is served by %s", j, p)
		}
	}
	if n != 6*len(ext.Seeds) {
		t.Errorf("%d twin jobs, want %d", n, 6*len(ext.Seeds))
	}
	abl, err := experiments.Builtin("ablation")
	if err != nil {
		t.Fatal(err)
	}
	if tw := abl.Twins(); len(tw) != 0 {
		t.Errorf("ablation: twins %v, want none (tutorial and tf-style differ at the second squeeze)", tw)
	}
}

// eval_epochs adds evaluation steps at the end of those epochs, at the file's batch; the runner
// evaluates there as well as every val_every steps and at the end.
func TestEvalEpochs(t *testing.T) {
	e, err := experiments.Parse("x.toml", []byte("[training]\nepochs = 6\nbatch = 64\n[evaluation]\nval_every = 0\neval_epochs = [1, 2, 5]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Config.EvalSteps; !slices.Equal(got, []int{781, 1562, 3905}) {
		t.Errorf("eval steps %v, want [781 1562 3905]", got)
	}
	for _, bad := range []string{"[2, 1]", "[0]", "[1, 1]"} {
		if _, err := experiments.Parse("x.toml", []byte("[evaluation]\neval_epochs = "+bad+"\n")); err == nil || !strings.Contains(err.Error(), "evaluation.eval_epochs") {
			t.Errorf("eval_epochs = %s: %v", bad, err)
		}
	}
}

// Command-line overrides set keys of the file, are validated like it, change the configuration
// hash and the recorded experiment, and by default the name (so the results go elsewhere).
func TestCommandLineOverrides(t *testing.T) {
	base, err := experiments.Builtin("ablation")
	if err != nil {
		t.Fatal(err)
	}
	set := func(s ...string) []experiments.Override {
		var out []experiments.Override
		for _, x := range s {
			o, err := experiments.ParseOverride(x)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, o)
		}
		return out
	}
	e, err := experiments.WithOverrides(base, set("training.steps=200", "seeds=2", "grid.split=[\"checkerboard\"]", "model.preset=small"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Config.Steps != 200 || e.Config.Epochs != 0 || len(e.Seeds) != 2 || len(e.Cells()) != 4 {
		t.Errorf("steps %d epochs %d, %d seeds, %d cells; want 200, 0, 2, 4", e.Config.Steps, e.Config.Epochs, len(e.Seeds), len(e.Cells()))
	}
	if !strings.HasPrefix(e.Name, "ablation-set-") || e.ResultsDir() == base.ResultsDir() {
		t.Errorf("name %q: want the ablation's with the overrides' suffix", e.Name)
	}
	if e.Jobs()[0].Config.Hash() == base.Jobs()[0].Config.Hash() {
		t.Error("an override left the configuration hash unchanged")
	}
	src := string(e.Source)
	if !strings.Contains(src, "-set training.steps=200 -set seeds=2") || !strings.Contains(src, "steps = 200") {
		t.Errorf("recorded experiment:\n%s", src)
	}
	again, err := experiments.Parse("recorded.toml", e.Source)
	if err != nil || again.Jobs()[0].Config.Hash() != e.Jobs()[0].Config.Hash() {
		t.Errorf("the recorded experiment parses to other jobs: %v", err)
	}
	for _, tc := range []struct{ set, want string }{
		{"training.stpes=200", "did you mean training.steps?"},
		{"training=3", "training is a table"},
		{"training.steps=-1", "training.steps"},
		{"training.lr=inf", "finite"},
		{"grid.colour=[\"red\"]", "unknown axis"},
		{"steps", "want key=value"},
	} {
		o, perr := experiments.ParseOverride(tc.set)
		err := perr
		if perr == nil {
			_, err = experiments.WithOverrides(base, []experiments.Override{o})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-set %s: %v, want %q", tc.set, err, tc.want)
		}
	}
	if named, err := experiments.WithOverrides(base, set("name=mine", "seeds=1")); err != nil || named.Name != "mine" {
		t.Errorf("-set name=mine: %v, %v", named, err)
	}
}

// Exclusions remove cells from the grid; one that matches nothing, names an axis or variant the
// grid does not have, or leaves nothing is refused at its place in the file.
func TestExclude(t *testing.T) {
	src := "exclude = [{ squeeze = \"tf-style\", split = \"checkerboard\" }]\n[grid]\nsqueeze = [\"tutorial\", \"tf-style\"]\nsplit = [\"channel\", \"checkerboard\"]\n"
	e, err := experiments.Parse("x.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.Cells()); n != 3 {
		t.Errorf("%d cells, want 3", n)
	}
	for _, c := range e.Cells() {
		if c.Get(variants.Squeeze) == "tf-style" && c.Get(variants.Split) == "checkerboard" {
			t.Errorf("the excluded cell %s is in the grid", c)
		}
	}
	for _, tc := range []struct{ exclude, want string }{
		{`[{ squeeze = "tf-ordered" }]`, `squeeze = "tf-ordered" is not in the grid`},
		{`[{ colour = "red" }]`, `unknown axis "colour"`},
		{`[{ mixing = "invconv" }]`, `mixing = "invconv" is not in the grid`},
		{`[{}]`, "empty table"},
		{`[{ squeeze = "tutorial" }, { squeeze = "tf-style" }]`, "leave no cell"},
	} {
		bad := "seeds = 1\nexclude = " + tc.exclude + "\n[grid]\nsqueeze = [\"tutorial\", \"tf-style\"]\n"
		_, err := experiments.Parse("bad.toml", []byte(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.toml:2:") {
			t.Errorf("exclude = %s: %v, want %q at line 2", tc.exclude, err, tc.want)
		}
	}
}

// A grid may vary settings beside the variant axes: every cell's configuration is the file's
// with its settings applied, its name and directory say which, and bad values are refused at
// their place in the list.
func TestSettingAxes(t *testing.T) {
	src := "seeds = 2\n[grid]\nsplit = [\"channel\", \"checkerboard\"]\nmodel.gated_layers = [1, 2]\n\"training.steps\" = [20, 40]\n[model]\npreset = \"smoke\"\n[training]\nepochs = 1\n"
	e, err := experiments.Parse("s.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.Settings, []variants.Axis{"model.gated_layers", "training.steps"}) {
		t.Fatalf("settings %v, want [model.gated_layers training.steps] in the file's order", e.Settings)
	}
	cells := e.Cells()
	if len(cells) != 8 {
		t.Fatalf("%d cells, want 2 x 2 x 2", len(cells))
	}
	seen := map[string]bool{}
	for _, j := range e.Jobs() {
		c := j.Cell
		gl, steps := c["model.gated_layers"], c["training.steps"]
		if fmt.Sprint(j.Config.Sizes.GatedLayers) != gl || fmt.Sprint(j.Config.Steps) != steps || j.Config.Epochs != 0 {
			t.Errorf("cell %s: gated layers %d, steps %d, epochs %d", c, j.Config.Sizes.GatedLayers, j.Config.Steps, j.Config.Epochs)
		}
		if !strings.Contains(c.String(), "model.gated_layers="+gl) || !strings.Contains(j.RunDir(), "gated_layers-"+gl) {
			t.Errorf("cell %s, run dir %s: the settings are not in its name", c, j.RunDir())
		}
		if seen[j.Config.Hash()] {
			t.Errorf("job %s shares a configuration hash", j)
		}
		seen[j.Config.Hash()] = true
		if j.Twin() {
			t.Errorf("job %s is a twin: other settings are other models", j)
		}
	}
	for _, tc := range []struct{ grid, want string }{
		{"model.gated_layers = [1, -1]", "grid.model.gated_layers: with model.gated_layers=-1: model.gated_layers: want gated layers"},
		{"model.gated_layer = [1, 2]", `unknown axis "model.gated_layer"; did you mean model.gated_layers?`},
		{"seeds = [1, 2]", `unknown axis "seeds"`},
		{"training.lr = []", "want a non-empty list of values"},
		{"training.lr = [1e-3, 1e-3]", "listed twice"},
		{"dataset = [\"mnist\", \"cifar\"]", `unknown data set "cifar"`},
	} {
		bad := "[grid]\nsplit = [\"channel\"]\n" + tc.grid + "\n"
		_, err := experiments.Parse("bad.toml", []byte(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.toml:3:") {
			t.Errorf("%s: %v, want %q at line 3", tc.grid, err, tc.want)
		}
	}
	// A precision axis: the bf16 cell's runs ask for it, the fp32 cell's have float32's empty
	// precision, and the two are not twins although they are one model.
	pr, err := experiments.Builtin("bf16")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range pr.Jobs() {
		want := map[string]string{"fp32": "", "bf16": "bf16"}[j.Cell["compute.precision"]]
		if j.Config.Precision != want || j.Twin() {
			t.Errorf("job %s: precision %q (want %q), twin %v", j, j.Config.Precision, want, j.Twin())
		}
	}
	// A data-set axis: each cell's runs are of its data set.
	d, err := experiments.Parse("d.toml", []byte("[grid]\ndataset = [\"mnist\", \"fashion-mnist\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range d.Jobs() {
		if j.Config.Data.Name != j.Cell["dataset"] || d.DatasetOf(j.Cell) != j.Cell["dataset"] {
			t.Errorf("cell %s trains on %s", j.Cell, j.Config.Data.Name)
		}
	}
}

// SameRuns holds across comments and compute settings that do not change a run, and fails when
// a run's configuration, seed or cell changes.
func TestSameRuns(t *testing.T) {
	src, err := experiments.BuiltinSource("ablation")
	if err != nil {
		t.Fatal(err)
	}
	base, err := experiments.Parse("ablation.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) *experiments.Experiment {
		t.Helper()
		if !strings.Contains(string(src), old) {
			t.Fatalf("ablation.toml has no %q", old)
		}
		e, err := experiments.Parse("edited.toml", []byte(strings.Replace(string(src), old, new, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, c := range []struct {
		name     string
		e        *experiments.Experiment
		wantSame bool
	}{
		{"itself", base, true},
		{"a comment", edit("# Budget:", "# An edited comment.\n# Budget:"), true},
		{"checkpoint_every", edit("checkpoint_every = 100", "checkpoint_every = 50"), true},
		{"the seeds", edit("seeds = 8", "seeds = 7"), false},
		{"the workers", edit("workers = 1 ", "workers = 2 "), false},
		{"the name", edit(`name = "ablation"`, `name = "other"`), false},
	} {
		if got := experiments.SameRuns(base, c.e); got != c.wantSame {
			t.Errorf("%s: SameRuns = %v, want %v", c.name, got, c.wantSame)
		}
	}
}
