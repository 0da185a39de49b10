package atlas

import (
	"slices"
	"strings"
	"testing"

	"squeezebench/flow"
	"squeezebench/variants"
	_ "squeezebench/variants/all"
)

func TestChannelPermutation(t *testing.T) {
	out := flow.Shape{C: 3, H: 1, W: 2}
	a := []int{0, 1, 2, 3, 4, 5}
	if pi := channelPermutation(a, []int{4, 5, 0, 1, 2, 3}, out); !slices.Equal(pi, []int{1, 2, 0}) {
		t.Errorf("channels (01)(23)(45) against (45)(01)(23): %v, want [1 2 0]", pi)
	}
	if pi := channelPermutation(a, []int{1, 0, 2, 3, 4, 5}, out); pi != nil {
		t.Errorf("a permutation within a channel: %v, want nil", pi)
	}
}

// W·P moves column k of W to column pi[k].
func TestPermuteColumns(t *testing.T) {
	w := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	if got, want := permuteColumns(w, []int{2, 0, 1}), []float64{2, 3, 1, 5, 6, 4, 8, 9, 7}; !slices.Equal(got, want) {
		t.Errorf("W·P = %v, want %v", got, want)
	}
}

// A fact about a variant that is not registered fails and says which.
func TestNamedFailsOnAnUnregisteredVariant(t *testing.T) {
	if _, err := named(variants.Squeeze, "tutorial"); err != nil {
		t.Fatal(err)
	}
	_, err := namedCell("tutorial", "diagonal", "rowwise")
	if err == nil || !strings.Contains(err.Error(), `"diagonal"`) {
		t.Errorf("namedCell with split diagonal: %v, want an error naming it", err)
	}
}

// The pointwise network sees zeros where it transforms, so the coupling is the identity; a
// network that does not changes the transformed positions only.
func TestPlainCoupling(t *testing.T) {
	z, mask := []float64{1, 2, 3, 4}, []float64{1, 0, 1, 0}
	if out, ldj := plainCoupling(z, mask, pointwise); !slices.Equal(out, z) || ldj != 0 {
		t.Errorf("pointwise: %v, %v; want the identity", out, ldj)
	}
	shift := func(zin []float64) (s, tr []float64) { return make([]float64, len(zin)), []float64{10, 10, 10, 10} }
	if out, ldj := plainCoupling(z, mask, shift); !slices.Equal(out, []float64{1, 12, 3, 14}) || ldj != 0 {
		t.Errorf("shift by 10: %v, %v; want [1 12 3 14] and 0", out, ldj)
	}
}
