package kernel

import "math"

// Batch is the NCHW shape of a batch of feature maps.
type Batch struct{ N, C, H, W int }

func (b Batch) hw() int { return b.H * b.W }

// eluImage sets pos = elu(x) and neg = elu(-x) elementwise.
func eluImage(pos, neg, x []float32) {
	done := eluPair(pos, neg, x)
	x, pos, neg = x[done:], pos[done:], neg[done:]
	for i, v := range x {
		neg[i] = -abs(v)
	}
	ExpSlice(neg, neg)
	for i, v := range x {
		em1 := neg[i] - 1
		if v > 0 {
			pos[i], neg[i] = v, em1
		} else {
			pos[i], neg[i] = em1, -v
		}
	}
}

// eluImageGrad is the backward of eluImage from its outputs pos, neg and their gradients.
func eluImageGrad(dx, pos, neg, dpos, dneg []float32) {
	done := eluPairGrad(dx, pos, neg, dpos, dneg)
	dx, pos, neg, dpos, dneg = dx[done:], pos[done:], neg[done:], dpos[done:], dneg[done:]
	for i, v := range pos {
		if v > 0 {
			dx[i] = dpos[i] - dneg[i]*(neg[i]+1)
		} else {
			dx[i] = dpos[i]*(v+1) - dneg[i]
		}
	}
}

// eluImageGradAdd is eluImageGrad with add added to dx (the same floats: the gradient, then the
// sum).
func eluImageGradAdd(dx, pos, neg, dpos, dneg, add []float32) {
	done := eluPairGradAdd(dx, pos, neg, dpos, dneg, add)
	if done == len(dx) {
		return
	}
	dx, add = dx[done:], add[done:len(dx)]
	eluImageGrad(dx, pos[done:], neg[done:], dpos[done:], dneg[done:])
	for i, v := range add {
		dx[i] += v
	}
}

// ConcatELUForward writes out (N×2C×H×W) = cat(elu(x), elu(-x)) along channels, x: N×C×H×W.
// Each element needs one exponential, e^-|x|, computed eight at a time in the negative half first.
func ConcatELUForward(p *Pool, s Batch, x, out []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			eluImage(out[2*n*per:(2*n+1)*per], out[(2*n+1)*per:(2*n+2)*per], x[n*per:(n+1)*per])
		}
	})
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// ConcatELUBackward computes dx from the forward output out = cat(elu(x), elu(-x)) and dout
// (both N×2C×H×W). elu'(v) is 1 for v > 0 and e^v = elu(v)+1 otherwise, and the sign of x shows
// in the positive half of out, so no exponential is recomputed.
func ConcatELUBackward(p *Pool, s Batch, out, dout, dx []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			eluImageGrad(dx[n*per:(n+1)*per], out[2*n*per:(2*n+1)*per], out[(2*n+1)*per:(2*n+2)*per],
				dout[2*n*per:(2*n+1)*per], dout[(2*n+1)*per:(2*n+2)*per])
		}
	})
}

// LayerNormEps is the tutorial's LayerNormChannels epsilon.
const LayerNormEps = 1e-5

// LayerNormForward normalises every pixel over its channels: out = (x-μ)/sqrt(σ²+eps)·γ + β.
// stats (2·N·H·W) receives μ and 1/sqrt(σ²+eps) per pixel for the backward pass.
func LayerNormForward(p *Pool, s Batch, x, gamma, beta, out, stats []float32) {
	hw, per := s.hw(), s.C*s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			mean, rstd := stats[2*n*hw:(2*n+1)*hw], stats[(2*n+1)*hw:(2*n+2)*hw]
			xn, on := x[n*per:(n+1)*per], out[n*per:(n+1)*per]
			pixelStats(xn, mean, rstd, s.C, hw)
			for c := 0; c < s.C; c++ {
				lnNorm(on[c*hw:(c+1)*hw], xn[c*hw:(c+1)*hw], mean, rstd, gamma[c], beta[c])
			}
		}
	})
}

// pixelStats computes per-pixel mean and 1/sqrt(biased variance + eps) over c channels.
func pixelStats(x, mean, rstd []float32, c, hw int) {
	mean, rstd = mean[:hw], rstd[:hw]
	zero(mean)
	zero(rstd)
	for ch := 0; ch < c; ch++ {
		lnAcc(mean, x[ch*hw:(ch+1)*hw])
	}
	inv := 1 / float32(c)
	for i := range mean {
		mean[i] *= inv
	}
	for ch := 0; ch < c; ch++ {
		lnSqDevAcc(rstd, x[ch*hw:(ch+1)*hw], mean)
	}
	lnRstd(rstd, inv)
}

// lnRstd turns sums of squared deviations into 1/sqrt(sum·inv + eps): in float32 with AVX-512 or
// AVX2, else through float64 (the two differ by at most a rounding).
func lnRstd(rstd []float32, inv float32) {
	if v := vectorLoops(); v != nil {
		v.lnRstd(rstd, inv, LayerNormEps)
		return
	}
	for i, v := range rstd {
		rstd[i] = float32(1 / math.Sqrt(float64(v*inv+LayerNormEps)))
	}
}

// LayerNormBackward computes dx, and accumulates nothing: dgamma and dbeta come from
// LayerNormParamGrads. stats are the forward's; scratch holds 2·H·W floats per worker.
func LayerNormBackward(p *Pool, s Batch, x, gamma, dout, stats, dx []float32, scratch [][]float32) {
	hw, per := s.hw(), s.C*s.hw()
	inv := 1 / float32(s.C)
	p.Each(s.N, func(worker, from, to int) {
		scratch[worker] = grow(scratch[worker], 2*hw)
		sumG, sumGX := scratch[worker][:hw], scratch[worker][hw:]
		for n := from; n < to; n++ {
			mean, rstd := stats[2*n*hw:(2*n+1)*hw], stats[(2*n+1)*hw:(2*n+2)*hw]
			xn, dn, dxn := x[n*per:(n+1)*per], dout[n*per:(n+1)*per], dx[n*per:(n+1)*per]
			zero(sumG)
			zero(sumGX)
			for c := 0; c < s.C; c++ {
				lnGradSums(sumG, sumGX, dn[c*hw:(c+1)*hw], xn[c*hw:(c+1)*hw], mean, rstd, gamma[c])
			}
			for c := 0; c < s.C; c++ {
				lnGrad(dxn[c*hw:(c+1)*hw], dn[c*hw:(c+1)*hw], xn[c*hw:(c+1)*hw], mean, rstd, sumG, sumGX, gamma[c], inv)
			}
		}
	})
}

// LayerNormParamGrads computes dgamma = Σ dout·x̂ and dbeta = Σ dout over batch and pixels,
// the workers' images summed in scratch (2·C floats per worker) and then added up.
func LayerNormParamGrads(p *Pool, s Batch, x, dout, stats, dgamma, dbeta []float32, scratch [][]float32) {
	hw, per := s.hw(), s.C*s.hw()
	p.Each(s.N, func(worker, from, to int) {
		scratch[worker] = grow(scratch[worker], 2*s.C)
		sg, sb := scratch[worker][:s.C], scratch[worker][s.C:]
		zero(sg)
		zero(sb)
		for n := from; n < to; n++ {
			mean, rstd := stats[2*n*hw:(2*n+1)*hw], stats[(2*n+1)*hw:(2*n+2)*hw]
			for c := 0; c < s.C; c++ {
				g, b := lnParamSums(dout[n*per+c*hw:n*per+(c+1)*hw], x[n*per+c*hw:n*per+(c+1)*hw], mean, rstd)
				sg[c] += g
				sb[c] += b
			}
		}
	})
	zero(dgamma)
	zero(dbeta)
	for w := 0; w < min(p.Workers, s.N); w++ {
		for c := 0; c < s.C; c++ {
			dgamma[c] += scratch[w][c]
			dbeta[c] += scratch[w][s.C+c]
		}
	}
}

// The per-row loops of LayerNormChannels (rows of one channel plane, with the per-pixel
// statistics): AVX-512 or AVX2 assembly where the processor has it (vectorLoops), else these Go
// loops.

// pointLoops are one instruction set's forms of the per-pixel loops (layernorm_amd64.s and the
// AVX2 file generated from it), each with its Go loop's contract.
type pointLoops struct {
	lnAcc       func(dst, x []float32)
	lnSqDevAcc  func(dst, x, mean []float32)
	lnNorm      func(out, x, mean, rstd []float32, gm, b float32)
	lnGradSums  func(sumG, sumGX, d, x, mean, rstd []float32, gm float32)
	lnGrad      func(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32)
	lnParamSums func(d, x, mean, rstd []float32) (sg, sb float32)
	lnRstd      func(v []float32, inv, eps float32)
	keep        func(dst []float32, mask []uint32)
	copyRows    func(dst []float32, dstStride int, src []float32, srcStride, rows, w int)
	mul         func(out, a, b []float32)
	mulAdd      func(dst, a, b []float32)
}

// lnAcc: dst += x.
func lnAcc(dst, x []float32) {
	if v := vectorLoops(); v != nil {
		v.lnAcc(dst[:len(x)], x)
		return
	}
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += v
	}
}

// lnSqDevAcc: dst += (x-mean)².
func lnSqDevAcc(dst, x, mean []float32) {
	if v := vectorLoops(); v != nil {
		v.lnSqDevAcc(dst[:len(x)], x, mean[:len(x)])
		return
	}
	dst, mean = dst[:len(x)], mean[:len(x)]
	for i, v := range x {
		d := v - mean[i]
		dst[i] += d * d
	}
}

// lnNorm: out = (x-mean)·rstd·g + b.
func lnNorm(out, x, mean, rstd []float32, g, b float32) {
	if v := vectorLoops(); v != nil {
		v.lnNorm(out[:len(x)], x, mean[:len(x)], rstd[:len(x)], g, b)
		return
	}
	out, mean, rstd = out[:len(x)], mean[:len(x)], rstd[:len(x)]
	for i, v := range x {
		out[i] = (v-mean[i])*rstd[i]*g + b
	}
}

// lnGradSums: with gi = d·g, sumG += gi and sumGX += gi·x̂.
func lnGradSums(sumG, sumGX, d, x, mean, rstd []float32, g float32) {
	n := len(x)
	if v := vectorLoops(); v != nil {
		v.lnGradSums(sumG[:n], sumGX[:n], d[:n], x, mean[:n], rstd[:n], g)
		return
	}
	sumG, sumGX, d, mean, rstd = sumG[:n], sumGX[:n], d[:n], mean[:n], rstd[:n]
	for i, v := range x {
		gi := d[i] * g
		sumG[i] += gi
		sumGX[i] += gi * (v - mean[i]) * rstd[i]
	}
}

// lnGrad: dx = rstd·(d·g - inv·sumG - x̂·inv·sumGX).
func lnGrad(dx, d, x, mean, rstd, sumG, sumGX []float32, g, inv float32) {
	n := len(x)
	if v := vectorLoops(); v != nil {
		v.lnGrad(dx[:n], d[:n], x, mean[:n], rstd[:n], sumG[:n], sumGX[:n], g, inv)
		return
	}
	dx, d, mean, rstd, sumG, sumGX = dx[:n], d[:n], mean[:n], rstd[:n], sumG[:n], sumGX[:n]
	for i, v := range x {
		xhat := (v - mean[i]) * rstd[i]
		dx[i] = rstd[i] * (d[i]*g - inv*sumG[i] - xhat*inv*sumGX[i])
	}
}

// lnParamSums returns Σ d·x̂ and Σ d, in partial sums (independent additions, not one chain).
func lnParamSums(d, x, mean, rstd []float32) (sg, sb float32) {
	n := len(x)
	if v := vectorLoops(); v != nil {
		return v.lnParamSums(d[:n], x, mean[:n], rstd[:n])
	}
	d, mean, rstd = d[:n], mean[:n], rstd[:n]
	var pg, pb [4]float32
	i := 0
	for ; i+4 <= n; i += 4 {
		for u := 0; u < 4; u++ {
			pg[u] += d[i+u] * (x[i+u] - mean[i+u]) * rstd[i+u]
			pb[u] += d[i+u]
		}
	}
	for ; i < n; i++ {
		pg[0] += d[i] * (x[i] - mean[i]) * rstd[i]
		pb[0] += d[i]
	}
	return (pg[0] + pg[1]) + (pg[2] + pg[3]), (pb[0] + pb[1]) + (pb[2] + pb[3])
}

// GatedForward is out = x + val·sigmoid(gate) with [val, gate] = h (N×2C×H×W), x: N×C×H×W.
// sig (N×C×H×W) keeps sigmoid(gate) for GatedBackwardH.
func GatedForward(p *Pool, s Batch, x, h, out, sig []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			xn := x[n*per : (n+1)*per]
			on, sn := out[n*per:][:len(xn)], sig[n*per:][:len(xn)]
			val, gate := h[2*n*per:][:len(xn)], h[(2*n+1)*per:][:len(xn)]
			gatedSlice(on, sn, xn, val, gate)
		}
	})
}

// GatedBackwardH is ∂L/∂h from dout and the forward's sig (∂L/∂x is dout itself).
func GatedBackwardH(p *Pool, s Batch, h, sig, dout, dh []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			dn := dout[n*per : (n+1)*per]
			sn, val := sig[n*per:][:len(dn)], h[2*n*per:][:len(dn)]
			dval, dgate := dh[2*n*per:][:len(dn)], dh[(2*n+1)*per:][:len(dn)]
			gatedGradSlice(dval, dgate, dn, sn, val)
		}
	})
}
