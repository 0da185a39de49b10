package kernel

import "math"

// Elementwise is a scalar map applied to every element: F returns the value y = F(v), the
// log-derivative l = log|F'(v)| that a flow adds to its log-determinant, and their derivatives
// dy/dv and dl/dv for the backward pass.
type Elementwise struct {
	F func(v float32) (y, l, dy, dl float32)
	// vec, where not nil, maps the leading elements of a slice at once (v = a + b, b may be nil)
	// in float32 with AVX-512 or AVX2: it writes their y, dy and dl and returns their Σ l and how
	// many it did (0 where it cannot); F does the rest.
	vec func(out, dy, dl, a, b []float32) (sum float32, done int)
}

// Logit is the tutorial's dequantization logit of v·scale: w = v·scale·(1-alpha) + alpha/2,
// y = log w - log(1-w). l leaves out the constant log(scale·(1-alpha)), which callers add once.
func Logit(scale, alpha float64) Elementwise {
	k := scale * (1 - alpha)
	return Elementwise{F: func(v float32) (y, l, dy, dl float32) {
		w := float64(v)*k + alpha/2
		lw, l1w := math.Log(w), math.Log1p(-w)
		inv := 1 / (w * (1 - w))
		return float32(lw - l1w), float32(-lw - l1w), float32(k * inv), float32(k * (2*w - 1) * inv)
	}, vec: logitVec(k, alpha/2)}
}

// Sigmoid is the inverse of Logit(1, alpha): y = (σ(v) - alpha/2)/(1-alpha), with
// l = log σ'(v) (the constant -log(1-alpha) left out).
func Sigmoid(alpha float64) Elementwise {
	return Elementwise{F: func(v float32) (y, l, dy, dl float32) {
		s := 1 / (1 + math.Exp(-float64(v)))
		// log σ'(v) = -|v| - 2·log(1 + e^-|v|), stable for large |v|
		av := math.Abs(float64(v))
		return float32((s - alpha/2) / (1 - alpha)), float32(-av - 2*math.Log1p(math.Exp(-av))),
			float32(s * (1 - s) / (1 - alpha)), float32(1 - 2*s)
	}, vec: sigmoidVec(float32(alpha/2), float32(1-alpha))}
}

// HalfSquare is l = -v²/2, the data-dependent part of the standard-normal log-density.
var HalfSquare = Elementwise{F: func(v float32) (y, l, dy, dl float32) { return v, -v * v / 2, 1, -v }}

// ElementwiseForward sets out = F(a+b) (b may be nil; out may be nil when only ldj is wanted)
// and ldj[n] = Σ l over each of the n images of per elements (ldj may be nil). Where dy or dl is
// not nil it keeps F's derivatives per element for ElementwiseBackward, so the backward pass
// does not evaluate F again. With out, dy and dl all wanted, a map's vector form runs where it
// can.
func ElementwiseForward(p *Pool, n, per int, f Elementwise, a, b, out, ldj, dy, dl []float32) {
	fn := f.F
	p.Each(n, func(_, from, to int) {
		for i := from; i < to; i++ {
			var sum float32
			j := i * per
			if f.vec != nil && out != nil && dy != nil && dl != nil {
				var bi []float32
				if b != nil {
					bi = b[i*per : (i+1)*per]
				}
				lo, hi := i*per, (i+1)*per
				s, done := f.vec(out[lo:hi], dy[lo:hi], dl[lo:hi], a[lo:hi], bi)
				sum, j = s, j+done
			}
			for ; j < (i+1)*per; j++ {
				v := a[j]
				if b != nil {
					v += b[j]
				}
				y, l, dyj, dlj := fn(v)
				if out != nil {
					out[j] = y
				}
				if dy != nil {
					dy[j] = dyj
				}
				if dl != nil {
					dl[j] = dlj
				}
				sum += l
			}
			if ldj != nil {
				ldj[i] = sum
			}
		}
	})
}

// ElementwiseBackward sets din = dout·dy + dldj[n]·dl from the derivatives the forward kept
// (dout and dy, or dldj and dl, may be nil).
func ElementwiseBackward(p *Pool, n, per int, dout, dy, dldj, dl, din []float32) {
	p.Each(n, func(_, from, to int) {
		for i := from; i < to; i++ {
			d := din[i*per : (i+1)*per]
			switch {
			case dout != nil && dldj != nil:
				g, o, y, l := dldj[i], dout[i*per:][:len(d)], dy[i*per:][:len(d)], dl[i*per:][:len(d)]
				for j := range d {
					d[j] = o[j]*y[j] + g*l[j]
				}
			case dout != nil:
				o, y := dout[i*per:][:len(d)], dy[i*per:][:len(d)]
				for j := range d {
					d[j] = o[j] * y[j]
				}
			default:
				g, l := dldj[i], dl[i*per:][:len(d)]
				for j := range d {
					d[j] = g * l[j]
				}
			}
		}
	})
}
