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
				g, b := gamma[c], beta[c]
				xc := xn[c*hw : (c+1)*hw]
				oc, m, r := on[c*hw:][:len(xc)], mean[:len(xc)], rstd[:len(xc)]
				for i, v := range xc {
					oc[i] = (v-m[i])*r[i]*g + b
				}
			}
		}
	})
}

// pixelStats computes per-pixel mean and 1/sqrt(biased variance + eps) over c channels.
func pixelStats(x, mean, rstd []float32, c, hw int) {
	zero(mean)
	zero(rstd)
	mean, rstd = mean[:hw], rstd[:hw]
	for ch := 0; ch < c; ch++ {
		xc := x[ch*hw:][:hw]
		for i, v := range xc {
			mean[i] += v
		}
	}
	inv := 1 / float32(c)
	for i := range mean {
		mean[i] *= inv
	}
	for ch := 0; ch < c; ch++ {
		xc := x[ch*hw:][:hw]
		for i, v := range xc {
			d := v - mean[i]
			rstd[i] += d * d
		}
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
			mean, rstd, sumG, sumGX := mean[:hw], rstd[:hw], sumG[:hw], sumGX[:hw]
			for c := 0; c < s.C; c++ {
				g := gamma[c]
				xc := xn[c*hw:][:hw]
				dc := dn[c*hw:][:hw]
				for i, v := range xc {
					gi := dc[i] * g
					sumG[i] += gi
					sumGX[i] += gi * (v - mean[i]) * rstd[i]
				}
			}
			for c := 0; c < s.C; c++ {
				g := gamma[c]
				xc := xn[c*hw:][:hw]
				dc, dxc := dn[c*hw:][:hw], dxn[c*hw:][:hw]
				for i, v := range xc {
					xhat := (v - mean[i]) * rstd[i]
					dxc[i] = rstd[i] * (dc[i]*g - inv*sumG[i] - xhat*inv*sumGX[i])
				}
			}
		}
	})
}

// LayerNormParamGrads computes dgamma = Σ dout·x̂ and dbeta = Σ dout over batch and pixels.
func LayerNormParamGrads(s Batch, x, dout, stats, dgamma, dbeta []float32) {
	hw, per := s.hw(), s.C*s.hw()
	zero(dgamma)
	zero(dbeta)
	for n := 0; n < s.N; n++ {
		mean, rstd := stats[2*n*hw:(2*n+1)*hw], stats[(2*n+1)*hw:(2*n+2)*hw]
		for c := 0; c < s.C; c++ {
			var sg, sb [4]float32 // partial sums: independent additions, not one chain
			xc := x[n*per+c*hw:][:hw]
			dc := dout[n*per+c*hw:][:hw]
			i := 0
			for ; i+4 <= hw; i += 4 {
				for u := 0; u < 4; u++ {
					d := dc[i+u]
					sg[u] += d * (xc[i+u] - mean[i+u]) * rstd[i+u]
					sb[u] += d
				}
			}
			for ; i < hw; i++ {
				sg[0] += dc[i] * (xc[i] - mean[i]) * rstd[i]
				sb[0] += dc[i]
			}
			dgamma[c] += (sg[0] + sg[1]) + (sg[2] + sg[3])
			dbeta[c] += (sb[0] + sb[1]) + (sb[2] + sb[3])
		}
	}
}

// GatedForward is out = x + val·sigmoid(gate) with [val, gate] = h (N×2C×H×W), x: N×C×H×W.
// sig (N×C×H×W) keeps sigmoid(gate) for GatedBackwardH.
func GatedForward(p *Pool, s Batch, x, h, out, sig []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			xn, on, sn := x[n*per:(n+1)*per], out[n*per:(n+1)*per], sig[n*per:(n+1)*per]
			val, gate := h[2*n*per:(2*n+1)*per], h[(2*n+1)*per:(2*n+2)*per]
			for i, g := range gate {
				sn[i] = -g
			}
			ExpSlice(sn, sn)
			for i, v := range xn {
				sg := 1 / (1 + sn[i])
				sn[i] = sg
				on[i] = v + val[i]*sg
			}
		}
	})
}

// GatedBackwardH is ∂L/∂h from dout and the forward's sig (∂L/∂x is dout itself).
func GatedBackwardH(p *Pool, s Batch, h, sig, dout, dh []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			dn, sn := dout[n*per:(n+1)*per], sig[n*per:(n+1)*per]
			val := h[2*n*per : (2*n+1)*per]
			dval, dgate := dh[2*n*per:(2*n+1)*per], dh[(2*n+1)*per:(2*n+2)*per]
			for i, d := range dn {
				sg := sn[i]
				dval[i] = d * sg
				dgate[i] = d * val[i] * sg * (1 - sg)
			}
		}
	})
}
