package kernel

// Coupling is the affine coupling transform on NCHW batches: with the network output
// h = [sRaw, tRaw] (N×2C×H×W), a per-channel scale f = e^scale, and keep (C×H×W, 1 where a
// position is transformed, 0 where it conditions):
//
//	s = tanh(sRaw/f)·f·keep,  t = tRaw·keep,  z' = (z + t)·e^s,  ldj = Σ s per image.
type Coupling struct {
	S     Batch     // the shape of z
	Keep  []float32 // C×H×W
	pool  *Pool
	dz    []float32
	dsc   [][]float32 // per-worker scale-gradient accumulators
	ldjDS []float32
}

// NewCoupling prepares the transform for z of shape s with mask keep.
func NewCoupling(p *Pool, s Batch, keep []float32) *Coupling {
	return &Coupling{S: s, Keep: keep, pool: p, dsc: make([][]float32, p.Workers)}
}

// tanhf is tanh in float32 precision from expf.
func tanhf(x float32) float32 {
	if x > 9 {
		return 1
	}
	if x < -9 {
		return -1
	}
	if x > -0.01 && x < 0.01 {
		return x * (1 - x*x/3)
	}
	e := expf(2 * x)
	return (e - 1) / (e + 1)
}

// each calls f(n, c, i, idx, hIdx) for every element: idx into z, hIdx into the s half of h.
func (k *Coupling) each(from, to int, f func(n, c, i, idx, hIdx int)) {
	hw := k.S.hw()
	per := k.S.C * hw
	for n := from; n < to; n++ {
		for c := 0; c < k.S.C; c++ {
			for i := 0; i < hw; i++ {
				f(n, c, c*hw+i, n*per+c*hw+i, 2*n*per+c*hw+i)
			}
		}
	}
}

// Forward computes z' (N×C×H×W) and ldj (N).
func (k *Coupling) Forward(z, h, scale, out, ldj []float32) {
	per := k.S.C * k.S.hw()
	k.pool.Each(k.S.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			ldj[n] = 0
		}
		k.each(from, to, func(n, c, i, idx, hi int) {
			if k.Keep[i] == 0 {
				out[idx] = z[idx]
				return
			}
			f := expf(scale[c])
			s := tanhf(h[hi]/f) * f
			out[idx] = (z[idx] + h[hi+per]) * expf(s)
			ldj[n] += s
		})
	})
}

// Backward computes the gradients of a loss with respect to z, h and scale, given dout = ∂L/∂z'
// (nil for none) and dldj = ∂L/∂ldj (nil for none). dz may be nil when not wanted.
func (k *Coupling) Backward(z, h, scale, dout, dldj, dz, dh, dscale []float32) {
	per := k.S.C * k.S.hw()
	k.pool.Each(k.S.N, func(w, from, to int) {
		acc := grow(k.dsc[w], k.S.C)
		k.dsc[w] = acc
		zero(acc)
		for n := from; n < to; n++ {
			zero(dh[2*n*per : 2*(n+1)*per])
		}
		k.each(from, to, func(n, c, i, idx, hi int) {
			if k.Keep[i] == 0 {
				if dz != nil {
					dz[idx] = at(dout, idx)
				}
				return
			}
			f := expf(scale[c])
			u := h[hi] / f
			th := tanhf(u)
			s := th * f
			es := expf(s)
			d := at(dout, idx)
			if dz != nil {
				dz[idx] = d * es
			}
			dh[hi+per] = d * es // ∂z'/∂t = e^s
			ds := at(dldj, n)
			if dout != nil {
				ds += d * (z[idx] + h[hi+per]) * es
			}
			sech2 := 1 - th*th
			dh[hi] = ds * sech2
			// ∂s/∂scale = f·(tanh(u) - u·sech²(u))
			acc[c] += ds * f * (th - u*sech2)
		})
	})
	zero(dscale)
	for w := 0; w < min(k.pool.Workers, k.S.N); w++ {
		for c, v := range k.dsc[w][:k.S.C] {
			dscale[c] += v
		}
	}
}

func at(s []float32, i int) float32 {
	if s == nil {
		return 0
	}
	return s[i]
}

// LDJ computes ldj (N) = Σ s per image, the log-determinant of Forward, without transforming z.
func (k *Coupling) LDJ(h, scale, ldj []float32) {
	per := k.S.C * k.S.hw()
	k.pool.Each(k.S.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			var sum float32
			for c := 0; c < k.S.C; c++ {
				f := expf(scale[c])
				hw := k.S.hw()
				for i, raw := range h[2*n*per+c*hw : 2*n*per+(c+1)*hw] {
					if k.Keep[c*hw+i] != 0 {
						sum += tanhf(raw/f) * f
					}
				}
			}
			ldj[n] = sum
		}
	})
}

// Mask computes out = z·m with m (C×H×W) broadcast over the batch; it is also its own backward.
func Mask(p *Pool, s Batch, m, z, out []float32) {
	per := s.C * s.hw()
	p.Each(s.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			zn, on := z[n*per:(n+1)*per], out[n*per:(n+1)*per]
			for i, v := range zn {
				on[i] = v * m[i]
			}
		}
	})
}
