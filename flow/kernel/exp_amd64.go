package kernel

import "golang.org/x/sys/cpu"

var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func expAVX2(dst, src []float32)

//go:noescape
func expAVX512(dst, src []float32)

//go:noescape
func eluPairAVX512(pos, neg, x []float32)

//go:noescape
func eluPairGradAVX512(dx, pos, neg, dpos, dneg []float32)

// ExpSlice sets dst[i] = e^src[i] (float32 precision; inputs below -87 give e^-87), sixteen at a
// time with AVX-512 or eight with AVX2 and FMA where the processor has them.
func ExpSlice(dst, src []float32) {
	dst = dst[:len(src)]
	done := 0
	if v := wideLoopSet(); v != nil {
		v.exp(dst, src)
		done = v.whole(len(src))
	}
	for i := done; i < len(src); i++ {
		dst[i] = expf(src[i])
	}
}

//go:noescape
func eluPairAVX2(pos, neg, x []float32)

//go:noescape
func eluPairGradAVX2(dx, pos, neg, dpos, dneg []float32)

// eluPair sets pos = elu(x), neg = elu(-x); it returns how many leading elements it did (a
// multiple of 16 or 8, or 0 without AVX2): the caller does the rest.
func eluPair(pos, neg, x []float32) int {
	v := wideLoopSet()
	if v == nil {
		return 0
	}
	v.eluPair(pos[:len(x)], neg[:len(x)], x)
	return v.whole(len(x))
}

// eluPairGrad is the backward of eluPair from its outputs; it returns how many leading elements
// it did.
func eluPairGrad(dx, pos, neg, dpos, dneg []float32) int {
	v, n := wideLoopSet(), len(dx)
	if v == nil {
		return 0
	}
	v.eluPairGrad(dx, pos[:n], neg[:n], dpos[:n], dneg[:n])
	return v.whole(n)
}

//go:noescape
func sumAVX2(s []float32) float32

// sum adds s up in independent partial sums: one running sum waits for each addition's
// latency, which made the bias gradient cost as much as a GEMM.
func sum(s []float32) float32 {
	if !hasAVX2FMA {
		return sumGo(s)
	}
	done := len(s) &^ 31
	return sumAVX2(s) + sumGo(s[done:])
}

//go:noescape
func gatedFwdAVX512(out, sig, x, val, gate []float32)

//go:noescape
func gatedBwdAVX512(dval, dgate, d, sig, val []float32)

//go:noescape
func gatedFwdAVX2(out, sig, x, val, gate []float32)

//go:noescape
func gatedBwdAVX2(dval, dgate, d, sig, val []float32)

// gatedFwd does the leading elements of GatedForward's loop for one image with AVX-512 or AVX2
// and returns how many (a multiple of 16 or 8, or 0 without either): the caller does the rest.
func gatedFwd(out, sig, x, val, gate []float32) int {
	v, n := wideLoopSet(), len(x)
	if v == nil {
		return 0
	}
	v.gatedFwd(out[:n], sig[:n], x, val[:n], gate[:n])
	return v.whole(n)
}

// gatedBwd does the leading elements of GatedBackwardH's loop for one image and returns how
// many.
func gatedBwd(dval, dgate, d, sig, val []float32) int {
	v, n := wideLoopSet(), len(d)
	if v == nil {
		return 0
	}
	v.gatedBwd(dval[:n], dgate[:n], d, sig[:n], val[:n])
	return v.whole(n)
}

//go:noescape
func couplingBwdAVX512(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (dsc float32)

//go:noescape
func couplingBwdAVX2(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (dsc float32)

// couplingBwd is the coupling's backward loop over the leading elements of one plane (see
// Coupling.Backward): all of them with AVX-512 (a masked tail), all but the last len%8 with
// AVX2, none without either or without dz. It returns their part of the scale gradient and how
// many it did; the caller's Go loop does the rest.
func couplingBwd(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (dsc float32, done int) {
	n := len(d)
	switch {
	case dz == nil:
		return 0, 0
	case hasAVX512:
		return couplingBwdAVX512(dz[:n], dht[:n], dhs[:n], d, e[:n], z[:n], t[:n], keep[:n], th[:n], raw[:n], base, f), n
	case hasAVX2FMA:
		return couplingBwdAVX2(dz[:n], dht[:n], dhs[:n], d, e[:n], z[:n], t[:n], keep[:n], th[:n], raw[:n], base, f), n &^ 7
	}
	return 0, 0
}

//go:noescape
func logitAVX512(out, dy, dl, a, b []float32, bs, k, klo, c, om, omlo float32) (sum float32)

//go:noescape
func sigmoidAVX512(out, dy, dl, a []float32, ah, om float32) (sum float32)

//go:noescape
func logitAVX2(out, dy, dl, a, b []float32, bs, k, klo, c, om, omlo float32) (sum float32)

//go:noescape
func sigmoidAVX2(out, dy, dl, a []float32, ah, om float32) (sum float32)

// logitVec is Logit's map w = v·k + c, y = log(w/(1-w)) over the leading elements of a slice
// (float32, with k and 1-c carried in two floats each): all of them with AVX-512, all but the
// last len%8 with AVX2. It returns Σ l over them and how many it did.
func logitVec(k, c float64) func(out, dy, dl, a, b []float32) (float32, int) {
	khi := float32(k)
	klo := float32(k - float64(khi))
	om := float32(1 - c)
	omlo := float32(1 - c - float64(om))
	return func(out, dy, dl, a, b []float32) (float32, int) {
		n := len(a)
		var bs float32 = 1
		if b == nil {
			b, bs = a, 0 // v = a + 0·a
		}
		switch {
		case hasAVX512:
			return logitAVX512(out[:n], dy[:n], dl[:n], a, b[:n], bs, khi, klo, float32(c), om, omlo), n
		case hasAVX2FMA:
			return logitAVX2(out[:n], dy[:n], dl[:n], a, b[:n], bs, khi, klo, float32(c), om, omlo), n &^ 7
		}
		return 0, 0
	}
}

// sigmoidVec is Sigmoid's map over the leading elements of a slice (float32 throughout), for a
// alone, as logitVec.
func sigmoidVec(ah, om float32) func(out, dy, dl, a, b []float32) (float32, int) {
	return func(out, dy, dl, a, b []float32) (float32, int) {
		n := len(a)
		switch {
		case b != nil:
			return 0, 0
		case hasAVX512:
			return sigmoidAVX512(out[:n], dy[:n], dl[:n], a, ah, om), n
		case hasAVX2FMA:
			return sigmoidAVX2(out[:n], dy[:n], dl[:n], a, ah, om), n &^ 7
		}
		return 0, 0
	}
}

//go:noescape
func gatedSumAVX512(out, x, val, sig []float32)

//go:noescape
func gatedSumAVX2(out, x, val, sig []float32)

// gatedSum does the leading elements of gatedSumSlice and returns how many.
func gatedSum(out, x, val, sig []float32) int {
	v, n := wideLoopSet(), len(x)
	if v == nil {
		return 0
	}
	v.gatedSum(out[:n], x, val[:n], sig[:n])
	return v.whole(n)
}

//go:noescape
func couplingFwdAVX512(th, es, out, raw, t, keep, z []float32, f float32) (sum float32)

//go:noescape
func couplingFwdAVX2(th, es, out, raw, t, keep, z []float32, f float32) (sum float32)

// couplingFwd is the coupling's forward loops over the leading elements of one plane (see
// Coupling.forwardImage), as couplingBwd: it returns their sum of s and how many it did.
func couplingFwd(th, es, out, raw, t, keep, z []float32, f float32) (sum float32, done int) {
	n := len(raw)
	switch {
	case hasAVX512:
		return couplingFwdAVX512(th[:n], es[:n], out[:n], raw, t[:n], keep[:n], z[:n], f), n
	case hasAVX2FMA:
		return couplingFwdAVX2(th[:n], es[:n], out[:n], raw, t[:n], keep[:n], z[:n], f), n &^ 7
	}
	return 0, 0
}

//go:noescape
func eluPairGradAddAVX512(dx, pos, neg, dpos, dneg, add []float32)

//go:noescape
func eluPairGradAddAVX2(dx, pos, neg, dpos, dneg, add []float32)

// eluPairGradAdd is eluPairGrad plus add (the residual's gradient); it returns how many leading
// elements it did (0 without AVX2).
func eluPairGradAdd(dx, pos, neg, dpos, dneg, add []float32) int {
	v, n := wideLoopSet(), len(dx)
	if v == nil {
		return 0
	}
	v.eluPairGradAdd(dx, pos[:n], neg[:n], dpos[:n], dneg[:n], add[:n])
	return v.whole(n)
}

// wideLoops is one instruction set's forms of the loops that do whole vectors and leave the last
// len mod lanes elements to the caller's Go loop (the coupling and the dequantization maps, whose
// AVX-512 forms mask their tail, dispatch on their own).
type wideLoops struct {
	lanes          int
	exp            func(dst, src []float32)
	eluPair        func(pos, neg, x []float32)
	eluPairGrad    func(dx, pos, neg, dpos, dneg []float32)
	eluPairGradAdd func(dx, pos, neg, dpos, dneg, add []float32)
	gatedFwd       func(out, sig, x, val, gate []float32)
	gatedBwd       func(dval, dgate, d, sig, val []float32)
	gatedSum       func(out, x, val, sig []float32)
}

// whole is how many of n elements the set's loops do: n rounded down to whole vectors.
func (v *wideLoops) whole(n int) int { return n &^ (v.lanes - 1) }

var (
	avx512Wide = &wideLoops{lanes: 16, exp: expAVX512, eluPair: eluPairAVX512, eluPairGrad: eluPairGradAVX512,
		eluPairGradAdd: eluPairGradAddAVX512, gatedFwd: gatedFwdAVX512, gatedBwd: gatedBwdAVX512, gatedSum: gatedSumAVX512}
	avx2Wide = &wideLoops{lanes: 8, exp: expAVX2, eluPair: eluPairAVX2, eluPairGrad: eluPairGradAVX2,
		eluPairGradAdd: eluPairGradAddAVX2, gatedFwd: gatedFwdAVX2, gatedBwd: gatedBwdAVX2, gatedSum: gatedSumAVX2}
)

// wideLoopSet is the widest set the flags allow (nil: the Go loops); read per call, so that tests
// can switch the flags.
func wideLoopSet() *wideLoops {
	switch {
	case hasAVX512:
		return avx512Wide
	case hasAVX2FMA:
		return avx2Wide
	}
	return nil
}
