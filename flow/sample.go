package flow

import (
	"math"
	"math/rand/v2"
)

// Sampler draws images: standard-normal latents run through the reverse flow, then the reverse of
// the logit and the quantisation.
type Sampler struct {
	m   *Model
	rev *Flow
}

// NewSampler builds a reverse program for batches of n images.
func (m *Model) NewSampler(n int) (*Sampler, error) {
	rev, err := m.NewFlow(n, true)
	if err != nil {
		return nil, err
	}
	return &Sampler{m: m, rev: rev}, nil
}

// Sample returns n images (n*D bytes) drawn with rng.
func (s *Sampler) Sample(rng *rand.Rand) ([]uint8, error) {
	n := s.rev.batch
	normal := func(size int) [][]float64 {
		rows := make([][]float64, n)
		for i := range rows {
			rows[i] = make([]float64, size)
			for j := range rows[i] {
				rows[i][j] = rng.NormFloat64()
			}
		}
		return rows
	}
	z := normal(s.m.FinalShape().Size())
	var factors [][][]float64
	for _, size := range s.m.FactorSizes() {
		factors = append(factors, normal(size))
	}
	out, _, err := s.rev.Run(z, factors...)
	if err != nil {
		return nil, err
	}
	pixels := make([]uint8, 0, n*s.m.Dims())
	for _, row := range out {
		for _, v := range row {
			pixels = append(pixels, Quantize(v))
		}
	}
	return pixels, nil
}

// Quantize maps a logit-space value back to a pixel level: sigmoid, undo the alpha squashing,
// scale to 256 levels, floor and clamp (the tutorial's Dequantization reverse).
func Quantize(v float64) uint8 {
	y := 1 / (1 + math.Exp(-v))
	y = (y - 0.5*Alpha) / (1 - Alpha)
	q := math.Floor(y * Levels)
	return uint8(math.Max(0, math.Min(Levels-1, q)))
}
