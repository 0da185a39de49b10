package runner

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"squeezebench/flow"
)

// checkpointFile is a run's saved state: everything the next step depends on. A run resumed from
// it ends with exactly the numbers of an uninterrupted run (same code, backend and workers).
type checkpointFile struct {
	Version    int
	ConfigHash string
	Step       int // optimizer steps done
	Params     [][]float32
	AdamStep   int
	AdamM      [][]float32
	AdamV      [][]float32
	// The data stream at the start of the current epoch (before its permutation was drawn: the
	// resumed run draws it again) and the noise stream now.
	DataEpochStart []byte
	Noise          []byte
	// The running means of the next metrics row, the time spent so far and the rows so far.
	SumBPD, SumNorm float64
	Since           int
	TrainTime       float64
	Elapsed         float64
	Metrics         []Metric
	TrainBPD        float64
	ValBPD          float64
}

const checkpointVersion = 1

// saveCheckpoint writes the run's state to opt.Checkpoint atomically (nothing when it is empty or
// no step is done yet).
func (t *trainer) saveCheckpoint(s *state, stepper *flow.Stepper) error {
	if t.opt.Checkpoint == "" || s.done == 0 {
		return nil
	}
	c := checkpointFile{
		Version: checkpointVersion, ConfigHash: t.cfg.Hash(), Step: s.done,
		AdamStep: stepper.Adam.Step, AdamM: stepper.Adam.M, AdamV: stepper.Adam.V,
		DataEpochStart: s.epochStart,
		SumBPD:         s.sumBPD, SumNorm: s.sumNorm, Since: s.since,
		TrainTime: s.trainTime, Elapsed: time.Since(t.start).Seconds(),
		Metrics: t.out.Metrics, TrainBPD: t.out.Result.TrainBPD, ValBPD: t.out.Result.ValBPD,
	}
	for _, p := range t.model.Params {
		w, ok := p.Value.Data().([]float32)
		if !ok {
			return fmt.Errorf("checkpoint: parameter %s is not float32", p.Name)
		}
		c.Params = append(c.Params, w)
	}
	var err error
	if c.Noise, err = s.noiseSrc.MarshalBinary(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&c); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return WriteFileAtomic(t.opt.Checkpoint, buf.Bytes())
}

// resume restores the state from opt.Checkpoint when it holds a checkpoint of this configuration
// and returns the current epoch's data order; without one it leaves the fresh state.
func (t *trainer) resume(s *state, stepper *flow.Stepper, stepsPerEpoch int) ([]int, error) {
	if t.opt.Checkpoint == "" {
		return nil, nil
	}
	c, err := readCheckpoint(t.opt.Checkpoint)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		fmt.Fprintf(t.log, "ignoring the checkpoint %s (%v): training from step 0\n", t.opt.Checkpoint, err)
		return nil, nil
	case c.ConfigHash != t.cfg.Hash():
		fmt.Fprintf(t.log, "ignoring the checkpoint %s: it is of configuration %s, not %s; training from step 0\n",
			t.opt.Checkpoint, c.ConfigHash, t.cfg.Hash())
		return nil, nil
	case c.Step < 1 || c.Step >= s.total:
		fmt.Fprintf(t.log, "ignoring the checkpoint %s: step %d is outside 1..%d; training from step 0\n", t.opt.Checkpoint, c.Step, s.total-1)
		return nil, nil
	}
	params := t.model.Params
	if len(c.Params) != len(params) || len(c.AdamM) != len(params) || len(c.AdamV) != len(params) {
		return nil, fmt.Errorf("checkpoint %s holds %d parameters, the model has %d", t.opt.Checkpoint, len(c.Params), len(params))
	}
	for i, p := range params {
		w := p.Value.Data().([]float32)
		if len(c.Params[i]) != len(w) || len(c.AdamM[i]) != len(w) || len(c.AdamV[i]) != len(w) {
			return nil, fmt.Errorf("checkpoint %s: parameter %s has another size", t.opt.Checkpoint, p.Name)
		}
	}
	for i, p := range params {
		copy(p.Value.Data().([]float32), c.Params[i])
		copy(stepper.Adam.M[i], c.AdamM[i])
		copy(stepper.Adam.V[i], c.AdamV[i])
	}
	stepper.Adam.Step = c.AdamStep
	if err := s.noiseSrc.UnmarshalBinary(c.Noise); err != nil {
		return nil, fmt.Errorf("checkpoint %s: noise stream: %w", t.opt.Checkpoint, err)
	}
	if err := s.dataSrc.UnmarshalBinary(c.DataEpochStart); err != nil {
		return nil, fmt.Errorf("checkpoint %s: data stream: %w", t.opt.Checkpoint, err)
	}
	s.epochStart = c.DataEpochStart
	order := s.dataRNG.Perm(t.data.Train.N) // the epoch of step c.Step, as it was drawn
	s.done, s.sumBPD, s.sumNorm, s.since, s.trainTime = c.Step, c.SumBPD, c.SumNorm, c.Since, c.TrainTime
	t.out.Metrics = c.Metrics
	t.out.Result.TrainBPD, t.out.Result.ValBPD = c.TrainBPD, c.ValBPD
	t.start = time.Now().Add(-time.Duration(c.Elapsed * float64(time.Second)))
	fmt.Fprintf(t.log, "resuming from the checkpoint at step %d of %d (epoch %d)\n", c.Step, s.total, (c.Step-1)/stepsPerEpoch)
	return order, nil
}

func readCheckpoint(path string) (*checkpointFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c checkpointFile
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&c); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if c.Version != checkpointVersion {
		return nil, fmt.Errorf("version %d, want %d", c.Version, checkpointVersion)
	}
	return &c, nil
}
