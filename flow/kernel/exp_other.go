//go:build !amd64

package kernel

// ExpSlice sets dst[i] = e^src[i] in float32 precision.
func ExpSlice(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = expf(x)
	}
}

func eluPair(pos, neg, x []float32) int                  { return 0 }
func eluPairGrad(dx, pos, neg, dpos, dneg []float32) int { return 0 }

func eluPairGradAdd(dx, pos, neg, dpos, dneg, add []float32) int { return 0 }

func sum(s []float32) float32 { return sumGo(s) }

func gatedFwd(out, sig, x, val, gate []float32) int   { return 0 }
func gatedBwd(dval, dgate, d, sig, val []float32) int { return 0 }
func gatedSum(out, x, val, sig []float32) int         { return 0 }

func couplingFwd(th, es, out, raw, t, keep, z []float32, f float32) (float32, int) {
	return 0, 0
}

func couplingBwd(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (float32, int) {
	return 0, 0
}

func logitVec(k, c float64) func(out, dy, dl, a, b []float32) (float32, int) { return nil }

func sigmoidVec(ah, om float32) func(out, dy, dl, a, b []float32) (float32, int) { return nil }
