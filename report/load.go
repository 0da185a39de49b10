package report

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/runner/pool"
	"squeezebench/variants"
)

// Run statuses the report adds to the runner's (ok, diverged, failed, interrupted).
const (
	StatusMissing     = "missing"      // no result.json
	StatusOtherConfig = "other-config" // result.json of another configuration (hash differs)
	StatusUnreadable  = "unreadable"   // result.json that does not parse
)

// Run is one expected job of the experiment and what the results directory holds for it.
type Run struct {
	Cell    variants.Cell
	Seed    uint64
	Dir     string // relative to the results directory: runs/<slug>/seed-<n>
	Hash    string // the configuration hash the experiment expects
	Status  string // a runner status, or StatusMissing, StatusOtherConfig, StatusUnreadable
	Result  *runner.Result
	Metrics []runner.Metric
	Note    string // why a run is not usable
}

// OK reports whether the run counts in the statistics.
func (r *Run) OK() bool { return r.Status == runner.StatusOK }

// Data is a results directory read against its experiment.
type Data struct {
	Dir        string
	Experiment *experiments.Experiment
	Axes       []variants.Axis            // every axis, in report order: the variant axes, then the grid's settings
	Levels     map[variants.Axis][]string // the grid's variants of each axis, in the file's order
	Runs       []*Run                     // every expected job, in experiments.Jobs order
	// ModelOf maps every cell (canonical name) to the cell that trains its model: itself, or
	// the earlier cell it is a structural twin of.
	ModelOf map[string]string
	// DataRecord is the results directory's data.json (nil when it has none: the experiment's
	// data set is assumed).
	DataRecord *pool.DataRecord
}

// Load reads the experiment copy (experiment.toml) and every expected run of the results
// directory dir. Runs that are missing, failed or of another configuration are kept with their
// status so the report can say what is missing. The expected configurations are of the data
// recorded in data.json, when there is one.
func Load(dir string) (*Data, error) {
	e, err := experiments.Load(filepath.Join(dir, pool.ExperimentFile))
	if err != nil {
		return nil, fmt.Errorf("reading the experiment of %s: %w", dir, err)
	}
	d := &Data{Dir: dir, Experiment: e, Axes: e.Axes(), Levels: e.Grid, ModelOf: e.ModelOf()}
	switch rec, err := pool.ReadDataRecord(dir); {
	case err == nil:
		d.DataRecord = rec
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	for _, j := range e.Jobs() {
		cfg := j.Config
		if d.DataRecord != nil && cfg.Data == e.Config.Data {
			cfg.Data = d.DataRecord.ID // the runs are of the recorded data (another directory's, maybe)
		}
		r := &Run{Cell: j.Cell, Seed: j.Seed, Dir: filepath.ToSlash(j.RunDir()), Hash: cfg.Hash()}
		d.Runs = append(d.Runs, r)
		abs := filepath.Join(dir, j.RunDir())
		res, err := runner.ReadResult(filepath.Join(abs, runner.ResultFile))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			r.Status, r.Note = StatusMissing, "no result.json"
			continue
		case err != nil:
			r.Status, r.Note = StatusUnreadable, err.Error()
			continue
		case res.ConfigHash != r.Hash:
			r.Status, r.Note = StatusOtherConfig, fmt.Sprintf("result.json is of configuration %s, the experiment's is %s", res.ConfigHash, r.Hash)
			continue
		case !res.OfModel(modelOf(j)):
			r.Status, r.Note = StatusOtherConfig, fmt.Sprintf("result.json is of another model (fingerprint %.12s…): the variant's layout changed since", res.Model)
			continue
		}
		r.Result, r.Status, r.Note = res, res.Status, res.Error
		if r.Status == "" {
			r.Status = StatusUnreadable
		}
		if r.OK() {
			if r.Metrics, err = runner.ReadMetrics(filepath.Join(abs, runner.MetricsFile)); err != nil {
				r.Status, r.Note = StatusUnreadable, err.Error()
			}
		}
	}
	return d, nil
}

// run is the run of cell and seed, or nil.
func (d *Data) run(c variants.Cell, seed uint64) *Run {
	for _, r := range d.Runs {
		if r.Seed == seed && r.Cell.String() == c.String() {
			return r
		}
	}
	return nil
}

// modelOf is the fingerprint of a job's model ("" when it cannot be laid out).
func modelOf(j experiments.Job) string {
	fp, err := j.Cell.Fingerprint(experiments.ImageShape, j.Config.Sizes)
	if err != nil {
		return ""
	}
	return fp
}
