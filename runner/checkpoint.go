package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
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
	EvalTime        float64
	Elapsed         float64
	Metrics         []Metric
	MinibatchBPD    float64
}

const checkpointVersion = 2

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
		TrainTime: s.trainTime, EvalTime: s.evalTime, Elapsed: time.Since(t.start).Seconds(),
		Metrics: t.out.Metrics, MinibatchBPD: t.out.Result.MinibatchBPD,
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
	return WriteFileAtomic(t.opt.Checkpoint, sealed(buf.Bytes()))
}

// checkpointMagic starts every checkpoint file; the SHA-256 of the payload follows, so a flipped
// bit anywhere in the weights, the Adam state or the streams is found before anything resumes.
const checkpointMagic = "squeezebench checkpoint\n"

// sealed is the checkpoint file of a gob payload: the magic line, the payload's hex SHA-256 on
// its own line, then the payload.
func sealed(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	out := make([]byte, 0, len(checkpointMagic)+65+len(payload))
	out = append(out, checkpointMagic...)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, '\n')
	return append(out, payload...)
}

// ErrCorrupt marks a file that fails its integrity check.
var ErrCorrupt = errors.New("corrupt")

// unseal checks a checkpoint file's magic and checksum and returns its payload.
func unseal(b []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(b, []byte(checkpointMagic))
	if !ok {
		return nil, fmt.Errorf("%w: not a squeezebench checkpoint (no %q header)", ErrCorrupt, strings.TrimSpace(checkpointMagic))
	}
	if len(rest) < 65 || rest[64] != '\n' {
		return nil, fmt.Errorf("%w: no checksum line", ErrCorrupt)
	}
	want, payload := string(rest[:64]), rest[65:]
	sum := sha256.Sum256(payload)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("%w: the payload's SHA-256 is %s, the file says %s", ErrCorrupt, got[:12], want[:min(12, len(want))])
	}
	return payload, nil
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
		where, serr := SetAside(t.opt.Checkpoint, err.Error())
		if serr != nil {
			return nil, serr
		}
		fmt.Fprintf(t.log, "the checkpoint %s is unusable (%v): set aside as %s; training from step 0\n", t.opt.Checkpoint, err, where)
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
	s.done, s.sumBPD, s.sumNorm, s.since, s.trainTime, s.evalTime = c.Step, c.SumBPD, c.SumNorm, c.Since, c.TrainTime, c.EvalTime
	t.out.Metrics = c.Metrics
	t.out.Result.MinibatchBPD, t.out.Result.Steps = c.MinibatchBPD, c.Step
	t.start = time.Now().Add(-time.Duration(c.Elapsed * float64(time.Second)))
	fmt.Fprintf(t.log, "resuming from the checkpoint at step %d of %d (epoch %d)\n", c.Step, s.total, (c.Step-1)/stepsPerEpoch)
	return order, nil
}

func readCheckpoint(path string) (*checkpointFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	payload, err := unseal(b)
	if err != nil {
		return nil, err
	}
	var c checkpointFile
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: decoding: %v", ErrCorrupt, err)
	}
	if c.Version != checkpointVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrCorrupt, c.Version, checkpointVersion)
	}
	return &c, nil
}
