package report

import (
	"strings"
	"testing"
)

// The first hypothesis is answered from the like-for-like validation gap; a test-gap difference
// is reported as a hint only when the validation gap shows none.
func TestHypothesisOneNotesTheTestGap(t *testing.T) {
	gap := func(q Quantity, mean, p float64) *Comparison {
		c := &Comparison{Quantity: q, Ref: "channel", Alt: "checkerboard"}
		c.N, c.Mean, c.Lo, c.Hi = 12, mean, mean-0.002, mean+0.002
		c.PTHolm, c.PPHolm = p, p
		return c
	}
	for _, tc := range []struct {
		name            string
		val, test       *Comparison
		want, wantNoHas string
	}{
		{"val gap differs", gap(GapVal, 0.004, 0.01), gap(GapTest, 0.004, 0.01), "support it", "hint"},
		{"only the test gap differs", gap(GapVal, 0.001, 0.5), gap(GapTest, 0.0036, 0.01), "checkerboard's is larger by 0.0036 bpd", ""},
		{"neither differs", gap(GapVal, 0.001, 0.5), gap(GapTest, 0.001, 0.5), "neither support nor contradict", "hint"},
	} {
		got := hypothesisOne([]*Comparison{tc.val, tc.test})
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.name, got, tc.want)
		}
		if tc.wantNoHas != "" && strings.Contains(got, tc.wantNoHas) {
			t.Errorf("%s: %q should not mention %q", tc.name, got, tc.wantNoHas)
		}
	}
}
