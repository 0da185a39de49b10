package runner

import (
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

// Result is result.json: what a run was and what it measured.
type Result struct {
	Variants      map[string]string `json:"variants"` // axis -> variant
	Cell          string            `json:"cell"`
	Seed          uint64            `json:"seed"`
	Config        Config            `json:"config"`
	ConfigHash    string            `json:"config_hash"`
	Params        int               `json:"params"`
	FLOPsPerImage int64             `json:"flops_per_image"`
	Steps         int               `json:"steps"` // optimizer steps done (a diverged run: those before it diverged)
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
}

func newResult(cfg Config) Result {
	cfg.Cell = fullCell(cfg.Cell)
	v := map[string]string{}
	for a, n := range cfg.Cell {
		v[string(a)] = n
	}
	return Result{
		Variants: v, Cell: cfg.Cell.String(), Seed: cfg.Seed, Config: cfg, ConfigHash: cfg.Hash(),
		GoVersion: runtime.Version(), Threads: runtime.GOMAXPROCS(0),
	}
}
