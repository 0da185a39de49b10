package dataset

import (
	"slices"
	"testing"
)

func TestValSize(t *testing.T) {
	tests := []struct{ n, want int }{{-1, 0}, {0, 0}, {1, 0}, {5, 0}, {6, 1}, {12, 2}, {13, 2}, {60000, 10000}, {70000, 11666}}
	for _, tt := range tests {
		if got := ValSize(tt.n); got != tt.want {
			t.Errorf("ValSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

// checkPartition fails unless train and val together are a permutation of
// 0..n-1 with the sizes ValSize prescribes.
func checkPartition(t *testing.T, n int, train, val []int) {
	t.Helper()
	if len(val) != ValSize(n) || len(train) != n-ValSize(n) {
		t.Fatalf("n=%d: len(train), len(val) = %d, %d, want %d, %d", n, len(train), len(val), n-ValSize(n), ValSize(n))
	}
	seen := make([]bool, n)
	for _, part := range [][]int{train, val} {
		for _, i := range part {
			if i < 0 || i >= n {
				t.Fatalf("n=%d: index %d out of range", n, i)
			}
			if seen[i] {
				t.Fatalf("n=%d: index %d appears twice", n, i)
			}
			seen[i] = true
		}
	}
}

func TestSplitIndices(t *testing.T) {
	for _, n := range []int{0, 1, 2, 6, 7, 12, 1000, 60000} {
		train, val := SplitIndices(n, Seed)
		checkPartition(t, n, train, val)
		train2, val2 := SplitIndices(n, Seed)
		if !slices.Equal(train, train2) || !slices.Equal(val, val2) {
			t.Errorf("n=%d: SplitIndices is not deterministic", n)
		}
	}
	// Appending to train must not overwrite val.
	train, val := SplitIndices(12, Seed)
	v0 := val[0]
	_ = append(train, -1)
	if val[0] != v0 {
		t.Errorf("appending to train overwrote val")
	}
	// A different seed gives a different split.
	a, _ := SplitIndices(60000, Seed)
	b, _ := SplitIndices(60000, Seed+1)
	if slices.Equal(a, b) {
		t.Errorf("seeds %d and %d give the same split", Seed, Seed+1)
	}
}

// TestSplitIndicesGolden pins the shuffle so that it cannot change silently
// across Go releases or platforms.
func TestSplitIndicesGolden(t *testing.T) {
	train, val := SplitIndices(12, Seed)
	if want := []int{0, 11, 4, 6, 3, 1, 5, 10, 9, 2}; !slices.Equal(train, want) {
		t.Errorf("SplitIndices(12, %d) train = %v, want %v", Seed, train, want)
	}
	if want := []int{8, 7}; !slices.Equal(val, want) {
		t.Errorf("SplitIndices(12, %d) val = %v, want %v", Seed, val, want)
	}
	train, val = SplitIndices(60000, Seed)
	if want := []int{55448, 47770, 49041, 24195, 48427, 11868, 25049, 5042}; !slices.Equal(train[:8], want) {
		t.Errorf("SplitIndices(60000, %d) train[:8] = %v, want %v", Seed, train[:8], want)
	}
	if want := []int{28173, 24473, 1504, 9520, 3678, 16669, 45472, 12054}; !slices.Equal(val[:8], want) {
		t.Errorf("SplitIndices(60000, %d) val[:8] = %v, want %v", Seed, val[:8], want)
	}
}
