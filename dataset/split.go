package dataset

import (
	"math/bits"
	"math/rand/v2"
)

// Seed is the fixed seed of the train/validation shuffle used by Load.
const Seed uint64 = 42

// ValSize returns the number of validation images taken from a training file
// of n images: n/6, rounded down. For MNIST's 60,000 training images this
// is the tutorial's 10,000, leaving 50,000 for training.
func ValSize(n int) int {
	if n <= 0 {
		return 0
	}
	return n / 6
}

// SplitIndices shuffles the indices 0..n-1 with the given seed and splits
// them into n-ValSize(n) training and ValSize(n) validation indices, each in
// shuffled order. Together they are a permutation of 0..n-1.
//
// The shuffle is a Fisher-Yates shuffle driven by a PCG generator from
// math/rand/v2 with an explicit, unbiased bounded draw, so it gives the same
// result on every platform and Go release.
func SplitIndices(n int, seed uint64) (train, val []int) {
	if n <= 0 {
		return []int{}, []int{}
	}
	perm := permutation(n, seed)
	nt := n - ValSize(n)
	return perm[:nt:nt], perm[nt:]
}

// permutation returns a seeded pseudo-random permutation of 0..n-1.
func permutation(n int, seed uint64) []int {
	// The second PCG seed word is fixed: any constant works, and
	// keeping it fixed keeps the stream a function of seed alone.
	src := rand.NewPCG(seed, 0x5eed5eed5eed5eed)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(uintN(src, uint64(i)+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// uintN returns a uniform value in [0, n) using Lemire's multiply-and-reject
// method on the PCG output, which is fixed by its specification.
func uintN(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}
