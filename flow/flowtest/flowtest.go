package flowtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"squeezebench/flow"

	"gorgonia.org/tensor"
)

// Checker checks Archs with flow.Check on float64 models whose every weight is random, at scale
// flow.RandomScale (so that no coupling is the identity it is at initialisation).
type Checker struct {
	Samples int    // random inputs on the whole flow; each layer alone gets one
	Seed    uint64 // seeds the model's initialisation, its random weights and the inputs
}

// Default is the Checker of TestArch and CheckArch.
var Default = Checker{Samples: 2, Seed: 1}

// TestArch runs CheckArch and reports its error, if any, as a test failure.
func TestArch(t testing.TB, a flow.Arch) {
	t.Helper()
	if err := CheckArch(a); err != nil {
		t.Error(err)
	}
}

// CheckArch is Default.CheckArch.
func CheckArch(a flow.Arch) error { return Default.CheckArch(a) }

// CheckArch checks the flow of a, and then every layer of a alone. The returned error lists every
// unit that failed (or could not be built), each named by its position and label.
func (c Checker) CheckArch(a flow.Arch) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("flowtest: invalid arch: %w", err)
	}
	var errs []error
	if err := c.unit(a, c.Samples); err != nil {
		errs = append(errs, fmt.Errorf("whole flow (%d layers): %w", len(a.Layers), err))
	}
	for i, v := range a.VarDeq {
		v.CondChannels = 0
		if err := c.unit(flow.Arch{In: v.Shape, Layers: []flow.Layer{v}}, 1); err != nil {
			errs = append(errs, fmt.Errorf("vardeq coupling %d (%s, without its conditioning image): %w", i, v.Name, err))
		}
	}
	for i, l := range a.Layers {
		if err := c.unit(flow.Arch{In: l.InShape(), Layers: []flow.Layer{l}}, 1); err != nil {
			errs = append(errs, fmt.Errorf("layer %d (%s): %w", i, l.Label(), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("flowtest: %d check(s) failed:\n%w", len(errs), errors.Join(errs...))
	}
	return nil
}

// CheckFlow checks the whole flow of a on c.Samples inputs and returns flow.Check's measurements,
// whether or not they are within tolerance (CheckResult.OK); the error is for a model that cannot
// be built or run.
func (c Checker) CheckFlow(a flow.Arch) (flow.CheckResult, error) { return c.check(a, c.Samples) }

func (c Checker) check(a flow.Arch, samples int) (flow.CheckResult, error) {
	m, err := flow.New(a, tensor.Float64, c.Seed)
	if err != nil {
		return flow.CheckResult{}, err
	}
	rng := rand.New(rand.NewPCG(c.Seed, 7)) // the stream `squeezebench check` has always drawn from

	m.Randomize(rng, flow.RandomScale)
	return flow.Check(m, samples, rng)
}

// unit checks a on samples inputs; an error if it cannot or is out of tolerance.
func (c Checker) unit(a flow.Arch, samples int) error {
	res, err := c.check(a, samples)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("%d dims: inverse error %.3g (tolerance %.3g), log-det error %.3g and reverse log-det error %.3g (tolerance %.3g), log-det %.4g",
			res.Dims, res.MaxInvErr, res.Tolerances[0], res.MaxLDJErr, res.MaxRevErr, res.Tolerances[1], res.LogDet)
	}
	return nil
}
