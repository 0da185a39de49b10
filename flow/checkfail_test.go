package flow

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// A check that cannot fail proves nothing: corrupt the built model in ways that break the flow and
// require Check to notice, and make one change that keeps it a flow and require Check to pass.
func TestCheckDetectsBrokenFlows(t *testing.T) {
	type fields struct{ inv, ldj bool } // which errors must exceed tolerance
	cases := []struct {
		name    string
		corrupt func(t *testing.T, m *Model)
		ok      bool   // Check must pass
		fail    fields // otherwise, these errors must be over tolerance
	}{
		{
			name: "control: another permutation is still a flow",
			corrupt: func(t *testing.T, m *Model) {
				i, p := firstLayer[Permute](t, m)
				idx := append([]int(nil), p.Index...)
				for a, b := 0, len(idx)-1; a < b; a, b = a+1, b-1 {
					idx[a], idx[b] = idx[b], idx[a]
				}
				p.Index = idx
				m.layers[i] = p
			},
			ok: true,
		},
		{
			name: "squeeze index is not a permutation",
			corrupt: func(t *testing.T, m *Model) {
				i, p := firstLayer[Permute](t, m)
				idx := append([]int(nil), p.Index...)
				idx[1] = idx[0]
				p.Index = idx
				m.layers[i] = p
			},
			fail: fields{inv: true, ldj: true},
		},
		{
			name: "split keeps an element it also factors out",
			corrupt: func(t *testing.T, m *Model) {
				i, s := firstLayer[Split](t, m)
				f := append([]int(nil), s.Factor...)
				f[0] = s.Keep[0]
				s.Factor = f
				m.layers[i] = s
			},
			fail: fields{inv: true, ldj: true},
		},
		{
			// mask 0.1 instead of 0 on the transformed positions: the network sees (a tenth of)
			// the positions it transforms, so the Jacobian is no longer triangular.
			name: "coupling network sees transformed positions",
			corrupt: func(t *testing.T, m *Model) {
				_, c := firstLayer[*couplingModule](t, m)
				mask := make([]float64, len(c.mask))
				for i, v := range c.mask {
					mask[i] = v
					if v == 0 {
						mask[i] = 0.1
					}
				}
				c.mask = mask
			},
			fail: fields{inv: true, ldj: true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tinyModel(t, tensor.Float64)
			tc.corrupt(t, m)
			rng := rand.New(rand.NewPCG(1, 2))
			m.Randomize(rng, RandomScale)
			res, err := Check(m, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", res)
			if res.OK() != tc.ok {
				t.Fatalf("OK() = %v, want %v", res.OK(), tc.ok)
			}
			if tc.fail.inv && !(res.MaxInvErr > res.Tolerances[0]) {
				t.Errorf("inverse error %g within tolerance", res.MaxInvErr)
			}
			if tc.fail.ldj && !(res.MaxLDJErr > res.Tolerances[1]) {
				t.Errorf("log-det error %g within tolerance", res.MaxLDJErr)
			}
		})
	}
}

// firstLayer finds the first layer of type L in m's built layer list.
func firstLayer[L any](t *testing.T, m *Model) (int, L) {
	t.Helper()
	for i, l := range m.layers {
		if x, ok := l.(L); ok {
			return i, x
		}
	}
	var zero L
	t.Fatalf("model has no %T layer", zero)
	return 0, zero
}
