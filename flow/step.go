package flow

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrDiverged marks a loss or gradient that became NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// Stepper does training steps: the loss and its gradient on a batch, gradient-norm clipping and
// an Adam update.
type Stepper struct {
	Density *Density
	Adam    *Adam
	Clip    float64 // maximum gradient norm; 0: no clipping
}

// NewStepper builds the training graph for batches of batch images.
func (m *Model) NewStepper(batch int, lr, clip float64) (*Stepper, error) {
	d, err := m.NewDensity(batch, true)
	if err != nil {
		return nil, err
	}
	return &Stepper{Density: d, Adam: NewAdam(m.Params, lr), Clip: clip}, nil
}

// Step trains on one batch with learning rate Adam.LR·lrScale and returns the batch's bits per
// dimension and the gradient norm before clipping. A non-finite loss or gradient is ErrDiverged,
// and then the weights are left as they were.
func (s *Stepper) Step(pixels []uint8, rng *rand.Rand, lrScale float64) (bpd, gradNorm float64, err error) {
	if _, bpd, err = s.Density.Run(pixels, rng); err != nil {
		return 0, 0, err
	}
	if math.IsNaN(bpd) || math.IsInf(bpd, 0) {
		return bpd, 0, fmt.Errorf("loss is %v: %w", bpd, ErrDiverged)
	}
	grads, err := s.Density.Grads()
	if err != nil {
		return bpd, 0, err
	}
	clip := s.Clip
	if clip == 0 {
		clip = math.Inf(1)
	}
	gradNorm = ClipGradNorm(grads, clip)
	if math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0) {
		return bpd, gradNorm, fmt.Errorf("gradient norm is %v: %w", gradNorm, ErrDiverged)
	}
	return bpd, gradNorm, s.Adam.Update(s.Density.m.Params, grads, lrScale)
}
