package runner

import (
	"errors"
	"fmt"
	"runtime"
)

// Run statuses.
const (
	StatusOK       = "ok"
	StatusDiverged = "diverged"
	StatusFailed   = "failed"
	// StatusInterrupted is a run stopped by SIGINT/SIGTERM; its checkpoint, when it has one,
	// resumes it.
	StatusInterrupted = "interrupted"
)

// Result is result.json: what a run was and what it measured. Its cell and seed are those of
// Config (Config.Cell names every axis).
type Result struct {
	Config     Config `json:"config"`
	ConfigHash string `json:"config_hash"`
	// Model is the fingerprint of the trained model's architecture (flow.Arch.Fingerprint): the
	// configuration hash names the cell, not its layout, so a variant whose layout changed is
	// told from its earlier results by this. Results written before it was recorded have none.
	Model         string `json:"model,omitempty"`
	Params        int    `json:"params"`
	FLOPsPerImage int64  `json:"flops_per_image"`
	Steps         int    `json:"steps"` // optimizer steps done (a diverged run: those before it diverged)
	// The final bpd of the training subset, the validation subset and the test images, each with
	// ImportanceSamples importance samples (the same estimator), on TrainImages, ValImages and
	// TestImages images.
	TrainBPD          float64 `json:"train_bpd"`
	ValBPD            float64 `json:"val_bpd"`
	TestBPD           float64 `json:"test_bpd"`
	TrainImages       int     `json:"train_images"`
	ValImages         int     `json:"val_images"`
	TestImages        int     `json:"test_images"`
	ImportanceSamples int     `json:"importance_samples"`
	// MinibatchBPD is the mean training loss over the last logging interval: a progress figure,
	// not a training-set bpd (one dequantization sample of minibatches not seen before).
	MinibatchBPD float64 `json:"minibatch_bpd"`
	MsPerStep    float64 `json:"ms_per_step"`
	EvalSeconds  float64 `json:"eval_seconds"` // spent in evaluations (during training and at the end)
	WallSeconds  float64 `json:"wall_seconds"`
	// SameModelAs, when set, names the cell this run's numbers come from: the two cells are one
	// model (structural twins, equal flow.Arch fingerprints), trained once.
	SameModelAs string `json:"same_model_as,omitempty"`
	Status      string `json:"status"`
	Error       string `json:"error,omitempty"`
	Ended       string `json:"ended,omitempty"` // when the run ended (UTC, RFC 3339)
	Backend     string `json:"backend"`
	GoVersion   string `json:"go_version"`
	Threads     int    `json:"threads"`
	// CodeVersion is the code that trained the run (CodeVersion()); results written before it
	// was recorded have none.
	CodeVersion string `json:"code_version,omitempty"`
}

func newResult(cfg Config) Result {
	cfg.Cell = fullCell(cfg.Cell)
	return Result{Config: cfg, ConfigHash: cfg.Hash(), GoVersion: runtime.Version(), Threads: runtime.GOMAXPROCS(0), CodeVersion: CodeVersion()}
}

// Cell is the canonical name of the run's cell.
func (r *Result) Cell() string { return r.Config.Cell.String() }

// Twin is r as the result of a structural twin's run: the twin's configuration and hash, the same
// numbers, and SameModelAs naming r's cell.
func (r Result) Twin(cfg Config) Result {
	tw := newResult(cfg)
	sameAs := r.Cell()
	r.Config, r.ConfigHash, r.SameModelAs = tw.Config, tw.ConfigHash, sameAs
	return r
}

// BPDCeiling is the bits per dimension of the uniform distribution over 8-bit pixels. A run that
// does not end below it on every set has learned nothing a constant would not: it is not a
// usable result (status failed), and a result file of status ok above it is not plausible.
const BPDCeiling = 8.0

// ErrImplausible marks a result file whose values cannot be those of a finished run.
var ErrImplausible = errors.New("implausible result")

// check reports the first value of an ok result that is not a finite bpd in (0, BPDCeiling).
func (r *Result) checkBPD() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"train_bpd", r.TrainBPD}, {"val_bpd", r.ValBPD}, {"test_bpd", r.TestBPD}} {
		if !(f.v > 0 && f.v < BPDCeiling) { // NaN fails too
			return fmt.Errorf("%s %v is not in (0, %g), the range of a model that learned anything (8 bpd: uniform 8-bit pixels)", f.name, f.v, BPDCeiling)
		}
	}
	return nil
}

// Validate checks a result read back from a file: a known status and a configuration hash, and
// for status ok the steps, parameters, image counts and finite, plausible bpd of a finished run.
func (r *Result) Validate() error {
	switch r.Status {
	case StatusOK, StatusDiverged, StatusFailed, StatusInterrupted:
	default:
		return fmt.Errorf("%w: status %q is none of ok, diverged, failed, interrupted", ErrImplausible, r.Status)
	}
	if len(r.ConfigHash) != 16 {
		return fmt.Errorf("%w: config_hash %q is not 16 hex digits", ErrImplausible, r.ConfigHash)
	}
	if r.Status != StatusOK {
		return nil
	}
	if err := r.checkBPD(); err != nil {
		return fmt.Errorf("%w: %v", ErrImplausible, err)
	}
	switch {
	case r.Steps < 1 || r.Params < 1:
		return fmt.Errorf("%w: steps %d, params %d: a finished run has both", ErrImplausible, r.Steps, r.Params)
	case r.TrainImages < 1 || r.ValImages < 1 || r.TestImages < 1 || r.ImportanceSamples < 1:
		return fmt.Errorf("%w: %d/%d/%d images and %d importance samples: a finished run evaluated some", ErrImplausible,
			r.TrainImages, r.ValImages, r.TestImages, r.ImportanceSamples)
	}
	return nil
}

// OfModel reports whether the result is of the model with fingerprint fp (results without a
// recorded fingerprint are taken by their configuration hash alone).
func (r *Result) OfModel(fp string) bool { return r.Model == "" || r.Model == fp }
