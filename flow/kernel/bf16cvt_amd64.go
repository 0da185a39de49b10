package kernel

import "math"

// Rounding float32 to bfloat16 for the AMX kernels' operands (amxconv, amxfilter), on AVX512-BF16
// with VCVTNE2PS2BF16 (32 floats per instruction) and in Go elsewhere and for the tails; both
// round as the instruction does (toBF16), so the paths agree bit for bit.

//go:noescape
func cvtBF16Run(src *float32, dst *uint16, n int)

//go:noescape
func cvtBF16Pairs(a, b *float32, dst *uint32, interleave *[32]uint16, n int)

//go:noescape
func gatherPairs(rows *uint32, npp int, dst *uint32, index *[16]int32, mask uint16)

var pairInterleave = func() (p [32]uint16) {
	for i := range 16 {
		p[2*i], p[2*i+1] = uint16(i), uint16(16+i)
	}
	return p
}()

// toBF16Run sets dst[i] = toBF16(src[i]) for i < len(src) (dst at least as long).
func toBF16Run(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	head := 0
	if hasBF16 && len(src) >= 32 {
		head = len(src) &^ 31
		cvtBF16Run(&src[0], &dst[0], head)
	}
	for i := head; i < len(src); i++ {
		dst[i] = toBF16(src[i])
	}
}

// toBF16Pairs sets dst[i] = toBF16(a[i]) | toBF16(b[i])<<16 for i < len(a) (b and dst at least as
// long): two channels as bfloat16 pairs, the low half a's.
func toBF16Pairs(dst []uint32, a, b []float32) {
	b, dst = b[:len(a)], dst[:len(a)]
	head := 0
	if hasBF16 && len(a) >= 16 {
		head = len(a) &^ 15
		cvtBF16Pairs(&a[0], &b[0], &dst[0], &pairInterleave, head)
	}
	for i := head; i < len(a); i++ {
		dst[i] = uint32(toBF16(a[i])) | uint32(toBF16(b[i]))<<16
	}
}

// toBF16 rounds f to the nearest bfloat16, ties to even, as VCVTNE2PS2BF16 does: a NaN stays a
// NaN (quietened), a denormal becomes a zero of its sign.
func toBF16(f float32) uint16 {
	u := math.Float32bits(f)
	switch {
	case u&0x7fffffff > 0x7f800000:
		return uint16(u>>16) | 0x40
	case u&0x7f800000 == 0:
		return uint16(u>>16) & 0x8000
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
