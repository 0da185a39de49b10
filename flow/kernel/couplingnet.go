package kernel

// CouplingNet is a whole affine coupling layer as one kernel: its network input cat(z·mask, cond),
// the GatedConvNet (Net) and the coupling transform (Coupling), group by group, so that neither
// the network's input nor its output is a batch tensor between graph ops, and the backward sums
// z's two gradients (through the transform and through the network) itself.
type CouplingNet struct {
	Net  *Net
	Head *Coupling
	Cond int       // channels of the conditioning input (0: none)
	Mask []float32 // C×H×W: 1 where the network sees z
	h    []float32 // N×2C×H×W: the network's output, kept for the backward
	ws   []couplingWorker
}

type couplingWorker struct {
	x, dx, dh []float32 // one group's network input and its gradient, and ∂L/∂h
}

// NewCouplingNet prepares the layer for z of shape s conditioned on cond channels (0: none),
// with a GatedConvNet of hidden channels and layers blocks; mask (C×H×W) is where the network
// sees z, keep (C×H×W) where the transform applies.
func NewCouplingNet(p *Pool, s Batch, cond, hidden, layers int, mask, keep []float32) *CouplingNet {
	return &CouplingNet{
		Net:  NewNet(p, s.N, s.C+cond, hidden, 2*s.C, s.H, s.W, layers),
		Head: NewCoupling(p, s, keep), Cond: cond, Mask: mask, ws: make([]couplingWorker, p.Workers),
	}
}

func (k *CouplingNet) worker(w int) *couplingWorker {
	cw := &k.ws[w]
	if cw.x == nil {
		hw := k.Head.S.hw()
		g := k.Net.g
		cw.x, cw.dx = make([]float32, g*k.Net.Cin*hw), make([]float32, g*k.Net.Cin*hw)
		cw.dh = make([]float32, g*2*k.Head.S.C*hw)
	}
	return cw
}

// Forward computes z' and ldj (N) from z (N×C×H×W) and cond (N×Cond×H×W, nil without).
func (k *CouplingNet) Forward(z, cond []float32, p *NetParams, scale, out, ldj []float32) {
	s, net := k.Head.S, k.Net
	hw := s.hw()
	per, cper := s.C*hw, k.Cond*hw
	k.h = grow(k.h, 2*s.N*per)
	k.Head.prepare()
	net.beginForward(p)
	xper := net.Cin * hw
	net.pool.Each(net.groups, func(w, from, to int) {
		ws, cw := net.worker(w), k.worker(w)
		for i := from; i < to; i++ {
			n0, gl := net.group(i)
			for j := 0; j < gl; j++ {
				x, zn := cw.x[j*xper:(j+1)*xper], z[(n0+j)*per:(n0+j+1)*per]
				mul(x[:per], zn, k.Mask)
				if k.Cond > 0 {
					copy(x[per:], cond[(n0+j)*cper:(n0+j+1)*cper])
				}
			}
			h := k.h[2*n0*per : 2*(n0+gl)*per]
			net.forwardGroup(ws, net.activations(ws, i), cw.x[:gl*xper], gl, p, h)
			for n := n0; n < n0+gl; n++ {
				ldj[n] = k.Head.forwardImage(n, z[n*per:(n+1)*per], k.h[2*n*per:2*(n+1)*per], scale, out[n*per:(n+1)*per])
			}
		}
	})
}

// Backward computes dz and the gradients of the network's parameters (into grad) and of scale
// from dout = ∂L/∂z' and dldj = ∂L/∂ldj (nil for none), with what the Forward of the same step
// kept; z is that Forward's input. cond gets no gradient.
func (k *CouplingNet) Backward(z, dout, dldj []float32, p *NetParams, scale, dz []float32, grad *NetParams, dscale []float32) {
	s, net := k.Head.S, k.Net
	hw := s.hw()
	per, xper := s.C*hw, net.Cin*hw
	net.beginBackward(p)
	net.pool.Each(net.groups, func(w, from, to int) {
		ws, cw := net.backwardWorker(w), k.worker(w)
		acc := grow(k.Head.dsc[w], s.C)
		k.Head.dsc[w] = acc
		zero(acc)
		for i := from; i < to; i++ {
			n0, gl := net.group(i)
			for j := 0; j < gl; j++ {
				n := n0 + j
				k.Head.backwardImage(n, z[n*per:(n+1)*per], k.h[2*n*per:2*(n+1)*per], scale, dout[n*per:(n+1)*per], at(dldj, n),
					dz[n*per:(n+1)*per], cw.dh[2*j*per:2*(j+1)*per], acc)
			}
			net.backwardGroup(ws, net.store[i*net.per:(i+1)*net.per], cw.dh[:2*gl*per], gl, p, cw.dx[:gl*xper])
			for j := 0; j < gl; j++ {
				mulAdd(dz[(n0+j)*per:(n0+j+1)*per], cw.dx[j*xper:j*xper+per], k.Mask)
			}
		}
	})
	net.reduce(grad)
	k.Head.sumScale(dscale, net.groups)
}

// mul sets out = a·b elementwise (len(a) elements).
func mul(out, a, b []float32) {
	out, b = out[:len(a)], b[:len(a)]
	if v := vectorLoops(); v != nil {
		v.mul(out, a, b)
		return
	}
	for i, v := range a {
		out[i] = v * b[i]
	}
}

// mulAdd adds a·b to dst elementwise (len(a) elements; the product rounded, then the sum).
func mulAdd(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	if v := vectorLoops(); v != nil {
		v.mulAdd(dst, a, b)
		return
	}
	for i, v := range a {
		dst[i] += v * b[i]
	}
}
