package kernel

// Coupling is the affine coupling transform on NCHW batches: with the network output
// h = [sRaw, tRaw] (N×2C×H×W), a per-channel scale f = e^scale, and keep (C×H×W, 1 where a
// position is transformed, 0 where it conditions):
//
//	s = tanh(sRaw/f)·f·keep,  t = tRaw·keep,  z' = (z + t)·e^s,  ldj = Σ s per image.
//
// Where keep is 0, s = t = 0 and z' = z, so one formula serves every position.
type Coupling struct {
	S       Batch     // the shape of z
	Keep    []float32 // C×H×W
	pool    *Pool
	scratch [][]float32 // per worker: th, e^s, and one more plane
	dsc     [][]float32 // per-worker scale-gradient accumulators
}

// NewCoupling prepares the transform for z of shape s with mask keep.
func NewCoupling(p *Pool, s Batch, keep []float32) *Coupling {
	return &Coupling{S: s, Keep: keep, pool: p, scratch: make([][]float32, p.Workers), dsc: make([][]float32, p.Workers)}
}

// plane computes, for image n and channel c, th = tanh(sRaw/f) and es = e^s into the worker's
// scratch, and returns them with f, the raw planes and the mask row.
func (k *Coupling) plane(worker, n, c int, h, scale []float32) (th, es, raw, t, keep []float32, f float32) {
	hw := k.S.hw()
	per := k.S.C * hw
	buf := grow(k.scratch[worker], 2*hw)
	k.scratch[worker] = buf
	th, es = buf[:hw], buf[hw:]
	raw = h[2*n*per+c*hw : 2*n*per+(c+1)*hw]
	t = h[2*n*per+per+c*hw : 2*n*per+per+(c+1)*hw]
	keep = k.Keep[c*hw : (c+1)*hw]
	f = expf(scale[c])
	for i, r := range raw {
		th[i] = 2 * r / f
	}
	ExpSlice(th, th) // e^(2u)
	for i, e2 := range th {
		// tanh u = (e^2u - 1)/(e^2u + 1): absolute error about 1e-7 near 0, which is what matters
		th[i] = (e2 - 1) / (e2 + 1)
		es[i] = th[i] * f * keep[i]
	}
	ExpSlice(es, es)
	return th, es, raw, t, keep, f
}

// Forward computes z' (N×C×H×W) and ldj (N).
func (k *Coupling) Forward(z, h, scale, out, ldj []float32) {
	hw := k.S.hw()
	per := k.S.C * hw
	k.pool.Each(k.S.N, func(w, from, to int) {
		for n := from; n < to; n++ {
			var sum float32
			for c := 0; c < k.S.C; c++ {
				th, es, _, t, keep, f := k.plane(w, n, c, h, scale)
				zc, oc := z[n*per+c*hw:n*per+(c+1)*hw], out[n*per+c*hw:n*per+(c+1)*hw]
				for i, e := range es {
					oc[i] = (zc[i] + t[i]*keep[i]) * e
					sum += th[i] * f * keep[i]
				}
			}
			ldj[n] = sum
		}
	})
}

// LDJ computes ldj (N) = Σ s per image, the log-determinant of Forward, without transforming z.
func (k *Coupling) LDJ(h, scale, ldj []float32) {
	k.pool.Each(k.S.N, func(w, from, to int) {
		for n := from; n < to; n++ {
			var sum float32
			for c := 0; c < k.S.C; c++ {
				th, _, _, _, keep, f := k.plane(w, n, c, h, scale)
				for i, v := range th {
					sum += v * f * keep[i]
				}
			}
			ldj[n] = sum
		}
	})
}

// Backward computes the gradients of a loss with respect to z, h and scale, given dout = ∂L/∂z'
// (nil for none) and dldj = ∂L/∂ldj (nil for none). dz may be nil when not wanted; z is read only
// with dout.
func (k *Coupling) Backward(z, h, scale, dout, dldj, dz, dh, dscale []float32) {
	hw := k.S.hw()
	per := k.S.C * hw
	k.pool.Each(k.S.N, func(w, from, to int) {
		acc := grow(k.dsc[w], k.S.C)
		k.dsc[w] = acc
		zero(acc)
		for n := from; n < to; n++ {
			for c := 0; c < k.S.C; c++ {
				th, es, raw, t, keep, f := k.plane(w, n, c, h, scale)
				dhs := dh[2*n*per+c*hw : 2*n*per+(c+1)*hw]
				dht := dh[2*n*per+per+c*hw : 2*n*per+per+(c+1)*hw]
				base := at(dldj, n)
				var dsc float32
				for i, e := range es {
					ds := base
					if dout != nil {
						d := dout[n*per+c*hw+i]
						zi := z[n*per+c*hw+i]
						if dz != nil {
							dz[n*per+c*hw+i] = d * e
						}
						dht[i] = d * e * keep[i]
						ds += d * (zi + t[i]*keep[i]) * e
					} else {
						dht[i] = 0
					}
					sech2 := 1 - th[i]*th[i]
					ds *= keep[i]
					dhs[i] = ds * sech2
					// ∂s/∂scale = f·(tanh u - u·sech² u), u = sRaw/f
					dsc += ds * f * (th[i] - raw[i]/f*sech2)
				}
				acc[c] += dsc
			}
		}
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
