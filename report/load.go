package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"squeezebench/experiments"
	"squeezebench/runner"
	"squeezebench/variants"
)

// Run statuses the report adds to the runner's (ok, diverged, failed, interrupted).
const (
	StatusMissing     = "missing"      // no result.json
	StatusOtherConfig = "other-config" // result.json of another configuration (hash differs)
	StatusUnreadable  = "unreadable"   // result.json that does not parse
)

// Metric is one row of metrics.csv (NaN where empty).
type Metric struct {
	Step                                               int
	Epoch, LR, TrainBPD, GradNorm, ValBPD, ElapsedSecs float64
}

// Run is one expected job of the experiment and what the results directory holds for it.
type Run struct {
	Cell    variants.Cell
	Seed    uint64
	Dir     string // relative to the results directory: runs/<slug>/seed-<n>
	Hash    string // the configuration hash the experiment expects
	Status  string // a runner status, or StatusMissing, StatusOtherConfig, StatusUnreadable
	Result  *runner.Result
	Metrics []Metric
	Started time.Time // from the newest "--- <time>:" line of train.log (zero if none)
	Note    string    // why a run is not usable
}

// OK reports whether the run counts in the statistics.
func (r *Run) OK() bool { return r.Status == runner.StatusOK }

// Data is a results directory read against its experiment.
type Data struct {
	Dir        string
	Experiment *experiments.Experiment
	Axes       []variants.Axis            // every axis, in report order
	Levels     map[variants.Axis][]string // the grid's variants of each axis, in the file's order
	Runs       []*Run                     // every expected job, in experiments.Jobs order
}

// Load reads the experiment copy (experiment.toml) and every expected run of the results
// directory dir. Runs that are missing, failed or of another configuration are kept with their
// status so the report can say what is missing.
func Load(dir string) (*Data, error) {
	e, err := experiments.Load(filepath.Join(dir, "experiment.toml"))
	if err != nil {
		return nil, fmt.Errorf("reading the experiment of %s: %w", dir, err)
	}
	d := &Data{Dir: dir, Experiment: e, Axes: variants.Axes(), Levels: e.Grid}
	for _, j := range e.Jobs() {
		r := &Run{Cell: j.Cell, Seed: j.Seed, Dir: filepath.ToSlash(j.RunDir()), Hash: j.Config.Hash()}
		d.Runs = append(d.Runs, r)
		abs := filepath.Join(dir, j.RunDir())
		res, err := runner.ReadResult(filepath.Join(abs, "result.json"))
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
		}
		r.Result, r.Status, r.Note = res, res.Status, res.Error
		if r.Status == "" {
			r.Status = StatusUnreadable
		}
		r.Metrics, _ = readMetrics(filepath.Join(abs, "metrics.csv"))
		r.Started = lastStart(filepath.Join(abs, "train.log"))
	}
	return d, nil
}

// readMetrics reads a run's metrics.csv.
func readMetrics(path string) ([]Metric, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nan
		}
		return v
	}
	var out []Metric
	for i, row := range rows {
		if i == 0 || len(row) < 7 {
			continue
		}
		step, err := strconv.Atoi(row[0])
		if err != nil {
			continue
		}
		out = append(out, Metric{Step: step, Epoch: num(row[1]), LR: num(row[2]), TrainBPD: num(row[3]),
			GradNorm: num(row[4]), ValBPD: num(row[5]), ElapsedSecs: num(row[6])})
	}
	return out, nil
}

// lastStart is the time of the newest "--- 2006-01-02 15:04:05: ..." line of a train.log (the
// runner writes one each time it starts or resumes the run).
func lastStart(path string) time.Time {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}
	}
	defer f.Close()
	var last time.Time
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "--- ") || len(line) < 4+len(time.DateTime) {
			continue
		}
		if t, err := time.Parse(time.DateTime, line[4:4+len(time.DateTime)]); err == nil && t.After(last) {
			last = t
		}
	}
	return last
}
