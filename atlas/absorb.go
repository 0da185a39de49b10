package atlas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"

	"squeezebench/flow"
)

// Absorption is the check that an invertible 1x1 convolution absorbs the difference between two
// squeezes A and B on one input: [squeeze A, InvConv W] against [squeeze B, InvConv W·P], with W
// random and P the channel permutation between them, on AbsorptionInputs random inputs.
type Absorption struct {
	In   flow.Shape
	A, B string
	// Permutation: A's output channel k is B's channel Permutation[k] (the same input elements at
	// every position); nil when the squeezes differ by more than a channel permutation, and then
	// nothing was run.
	Permutation []int
	// MaxOutputDiff and MaxLogDetDiff are max abs(out_A - out_B) and max abs(ldj_A - ldj_B).
	MaxOutputDiff, MaxLogDetDiff float64
}

// AbsorptionInputs is the number of random inputs of every absorption check.
const AbsorptionInputs = 4

// absorptionSeed seeds one stream that draws, pair after pair, the weights W and the inputs.
const absorptionSeed = 7

// absorption checks every pair of selected squeezes at the model's two squeezes.
func absorption(a Atlas) ([]Absorption, error) {
	rng := rand.New(rand.NewPCG(absorptionSeed, absorptionSeed))
	var out []Absorption
	for _, in := range SqueezeInputs(a.Image)[:2] {
		for i, x := range a.Squeezes {
			for _, y := range a.Squeezes[i+1:] {
				ab, err := absorb(rng, in.In, x, y)
				if err != nil {
					return nil, fmt.Errorf("%s vs %s at %s: %w", x.Name, y.Name, in.In, err)
				}
				out = append(out, ab)
			}
		}
	}
	return out, nil
}

func absorb(rng *rand.Rand, in flow.Shape, x, y SqueezeTables) (Absorption, error) {
	tx, _ := x.Table(in)
	ty, _ := y.Table(in)
	ab := Absorption{In: in, A: x.Name, B: y.Name, Permutation: channelPermutation(tx.Index, ty.Index, tx.Out)}
	if ab.Permutation == nil {
		return ab, nil
	}
	ma, err := squeezeInvConv(tx)
	if err != nil {
		return ab, err
	}
	ma.Randomize(rng, flow.RandomScale)
	w, err := ma.InvConvMatrix("invconv")
	if err != nil {
		return ab, err
	}
	mb, err := squeezeInvConv(ty)
	if err != nil {
		return ab, err
	}
	if err := mb.SetInvConvMatrix("invconv", permuteColumns(w, ab.Permutation)); err != nil {
		return ab, err
	}
	xs := randomInputs(rng, in.Size())
	outA, ldjA, err := runFlow(ma, xs)
	if err != nil {
		return ab, err
	}
	outB, ldjB, err := runFlow(mb, xs)
	if err != nil {
		return ab, err
	}
	for r := range xs {
		ab.MaxOutputDiff = math.Max(ab.MaxOutputDiff, maxAbsDiff(outA[r], outB[r]))
		ab.MaxLogDetDiff = math.Max(ab.MaxLogDetDiff, math.Abs(ldjA[r]-ldjB[r]))
	}
	return ab, nil
}

// squeezeInvConv is the model [squeeze by t, InvConv] in float64.
func squeezeInvConv(t SqueezeTable) (*flow.Model, error) {
	return flow.New(flow.Arch{In: t.In, Layers: []flow.Layer{
		flow.Permute{Name: "squeeze", In: t.In, Out: t.Out, Index: t.Index},
		flow.InvConv{Name: "invconv", Shape: t.Out},
	}}, tensor.Float64, 3)
}

// permuteColumns is W·P for the permutation matrix P with P[k][pi[k]] = 1:
// (W·P)[i][j] = sum_k W[i][k] P[k][j].
func permuteColumns(w []float64, pi []int) []float64 {
	n := len(pi)
	wp := make([]float64, n*n)
	for r := 0; r < n; r++ {
		for k := 0; k < n; k++ {
			wp[r*n+pi[k]] += w[r*n+k]
		}
	}
	return wp
}

func randomInputs(rng *rand.Rand, size int) [][]float64 {
	xs := make([][]float64, AbsorptionInputs)
	for r := range xs {
		for j := 0; j < size; j++ {
			xs[r] = append(xs[r], rng.NormFloat64())
		}
	}
	return xs
}

func runFlow(m *flow.Model, xs [][]float64) ([][]float64, []float64, error) {
	f, err := m.NewFlow(len(xs), false)
	if err != nil {
		return nil, nil, err
	}
	return f.Run(xs)
}

// channelPermutation returns pi with a's output channel k = b's output channel pi[k] (the same
// input elements at every position), or nil if the two differ by more than a channel permutation.
func channelPermutation(a, b []int, out flow.Shape) []int {
	plane := out.H * out.W
	pi := make([]int, out.C)
	for k := 0; k < out.C; k++ {
		pi[k] = -1
		for k2 := 0; k2 < out.C; k2++ {
			if slices.Equal(a[k*plane:(k+1)*plane], b[k2*plane:(k2+1)*plane]) {
				pi[k] = k2
			}
		}
		if pi[k] < 0 {
			return nil
		}
	}
	return pi
}
