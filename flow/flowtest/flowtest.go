package flowtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"squeezebench/flow"

	"gorgonia.org/tensor"
)

// Samples is the number of random inputs flow.Check tries on the whole flow; each layer alone
// gets one.
const Samples = 2

// seed fixes the model initialisation, the random weights and the check inputs.
const seed = 1

// TestArch runs CheckArch and reports its error, if any, as a test failure.
func TestArch(t testing.TB, a flow.Arch) {
	t.Helper()
	if err := CheckArch(a); err != nil {
		t.Error(err)
	}
}

// CheckArch checks the flow of a, and then every layer of a alone, with flow.Check on a float64
// model with weights drawn at scale flow.RandomScale. The returned error lists every unit that
// failed (or could not be built), each named by its position and label.
func CheckArch(a flow.Arch) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("flowtest: invalid arch: %w", err)
	}
	var errs []error
	if err := checkUnit(a, Samples); err != nil {
		errs = append(errs, fmt.Errorf("whole flow (%d layers): %w", len(a.Layers), err))
	}
	for i, c := range a.VarDeq {
		c.CondChannels = 0
		if err := checkUnit(flow.Arch{In: c.Shape, Layers: []flow.Layer{c}}, 1); err != nil {
			errs = append(errs, fmt.Errorf("vardeq coupling %d (%s, without its conditioning image): %w", i, c.Name, err))
		}
	}
	for i, l := range a.Layers {
		if err := checkUnit(flow.Arch{In: l.InShape(), Layers: []flow.Layer{l}}, 1); err != nil {
			errs = append(errs, fmt.Errorf("layer %d (%s): %w", i, l.Label(), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("flowtest: %d check(s) failed:\n%w", len(errs), errors.Join(errs...))
	}
	return nil
}

// checkUnit builds a, randomises it and checks it on samples inputs.
func checkUnit(a flow.Arch, samples int) error {
	m, err := flow.New(a, tensor.Float64, seed)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	m.Randomize(rng, flow.RandomScale)
	res, err := flow.Check(m, samples, rng)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("%d dims: inverse error %.3g (tolerance %.3g), log-det error %.3g and reverse log-det error %.3g (tolerance %.3g), log-det %.4g",
			res.Dims, res.MaxInvErr, res.Tolerances[0], res.MaxLDJErr, res.MaxRevErr, res.Tolerances[1], res.LogDet)
	}
	return nil
}
