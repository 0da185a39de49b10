package kernel

// Coupling is the affine coupling transform on NCHW batches: with the network output
// h = [sRaw, tRaw] (N×2C×H×W), a per-channel scale f = e^scale, and keep (C×H×W, 1 where a
// position is transformed, 0 where it conditions):
//
//	s = tanh(sRaw/f)·f·keep,  t = tRaw·keep,  z' = (z + t)·e^s,  ldj = Σ s per image.
//
// Where keep is 0, s = t = 0 and z' = z, so one formula serves every position.
type Coupling struct {
	S    Batch     // the shape of z
	Keep []float32 // C×H×W
	pool *Pool
	// th = tanh(sRaw/f) and es = e^s (N×C×H×W) of the last Forward, which its backward reads:
	// computed once per step instead of once per op.
	th, es []float32
	dsc    [][]float32 // per-worker scale-gradient accumulators
}

// NewCoupling prepares the transform for z of shape s with mask keep.
func NewCoupling(p *Pool, s Batch, keep []float32) *Coupling {
	return &Coupling{S: s, Keep: keep, pool: p, dsc: make([][]float32, p.Workers)}
}

// at returns the planes of image n, channel c in an N×C×H×W (or, with two, N×2C×H×W) batch.
func (k *Coupling) at(buf []float32, n, c int) []float32 {
	hw := k.S.hw()
	return buf[(n*k.S.C+c)*hw : (n*k.S.C+c+1)*hw]
}

// couplingFwdGo is couplingFwd's loops in Go over whole slices (one plane or its tail, f = e^scale):
// th = tanh(raw/f), s = th·f·keep, es = e^s, out = (z + t·keep)·es; it returns Σ s.
func couplingFwdGo(th, es, out, raw, t, keep, z []float32, f float32) float32 {
	for i, r := range raw {
		th[i] = 2 * r / f
	}
	ExpSlice(th[:len(raw)], th[:len(raw)]) // e^(2u)
	var sum float32
	for i := range raw {
		// tanh u = (e^2u - 1)/(e^2u + 1): absolute error about 1e-7 near 0, which is what matters
		e2 := th[i]
		v := (e2 - 1) / (e2 + 1)
		th[i] = v
		s := v * f * keep[i]
		es[i] = s
		sum += s
	}
	ExpSlice(es[:len(raw)], es[:len(raw)])
	for i, e := range es[:len(raw)] {
		out[i] = (z[i] + t[i]*keep[i]) * e
	}
	return sum
}

// prepare sizes the caches for a batch.
func (k *Coupling) prepare() {
	per := k.S.C * k.S.hw()
	k.th = grow(k.th, k.S.N*per)
	k.es = grow(k.es, k.S.N*per)
}

// Forward computes z' (N×C×H×W) and ldj (N), and keeps what Backward needs.
func (k *Coupling) Forward(z, h, scale, out, ldj []float32) {
	per := k.S.C * k.S.hw()
	k.prepare()
	k.pool.Each(k.S.N, func(_, from, to int) {
		for n := from; n < to; n++ {
			ldj[n] = k.forwardImage(n, z[n*per:(n+1)*per], h[2*n*per:2*(n+1)*per], scale, out[n*per:(n+1)*per])
		}
	})
}

// forwardImage is Forward for image n: z, out its C×H×W planes, h its 2C×H×W network output;
// it returns the image's log-determinant.
func (k *Coupling) forwardImage(n int, z, h, scale, out []float32) float32 {
	hw := k.S.hw()
	per := k.S.C * hw
	var sum float32
	for c := 0; c < k.S.C; c++ {
		es := k.at(k.es, n, c)
		t := h[per+c*hw:][:hw]
		keep := k.Keep[c*hw:][:hw]
		zc, oc := z[c*hw:][:hw], out[c*hw:][:hw]
		th, raw, f := k.at(k.th, n, c), h[c*hw:][:hw], expf(scale[c])
		s, done := couplingFwd(th, es, oc, raw, t, keep, zc, f)
		sum += s
		if done < hw {
			sum += couplingFwdGo(th[done:], es[done:], oc[done:], raw[done:], t[done:], keep[done:], zc[done:], f)
		}
	}
	return sum
}

// Backward computes the gradients of a loss with respect to z, h and scale, given dout = ∂L/∂z'
// (nil for none) and dldj = ∂L/∂ldj (nil for none), from the cache of the Forward of the same
// step. dz may be nil when not wanted; z is read only with dout.
func (k *Coupling) Backward(z, h, scale, dout, dldj, dz, dh, dscale []float32) {
	per := k.S.C * k.S.hw()
	k.pool.Each(k.S.N, func(w, from, to int) {
		acc := grow(k.dsc[w], k.S.C)
		k.dsc[w] = acc
		zero(acc)
		for n := from; n < to; n++ {
			img := func(s []float32, size int) []float32 {
				if s == nil {
					return nil
				}
				return s[n*size : (n+1)*size]
			}
			k.backwardImage(n, img(z, per), h[2*n*per:2*(n+1)*per], scale, img(dout, per), at(dldj, n), img(dz, per), dh[2*n*per:2*(n+1)*per], acc)
		}
	})
	k.sumScale(dscale, k.S.N)
}

// sumScale adds the scale gradients of the workers that Pool.Each gave work over n items into
// dscale.
func (k *Coupling) sumScale(dscale []float32, n int) {
	zero(dscale)
	for w := 0; w < min(k.pool.Workers, n); w++ {
		for c, v := range k.dsc[w][:k.S.C] {
			dscale[c] += v
		}
	}
}

// backwardImage is Backward for image n (its planes; dout and dz nil for none, base its
// ∂L/∂ldj), adding the scale gradient to acc.
func (k *Coupling) backwardImage(n int, z, h, scale, dout []float32, base float32, dz, dh, acc []float32) {
	hw := k.S.hw()
	per := k.S.C * hw
	for c := 0; c < k.S.C; c++ {
		th, es := k.at(k.th, n, c), k.at(k.es, n, c)
		raw := h[c*hw:][:hw]
		t := h[per+c*hw:][:hw]
		keep := k.Keep[c*hw:][:hw]
		f := expf(scale[c])
		dhs := dh[c*hw:][:hw]
		dht := dh[per+c*hw:][:hw]
		var dsc float32
		if dout != nil {
			d := dout[c*hw:][:hw]
			zc := z[c*hw:][:hw]
			var dzc []float32
			if dz != nil {
				dzc = dz[c*hw:][:hw]
			}
			v, done := couplingBwd(dzc, dht, dhs, d, es, zc, t, keep, th, raw, base, f)
			dsc = v
			if done < hw { // done is 0 where dzc is nil, and nil[0:] is nil
				dsc += couplingBwdGo(dzc[done:], dht[done:], dhs[done:], d[done:], es[done:], zc[done:], t[done:], keep[done:], th[done:], raw[done:], base, f)
			}
		} else {
			zero(dht)
			for i, v := range th {
				ds := base * keep[i]
				sech2 := 1 - v*v
				dhs[i] = ds * sech2
				dsc += ds * f * (v - raw[i]/f*sech2)
			}
		}
		acc[c] += dsc
	}
}

// couplingBwdGo is couplingBwd's loop in Go over whole slices (dz nil for none): it returns their
// part of the scale gradient.
func couplingBwdGo(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) float32 {
	var dsc float32
	for i, ei := range e[:len(d)] {
		de := d[i] * ei
		if dz != nil {
			dz[i] = de
		}
		dht[i] = de * keep[i]
		ds := (base + de*(z[i]+t[i]*keep[i])) * keep[i]
		sech2 := 1 - th[i]*th[i]
		dhs[i] = ds * sech2
		// ∂s/∂scale = f·(tanh u - u·sech² u), u = sRaw/f
		dsc += ds * f * (th[i] - raw[i]/f*sech2)
	}
	return dsc
}

func at(s []float32, i int) float32 {
	if s == nil {
		return 0
	}
	return s[i]
}
