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
	Steps         int               `json:"steps"`
	TrainBPD      float64           `json:"train_bpd"`
	ValBPD        float64           `json:"val_bpd"`
	TestBPD       float64           `json:"test_bpd"`
	TestImages    int               `json:"test_images"`
	MsPerStep     float64           `json:"ms_per_step"`
	WallSeconds   float64           `json:"wall_seconds"`
	Status        string            `json:"status"`
	Error         string            `json:"error,omitempty"`
	Backend       string            `json:"backend"`
	GoVersion     string            `json:"go_version"`
	Threads       int               `json:"threads"`
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
