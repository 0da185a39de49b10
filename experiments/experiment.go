package experiments

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"squeezebench/dataset"
	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
	_ "squeezebench/variants/all" // an experiment names variants: the built-in ones must be registered
)

// Experiment is a checked experiment file: a grid of variant cells trained with every seed, all
// with one configuration apart from cell and seed.
type Experiment struct {
	Name        string // results go to results/<Name>/; defaults to the file name without .toml
	Description string
	File        string // the file name given to Parse (used in errors)
	Source      []byte // the file as read, e.g. to keep a copy next to the results

	// Settings are the grid's setting axes (keys of the file such as model.gated_layers), in the
	// file's order; Grid holds their values' texts as their levels.
	Settings []variants.Axis
	combos   map[string]combo // the configuration of every settings combination, by cellComboKey
	// Grid lists the variants of every axis of variants.Axes(), in the file's order; an axis the
	// file leaves out has its default variant.
	Grid map[variants.Axis][]string
	// Exclude lists cells left out of the grid: each a variant per axis for some axes; a cell
	// that matches every axis of one of them is not trained.
	Exclude []variants.Cell
	// Dataset names the data set (dataset.KnownNames); Config.Data is its identity.
	Dataset string
	// Seeds in the file's order. Every cell is trained with every seed (common random numbers:
	// the same seed gives the same data order and noise in every cell).
	Seeds []uint64
	// Config is what every job shares: the preset with the file's overrides; Cell and Seed are
	// left empty (Jobs fills them in).
	Config runner.Config
	// Parallel is how many runs train at once (compute.parallel; by default the usable CPUs
	// divided by the workers of one run, at least 1).
	Parallel int
	// CheckpointEvery is the steps between a run's checkpoints (compute.checkpoint_every; 0, the
	// default: a checkpoint only when the run is interrupted). Checkpoints do not change a run's
	// numbers, so this is not part of its configuration.
	CheckpointEvery int
}

// Job is one training run of an experiment: one cell, one seed.
type Job struct {
	Index  int // position in Jobs()
	Cell   variants.Cell
	Seed   uint64
	Config runner.Config // fully resolved: Config.Cell and Config.Seed are Cell and Seed
	// Primary is the index of the job that trains this job's model: Index itself, or, when an
	// earlier cell of the grid is the same model (a structural twin), that cell's job of the same
	// seed, whose result serves this one.
	Primary int
}

// Twin reports whether the job's model is trained by another job (its cell is a structural twin
// of an earlier cell).
func (j Job) Twin() bool { return j.Primary != j.Index }

// String names the job, e.g. "squeeze=tutorial,split=channel,coupling=channelwise seed 1".
func (j Job) String() string { return fmt.Sprintf("%s seed %d", j.Cell, j.Seed) }

// RunDir is the job's directory relative to the results directory: runs/<cell slug>/seed-<n>.
func (j Job) RunDir() string {
	return filepath.Join("runs", j.Cell.Slug(), "seed-"+strconv.FormatUint(j.Seed, 10))
}

// SameRuns reports whether a and b train the same runs: the same jobs in the same order, each with
// the same cell, seed, configuration hash and twin. Comments, layout and the compute settings that
// do not change a run's numbers (parallel, checkpoint_every) may differ.
func SameRuns(a, b *Experiment) bool {
	ja, jb := a.Jobs(), b.Jobs()
	if a.Name != b.Name || len(ja) != len(jb) {
		return false
	}
	for i := range ja {
		x, y := ja[i], jb[i]
		if x.RunDir() != y.RunDir() || x.Primary != y.Primary || x.Config.Hash() != y.Config.Hash() {
			return false
		}
	}
	return true
}

// ResultsDir is the default results directory of the experiment: results/<name>.
func (e *Experiment) ResultsDir() string { return filepath.Join("results", e.Name) }

// Cells is the grid's cells in variants.Grid order (the first axis varies slowest), without the
// excluded ones.
func (e *Experiment) Cells() []variants.Cell {
	var out []variants.Cell
	for _, c := range Product(e.Axes(), e.Grid) {
		if !e.Excluded(c) {
			out = append(out, c)
		}
	}
	return out
}

// Excluded reports whether cell c is left out of the grid by an exclusion.
func (e *Experiment) Excluded(c variants.Cell) bool {
	for _, x := range e.Exclude {
		if matches(c, x) {
			return true
		}
	}
	return false
}

// matches reports whether c has every variant the partial cell x names.
func matches(c, x variants.Cell) bool {
	for a, v := range x {
		if c.Get(a) != v {
			return false
		}
	}
	return true
}

// Jobs is every (cell, seed) run: cell-major in Cells order, then the seeds in the file's order.
func (e *Experiment) Jobs() []Job {
	cells := e.Cells()
	primary := e.primaries(cells)
	var jobs []Job
	for ci, cell := range cells {
		for si, seed := range e.Seeds {
			c := variants.Cell{}
			for a, n := range cell {
				c[a] = n
			}
			cfg := e.ConfigOf(c)
			cfg.Cell, cfg.Seed = c, seed
			jobs = append(jobs, Job{Index: len(jobs), Cell: c, Seed: seed, Config: cfg, Primary: primary[ci]*len(e.Seeds) + si})
		}
	}
	return jobs
}

// ConfigOf is the configuration of a cell's runs (cell and seed left empty): the file's, with
// the cell's settings applied when the grid varies settings.
func (e *Experiment) ConfigOf(c variants.Cell) runner.Config {
	if len(e.Settings) == 0 {
		return e.Config
	}
	if cb, ok := e.combos[e.cellComboKey(c)]; ok {
		return cb.config
	}
	return e.Config // not a cell of the grid
}

// DatasetOf is the data set of a cell's runs.
func (e *Experiment) DatasetOf(c variants.Cell) string {
	if cb, ok := e.combos[e.cellComboKey(c)]; ok && len(e.Settings) > 0 {
		return cb.dataset
	}
	return e.Dataset
}

// ImageShape is the shape of the data set's images, the models' input: 28x28 grey-scale for
// every known data set.
var ImageShape = flow.Shape{C: 1, H: 28, W: 28}

// primaries is variants.Primaries of the cells at the experiment's sizes; a cell that cannot be
// laid out is its own primary (validation reports why).
func (e *Experiment) primaries(cells []variants.Cell) []int {
	first := map[string]int{}
	p := make([]int, len(cells))
	for i, c := range cells {
		p[i] = i
		cfg := e.ConfigOf(c)
		fp, err := c.Fingerprint(ImageShape, cfg.Sizes)
		if err != nil {
			continue
		}
		// One model: the same layout and every other setting the same (cell and seed aside).
		cfg.Cell, cfg.Seed = nil, 0
		key := fp + " " + cfg.Hash()
		if j, ok := first[key]; ok {
			p[i] = j
			continue
		}
		first[key] = i
	}
	return p
}

// Twins lists the structural twins of the grid: for every cell that is the same model as an
// earlier one, the pair (earlier, later).
func (e *Experiment) Twins() [][2]variants.Cell {
	cells := e.Cells()
	var out [][2]variants.Cell
	for i, p := range e.primaries(cells) {
		if p != i {
			out = append(out, [2]variants.Cell{cells[p], cells[i]})
		}
	}
	return out
}

// Load reads and checks the experiment file at path.
func Load(path string) (*Experiment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	return Parse(path, data)
}

// Parse checks the experiment in data; file names it in errors and gives the default name. A file
// that is not valid gives Errors: every problem found, each naming file, line and field.
func Parse(file string, data []byte) (*Experiment, error) {
	doc, errs := decode(file, data)
	if doc == nil {
		return nil, errs
	}
	c := &checker{file: file, pos: index(data), errs: errs}
	e := &Experiment{File: file, Source: slices.Clone(data)}
	e.Name = c.name(doc.Name, file)
	if doc.Description != nil {
		e.Description = strings.TrimSpace(*doc.Description)
	}
	e.Seeds = c.seeds(doc.Seeds)
	var settings []setting
	e.Grid, settings = c.grid(doc.Grid)
	for _, s := range settings {
		e.Settings = append(e.Settings, variants.Axis(s.key))
	}
	e.Exclude = c.exclude(doc.Exclude, e)
	e.Config = c.config(doc)
	e.Dataset = c.dataset(doc.Dataset, &e.Config)
	if len(settings) > 0 && len(c.errs) == 0 {
		e.combos = c.settingConfigs(data, settings)
	}
	e.Parallel = c.parallel(doc.Compute, e.Config.Workers)
	if co := doc.Compute; co != nil {
		setInt(c, &e.CheckpointEvery, co.CheckpointEvery, "compute.checkpoint_every", 0, "steps between checkpoints (0: only when interrupted)")
	}
	if len(c.errs) == 0 {
		c.checkSizes(e)
	}
	if len(c.errs) == 0 {
		c.validateJobs(e)
	}
	if len(c.errs) > 0 {
		slices.SortStableFunc(c.errs, func(a, b *FieldError) int {
			return cmp.Or(cmp.Compare(lineKey(a.Line), lineKey(b.Line)), cmp.Compare(a.Col, b.Col))
		})
		return nil, c.errs
	}
	return e, nil
}

// lineKey sorts errors without a line after the others.
func lineKey(line int) int {
	if line == 0 {
		return int(^uint(0) >> 1)
	}
	return line
}

// checker collects the problems of one file.
type checker struct {
	file string
	pos  positions
	errs Errors
}

// fail records a problem with key (a dotted key, an array element "seeds[1]" or a "[table]").
func (c *checker) fail(key, format string, args ...any) {
	field, where := key, key
	if strings.HasPrefix(key, "[") {
		where = strings.Trim(key, "[]") // a table header
	} else if i := strings.IndexByte(key, '['); i > 0 {
		field = key[:i] // an array element: name the key, place it at the element
	}
	at := c.pos.of(where)
	c.errs = append(c.errs, &FieldError{File: c.file, Line: at.line, Col: at.col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (c *checker) name(name *string, file string) string {
	if name != nil {
		if !validName.MatchString(*name) {
			c.fail("name", "want a name for the results directory (letters, digits, '.', '_', '-'; not starting with '.' or '-'), got %q", *name)
		}
		return *name
	}
	n := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if !validName.MatchString(n) {
		c.fail("name", "the file name %q does not make a valid experiment name: set name = \"...\" (letters, digits, '.', '_', '-')", n)
	}
	return n
}

// seeds reads `seeds = n` (1..n) or `seeds = [a, b, ...]`; left out, it is one seed, 1.
func (c *checker) seeds(v any) []uint64 {
	const maxSeeds = 10000
	const want = "want a count from 1 to 10000 (seeds = 3 means seeds 1, 2, 3) or a non-empty list of distinct seeds ≥ 0 (seeds = [1, 2, 3])"
	switch v := v.(type) {
	case nil:
		return []uint64{1}
	case int64:
		if v < 1 || v > maxSeeds {
			c.fail("seeds", "%s, got %d", want, v)
			return nil
		}
		out := make([]uint64, v)
		for i := range out {
			out[i] = uint64(i + 1)
		}
		return out
	case []any:
		if len(v) == 0 {
			c.fail("seeds", "%s, got an empty list", want)
			return nil
		}
		var out []uint64
		seen := map[int64]int{}
		for i, x := range v {
			el := fmt.Sprintf("seeds[%d]", i)
			n, ok := x.(int64)
			switch {
			case !ok:
				c.fail(el, "%s, got %s in the list", want, tomlKind(x))
			case n < 0:
				c.fail(el, "%s, got %d in the list", want, n)
			case seen[n] > 0:
				c.fail(el, "seed %d is listed twice (elements %d and %d)", n, seen[n], i+1)
			default:
				seen[n] = i + 1
				out = append(out, uint64(n))
			}
		}
		return out
	default:
		c.fail("seeds", "%s, got %s", want, tomlKind(v))
		return nil
	}
}

func tomlKind(v any) string {
	switch v.(type) {
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("a %T", v)
}

// grid checks every axis and variant name (axes left out take their default) and the settings
// the grid varies; it returns the levels of both, and the settings with their values.
func (c *checker) grid(raw map[string]any) (map[variants.Axis][]string, []setting) {
	g := flattenGrid(raw)
	axes := variants.Axes()
	known := []string{"dataset", "model.*", "training.*", "evaluation.*", "compute.engine", "compute.workers", "compute.precision"}
	for _, a := range axes {
		known = append([]string{string(a)}, known...)
	}
	out := map[variants.Axis][]string{}
	var settings []setting
	for _, k := range c.pos.order("grid.", sortedAxes(g)) {
		if slices.Contains(axes, variants.Axis(k)) {
			continue
		}
		if !isSettingKey(k) || checkKey(k) != nil {
			hint := ""
			if s := nearest(k, append(axisNames(), settingKeyNames()...)); s != "" {
				hint = fmt.Sprintf("; did you mean %s?", s)
			}
			c.fail("grid."+k, "unknown axis %q%s (an axis: %s; or a setting: a key of %s)", k, hint, strings.Join(axisNames(), ", "), strings.Join(known[len(axes):], ", "))
			continue
		}
		values, texts := c.settingLevels(k, g[k])
		if len(values) > 0 {
			settings = append(settings, setting{key: k, values: values, texts: texts})
			out[variants.Axis(k)] = texts
		}
	}
	for _, a := range axes {
		v, given := g[string(a)]
		key := "grid." + string(a)
		if !given {
			out[a] = []string{variants.Default(a)}
			continue
		}
		names, ok := stringList(v)
		if !ok {
			c.fail(key, "want a list of variant names, got %s", tomlWord(v))
			continue
		}
		if len(names) == 0 {
			c.fail(key, "want at least one variant name (leave the axis out for its default, %q); known: %s",
				variants.Default(a), strings.Join(variants.Names(a), ", "))
			continue
		}
		seen := map[string]int{}
		for i, n := range names {
			el := fmt.Sprintf("%s[%d]", key, i)
			if _, err := variants.Lookup(a, n); err != nil {
				c.fail(el, "%v", err)
			} else if seen[n] > 0 {
				c.fail(el, "variant %q is listed twice (elements %d and %d)", n, seen[n], i+1)
			}
			seen[n] = i + 1
		}
		out[a] = slices.Clone(names)
	}
	return out, settings
}

// stringList is v as a list of strings.
func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// tomlWord names a TOML value's kind the way the decoder's errors do.
func tomlWord(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a table"
	case []any:
		return "a list with other than variant names"
	}
	return "a TOML " + strings.TrimPrefix(strings.TrimPrefix(tomlKind(v), "an "), "a ")
}

func axisNames() []string {
	var out []string
	for _, a := range variants.Axes() {
		out = append(out, string(a))
	}
	return out
}

// settingKeyNames lists the keys a grid may vary, for "did you mean".
func settingKeyNames() []string {
	var out []string
	for k := range settingKeys {
		out = append(out, k)
	}
	for _, table := range []string{"model", "training", "evaluation"} {
		ft, _ := fieldType(reflect.TypeFor[document](), table)
		for _, k := range keysOf(ft) {
			out = append(out, table+"."+k)
		}
	}
	sort.Strings(out)
	return out
}

// exclude checks the exclusions: known axes of the grid, variants of it, and each one matching
// at least one cell (an exclusion that matches nothing is a mistake).
func (c *checker) exclude(xs []map[string]string, e *Experiment) []variants.Cell {
	grid := e.Grid
	var out []variants.Cell
	all := Product(e.Axes(), grid)
	for i, x := range xs {
		key := fmt.Sprintf("exclude[%d]", i)
		if len(x) == 0 {
			c.fail(key, "want a variant per axis for some axes, e.g. { squeeze = \"tf-ordered\", split = \"checkerboard\" }; got an empty table")
			continue
		}
		cell, ok := variants.Cell{}, true
		for _, a := range sortedKeys(x) {
			levels, known := grid[variants.Axis(a)]
			switch {
			case !known:
				c.fail(key, "unknown axis %q in an exclusion (known: %s)", a, joinAxisNames())
				ok = false
			case !slices.Contains(levels, x[a]):
				c.fail(key, "%s = %q is not in the grid (its %s levels: %s)", a, x[a], a, strings.Join(levels, ", "))
				ok = false
			default:
				cell[variants.Axis(a)] = x[a]
			}
		}
		if !ok {
			continue
		}
		if !slices.ContainsFunc(all, func(g variants.Cell) bool { return matches(g, cell) }) {
			c.fail(key, "the exclusion %v matches no cell of the grid", x)
			continue
		}
		out = append(out, cell)
	}
	if len(out) > 0 && len(all) > 0 && !slices.ContainsFunc(all, func(g variants.Cell) bool {
		return !slices.ContainsFunc(out, func(x variants.Cell) bool { return matches(g, x) })
	}) {
		c.fail("exclude", "the exclusions leave no cell of the grid")
	}
	return out
}

func joinAxisNames() string {
	var s []string
	for _, a := range variants.Axes() {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

// config is the preset with the file's overrides of model, training, evaluation and compute.
func (c *checker) config(doc *document) runner.Config {
	m := deref(doc.Model)
	preset := "small"
	if m.Preset != nil {
		preset = *m.Preset
	}
	cfg, err := runner.Preset(preset)
	if err != nil {
		c.fail("model.preset", "%v", err)
	}
	if m.VarDeq != nil && c.atLeast("model.vardeq", *m.VarDeq, 0, "hidden channels of the dequantization nets (0: uniform dequantization)") {
		cfg.Sizes.VarDeq = *m.VarDeq
	}
	if m.Stage != nil {
		if len(m.Stage) != 3 {
			c.fail("model.stage", "want the hidden channels of the 3 stages, e.g. [8, 12, 16], got %d values", len(m.Stage))
		} else {
			for i, h := range m.Stage {
				if c.atLeast(fmt.Sprintf("model.stage[%d]", i), h, 1, fmt.Sprintf("hidden channels of stage %d", i+1)) {
					cfg.Sizes.Stage[i] = h
				}
			}
		}
	}
	if m.GatedLayers != nil && c.atLeast("model.gated_layers", *m.GatedLayers, 0, "gated layers per coupling network") {
		cfg.Sizes.GatedLayers = *m.GatedLayers
	}

	t := deref(doc.Training)
	switch {
	case t.Steps != nil && t.Epochs != nil:
		key := "training.epochs"
		if c.pos.of("training.steps").line > c.pos.of(key).line {
			key = "training.steps"
		}
		c.fail(key, "set the budget as steps or as epochs, not both")
	case t.Steps != nil:
		if c.atLeast("training.steps", *t.Steps, 1, "a number of training steps") {
			cfg.Steps, cfg.Epochs = *t.Steps, 0
		}
	case t.Epochs != nil:
		if c.atLeast("training.epochs", *t.Epochs, 1, "a number of epochs") {
			cfg.Steps, cfg.Epochs = 0, *t.Epochs
		}
	}
	setInt(c, &cfg.Batch, t.Batch, "training.batch", 1, "images per step")
	setInt(c, &cfg.LogEvery, t.LogEvery, "training.log_every", 1, "steps between progress lines")
	if t.LR != nil {
		if *t.LR > 0 && !math.IsInf(*t.LR, 0) {
			cfg.LR = *t.LR
		} else {
			c.fail("training.lr", "want a positive, finite learning rate, got %v", *t.LR)
		}
	}
	if t.LRGamma != nil {
		if *t.LRGamma > 0 && *t.LRGamma <= 1 {
			cfg.LRGamma = *t.LRGamma
		} else {
			c.fail("training.lr_gamma", "want the learning-rate decay per epoch in (0, 1], got %v", *t.LRGamma)
		}
	}
	if t.ClipNorm != nil {
		if *t.ClipNorm >= 0 && !math.IsInf(*t.ClipNorm, 0) {
			cfg.ClipNorm = *t.ClipNorm
		} else {
			c.fail("training.clip_norm", "want a finite gradient-norm limit ≥ 0 (0: no clipping), got %v", *t.ClipNorm)
		}
	}

	ev := deref(doc.Evaluation)
	setInt(c, &cfg.ValEvery, ev.ValEvery, "evaluation.val_every", 0, "steps between validations (0: only at the end)")
	if ev.EvalEpochs != nil {
		c.evalEpochs(&cfg, ev.EvalEpochs)
	}
	setInt(c, &cfg.ValImages, ev.ValImages, "evaluation.val_images", 0, "images of the validation set and of the training set evaluated during training (0: the whole validation set)")
	setInt(c, &cfg.EvalSamples, ev.EvalSamples, "evaluation.eval_samples", 1, "importance samples per image at the evaluations during training")
	setInt(c, &cfg.TestImages, ev.TestImages, "evaluation.test_images", 0, "test images (0: the whole test set)")
	setInt(c, &cfg.ImportanceSamples, ev.ImportanceSamples, "evaluation.importance_samples", 1, "dequantization samples per test image")
	setInt(c, &cfg.EvalBatch, ev.EvalBatch, "evaluation.eval_batch", 1, "images per evaluation batch")
	setInt(c, &cfg.SampleImages, ev.SampleImages, "evaluation.sample_images", 0, "images sampled at the end (0: none)")

	co := deref(doc.Compute)
	cfg.Workers, cfg.Engine = 1, "fast"
	setInt(c, &cfg.Workers, co.Workers, "compute.workers", 0, "goroutines per run (0: all cores)")
	if co.Engine != nil {
		if *co.Engine == "fast" || *co.Engine == "stock" {
			cfg.Engine = *co.Engine
		} else {
			c.fail("compute.engine", `want "fast" (kernel ops) or "stock" (gorgonia's ops), got %q`, *co.Engine)
		}
	}
	if co.Precision != nil {
		p, err := runner.ParsePrecision(*co.Precision)
		switch {
		case err != nil:
			c.fail("compute.precision", "%v", err)
		case p != "" && cfg.Engine == "stock":
			c.fail("compute.precision", `"bf16" needs compute.engine = "fast"`)
		}
		cfg.Precision = p
	}
	return cfg
}

// evalEpochs turns evaluation.eval_epochs (epochs after which to evaluate, e.g. [1, 2, 5]) into
// the configuration's evaluation steps, at the batch in force (an epoch is 50,000 images; a
// later training.batch in the file is taken into account because config sets it first).
func (c *checker) evalEpochs(cfg *runner.Config, epochs []int) {
	for i, e := range epochs {
		if e < 1 || i > 0 && e <= epochs[i-1] {
			c.fail(fmt.Sprintf("evaluation.eval_epochs[%d]", i), "want epochs in increasing order, from 1; got %v", epochs)
			return
		}
	}
	const trainImages = 50000
	perEpoch := trainImages / max(cfg.Batch, 1)
	for _, e := range epochs {
		cfg.EvalSteps = append(cfg.EvalSteps, e*perEpoch)
	}
}

// dataset reads `dataset = "name"` (default mnist) and sets the configuration's data identity.
func (c *checker) dataset(name *string, cfg *runner.Config) string {
	n := "mnist"
	if name != nil {
		n = *name
	}
	id, err := dataset.KnownID(n)
	if err != nil {
		hint := ""
		if s := nearest(n, dataset.KnownNames()); s != "" {
			hint = fmt.Sprintf("; did you mean %s?", s)
		}
		c.fail("dataset", "unknown data set %q%s (known: %s)", n, hint, strings.Join(dataset.KnownNames(), ", "))
		return n
	}
	cfg.Data = id
	return n
}

// parallel is compute.parallel, or by default the usable CPUs shared among runs of workers
// goroutines each.
func (c *checker) parallel(co *computeTable, workers int) int {
	if co != nil && co.Parallel != nil && *co.Parallel != 0 {
		if c.atLeast("compute.parallel", *co.Parallel, 1, "runs trained at once (0: automatic)") {
			return *co.Parallel
		}
		return 1
	}
	if workers == 0 {
		return 1 // each run uses every core
	}
	return max(1, runtime.GOMAXPROCS(0)/workers)
}

func (c *checker) atLeast(key string, v, least int, what string) bool {
	if v < least {
		c.fail(key, "want %s, at least %d; got %d", what, least, v)
		return false
	}
	return true
}

func setInt(c *checker, dst *int, v *int, key string, least int, what string) {
	if v != nil && c.atLeast(key, *v, least, what) {
		*dst = *v
	}
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// checkSizes refuses image counts the data set does not have.
func (c *checker) checkSizes(e *Experiment) {
	sz, err := dataset.KnownSizes(e.Dataset)
	if err != nil {
		return // reported by dataset
	}
	cfg := e.Config
	for _, ch := range []struct {
		key      string
		v, limit int
		what     string
	}{
		{"training.batch", cfg.Batch, sz.Train, "training images"},
		{"evaluation.val_images", cfg.ValImages, sz.Val, "validation images"},
		{"evaluation.test_images", cfg.TestImages, sz.Test, "test images"},
	} {
		if ch.v > ch.limit {
			c.fail(ch.key, "want at most the %s's %d %s, got %d", e.Dataset, ch.limit, ch.what, ch.v)
		}
	}
}

// validateJobs runs runner.Config.Validate on every job and checks that the runs at once fit in
// the machine's memory; a problem common to many jobs is reported once, at the setting it names.
func (c *checker) validateJobs(e *Experiment) {
	seen := map[string]bool{}
	machine := runner.MachineMemory()
	for _, j := range e.Jobs() {
		if err := j.Config.Validate(); err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			c.errs = append(c.errs, &FieldError{File: c.file, Msg: fmt.Sprintf("job %s: %v", j, err)})
			continue
		}
		if seen["memory"] {
			continue
		}
		if err := j.Config.CheckMemory(ImageShape, e.Parallel, machine); err != nil {
			seen["memory"] = true
			m, _ := runner.MemoryEstimate(j.Config, ImageShape)
			key := m.Largest()
			if i := strings.IndexAny(key, " "); i > 0 {
				key = key[:i]
			}
			c.fail(key, "cell %s: %v", j.Cell, err)
		}
	}
}

// ModelOf maps every cell of the grid, by canonical name, to the cell that trains its model:
// itself, or the earlier cell it is a structural twin of.
func (e *Experiment) ModelOf() map[string]string {
	cells := e.Cells()
	out := map[string]string{}
	for i, p := range e.primaries(cells) {
		out[cells[i].String()] = cells[p].String()
	}
	return out
}
