package blockperm

import (
	"slices"
	"testing"
)

func TestInverse(t *testing.T) {
	cases := []struct {
		p, want []int
	}{
		{[]int{2, 0, 1}, []int{1, 2, 0}},
		{[]int{}, []int{}},
		{[]int{0, 0, 1}, nil}, // repeated
		{[]int{0, 3, 1}, nil}, // out of range
		{[]int{-1, 0}, nil},
	}
	for _, tc := range cases {
		if got := Inverse(tc.p); !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("Inverse(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestCompose(t *testing.T) {
	p := []int{2, 0, 3, 1}
	if got := Compose(Inverse(p), p); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Errorf("inverse after p = %v, want the identity", got)
	}
	if got := Compose([]int{10, 20, 30}, []int{2, 2, 0}); !slices.Equal(got, []int{30, 30, 10}) {
		t.Errorf("Compose = %v", got)
	}
}
