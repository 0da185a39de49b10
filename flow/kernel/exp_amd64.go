package kernel

import "golang.org/x/sys/cpu"

var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func expAVX2(dst, src []float32)

// ExpSlice sets dst[i] = e^src[i] (float32 precision; inputs below -87 give e^-87), eight at a time
// with AVX2 and FMA where the processor has them.
func ExpSlice(dst, src []float32) {
	dst = dst[:len(src)]
	done := 0
	if hasAVX2FMA {
		expAVX2(dst, src)
		done = len(src) &^ 7
	}
	for i := done; i < len(src); i++ {
		dst[i] = expf(src[i])
	}
}
