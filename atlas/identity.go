package atlas

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"squeezebench/flow"
	"squeezebench/variants"
)

// IdentityExperiment is the question's experiment, which compares squeeze + channel-mask
// couplings + unsqueeze with row-mask couplings, run both ways on one random image-shaped input.
type IdentityExperiment struct {
	// Pointwise is the question's version: the coupling network is hstack((x, x)) of the masked
	// input, PointwiseCouplings couplings each way, unsqueezed back to the image.
	Pointwise          IdentityRun
	PointwiseCouplings int
	// Random is the model's own stage 2 of each coupling variant, with every weight random:
	// GatedConvNets of size Net, weights N(0, WeightScale²) from seed WeightSeed. Both outputs are
	// in the squeezed layout, compared with the squeezed input.
	Random      IdentityRun
	Net         flow.Net
	WeightSeed  uint64
	WeightScale float64
}

// IdentityRun is the experiment with one kind of network.
type IdentityRun struct {
	Channelwise, Rowwise Change
	Difference           float64 // max abs(channelwise output - rowwise output)
}

// LogDetDifference is abs(log-det of channelwise - log-det of rowwise).
func (r IdentityRun) LogDetDifference() float64 {
	return math.Abs(r.Channelwise.LogDet - r.Rowwise.LogDet)
}

// Change is what a flow did to its input: max abs(y - x), and its log-determinant.
type Change struct{ MaxChange, LogDet float64 }

// The experiment's fixed choices: the question's three couplings, and the random networks'
// size and weights.
const (
	pointwiseCouplings = 3
	inputSeed          = 2024
	inputStream        = 11
	randomWeightSeed   = 5
)

var randomNet = flow.Net{Hidden: 12, GatedLayers: 1}

func identityExperiment(img flow.Shape) (IdentityExperiment, error) {
	rng := rand.New(rand.NewPCG(inputSeed, inputStream))
	x := make([]float64, img.Size())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	tutorial, err := lookupSqueezer("tutorial")
	if err != nil {
		return IdentityExperiment{}, err
	}
	e := IdentityExperiment{PointwiseCouplings: pointwiseCouplings, Net: randomNet,
		WeightSeed: randomWeightSeed, WeightScale: flow.RandomScale}
	e.Pointwise = pointwiseRun(x, img, tutorial.Squeeze(img))
	if e.Random, err = randomRun(x, img, tutorial); err != nil {
		return IdentityExperiment{}, err
	}
	return e, nil
}

func lookupSqueezer(name string) (flow.Squeezer, error) {
	n, err := named(variants.Squeeze, name)
	if err != nil {
		return nil, err
	}
	return variants.Squeezers.Lookup(n)
}

// pointwiseRun: squeeze, channel-mask couplings, unsqueeze; and row-mask couplings on the image.
func pointwiseRun(x []float64, img flow.Shape, squeeze []int) IdentityRun {
	out := flow.Shape{C: 4 * img.C, H: img.H / 2, W: img.W / 2}
	z := gather(x, squeeze)
	var ldjC, ldjR float64
	for i := 0; i < pointwiseCouplings; i++ {
		var l float64
		z, l = plainCoupling(z, flow.ChannelMask(out, i%2 == 1), pointwise)
		ldjC += l
	}
	yC := gather(z, inversePermutation(squeeze))
	yR := x
	for i := 0; i < pointwiseCouplings; i++ {
		var l float64
		yR, l = plainCoupling(yR, flow.RowMask(img, i%2 == 1), pointwise)
		ldjR += l
	}
	return IdentityRun{
		Channelwise: Change{maxAbsDiff(yC, x), ldjC},
		Rowwise:     Change{maxAbsDiff(yR, x), ldjR},
		Difference:  maxAbsDiff(yC, yR),
	}
}

// randomRun runs stage 2 of the channelwise and the rowwise coupler with random weights.
func randomRun(x []float64, img flow.Shape, sq flow.Squeezer) (IdentityRun, error) {
	var stage [2]Change
	var outs [2][]float64
	xs := gather(x, sq.Squeeze(img))
	for i, coupler := range []string{"channelwise", "rowwise"} {
		y, ldj, err := runStage2(coupler, x, img, sq)
		if err != nil {
			return IdentityRun{}, fmt.Errorf("%s stage 2: %w", coupler, err)
		}
		outs[i], stage[i] = y, Change{maxAbsDiff(y, xs), ldj}
	}
	return IdentityRun{Channelwise: stage[0], Rowwise: stage[1], Difference: maxAbsDiff(outs[0], outs[1])}, nil
}

func runStage2(coupler string, x []float64, img flow.Shape, sq flow.Squeezer) ([]float64, float64, error) {
	name, err := named(variants.Coupling, coupler)
	if err != nil {
		return nil, 0, err
	}
	co, err := variants.Couplers.Lookup(name)
	if err != nil {
		return nil, 0, err
	}
	m, err := flow.New(flow.Arch{In: img, Layers: co.Stage(img, sq, randomNet)}, tensor.Float64, 1)
	if err != nil {
		return nil, 0, err
	}
	m.Randomize(rand.New(rand.NewPCG(randomWeightSeed, randomWeightSeed)), flow.RandomScale)
	f, err := m.NewFlow(1, false)
	if err != nil {
		return nil, 0, err
	}
	o, l, err := f.Run([][]float64{x})
	if err != nil {
		return nil, 0, err
	}
	return o[0], l[0], nil
}

// plainCoupling is an affine coupling in plain Go on a (C, H, W) map: z' = (z + t)·exp(s) on the
// transformed positions, with (s, t) = net(z·mask) zeroed on the conditioning positions.
func plainCoupling(z, mask []float64, net func(zin []float64) (s, t []float64)) (out []float64, ldj float64) {
	zin := make([]float64, len(z))
	for i := range z {
		zin[i] = z[i] * mask[i]
	}
	s, t := net(zin)
	out = make([]float64, len(z))
	for i := range z {
		si, ti := s[i]*(1-mask[i]), t[i]*(1-mask[i])
		out[i] = (z[i] + ti) * math.Exp(si)
		ldj += si
	}
	return out, ldj
}

// pointwise is the question's network, hstack((x, x)): s = t = its input.
func pointwise(zin []float64) (s, t []float64) { return zin, zin }

func gather(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = x[j]
	}
	return out
}

func inversePermutation(p []int) []int {
	q := make([]int, len(p))
	for i, j := range p {
		q[j] = i
	}
	return q
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
