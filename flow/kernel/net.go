package kernel

// Net is a whole GatedConvNet (Tutorial 11's coupling network) as one kernel, forward and
// backward, image by image:
//
//	h₀ = conv3(x);  per block: c₃ = conv3(ELU(h)), c₁ = conv1(ELU(c₃)), [val, gate] = c₁,
//	                h ← LN(h + val·σ(gate));
//	out = conv3(ELU(h))
//
// with ELU(v) = cat(elu(v), elu(-v)) along channels, LN the LayerNormChannels, every convolution
// with bias and "same" zero padding. Each image goes through every layer while its activations are
// in cache, and no layer hands a batch tensor to the next through the graph.
//
// Layout: inside the kernel every feature map is a padded plane per channel, rows of stride
// S = W+1 (one zero column serves as the right border of a row and the left border of the next),
// a zero row above and below. Pixel (y, x) is at O + y·S + x, so a 3×3 convolution's im2col row
// (ci, kh, kw) is the run of R = H·S floats from plane ci at offset O + (kh-1)·S + (kw-1): the
// GEMM reads it in place (Gemm.RunRows) and writes its output run straight into the padded
// planes of the next map, whose border column (every S-th float of the run) it fills with
// garbage that clean sets back to zero. Pointwise passes run over the whole run, rounded up to
// R16, a multiple of 16; every map a convolution reads is zero off its pixels. The planes are
// P floats apart, P and O multiples of 16.
//
// The backward recomputes the ELUs (as the forward did them) instead of storing them; the
// forward keeps, per image, the padded input, each h, c₃, c₁ (with σ(gate) in place of gate),
// the LayerNorm input and its per-pixel statistics.
type Net struct {
	N, Cin, Hidden, Cout, H, W, Layers int
	// Train makes Forward keep every image's activations for Backward; otherwise it keeps one
	// image per worker (evaluation).
	Train bool

	pool              *Pool
	s, o, r, r16, p   int // row stride, run offset, run length, run rounded up to 16, plane size
	per               int // floats of one image's activations
	store             []float32
	ws                []netWorker
	inRows, hid2Rows  []int // im2col row offsets over Cin and 2·Hidden planes
	hidRows, outRows  []int // ... and over Hidden and Cout planes (the data gradients)
	hid2Centre        []int // the unshifted run of each of 2·Hidden planes (1×1 convolutions)
	inT, outT         []float32
	blockT            [][]float32 // flipped, transposed 3×3 filters of the data gradients
	accRows, accSizes []int
}

// NetBlock is one gated block's parameters (or their gradients): conv3 (Hidden × 2·Hidden × 3 ×
// 3 and Hidden), conv1 (2·Hidden × 2·Hidden and 2·Hidden), the LayerNorm's γ and β (Hidden).
type NetBlock struct{ W3, B3, W1, B1, Gamma, Beta []float32 }

// NetParams are a Net's parameters, or their gradients: the input convolution (Hidden × Cin ×
// 3 × 3, Hidden), the blocks, the output convolution (Cout × 2·Hidden × 3 × 3, Cout).
type NetParams struct {
	InW, InB   []float32
	Blocks     []NetBlock
	OutW, OutB []float32
}

type netWorker struct {
	gemm        Gemm
	store       []float32 // one image's activations, when not Train
	e, de       []float32 // 2·Hidden planes: an ELU pair and its gradient
	dh, dg      []float32 // Hidden planes: ∂/∂h and ∂/∂(LN input)
	dc1         []float32 // 2·Hidden planes
	dc3         []float32 // Hidden planes
	out, dO     []float32 // Cout planes: the output, and dout (written only at its pixels)
	dxp         []float32 // Cin planes: dx
	sumG, sumGX []float32 // LayerNorm backward sums, one run each
	acc         []float32 // gradient accumulators, laid out by accRows/accSizes
	active      bool      // ran in the last Backward
}

// NewNet prepares a Net for batches of n images of cin channels, h×w pixels.
func NewNet(pool *Pool, n, cin, hidden, cout, h, w, layers int) *Net {
	k := &Net{N: n, Cin: cin, Hidden: hidden, Cout: cout, H: h, W: w, Layers: layers, pool: pool}
	k.s = w + 1
	k.o = roundUp(k.s+1, 16)
	k.r = h * k.s
	k.r16 = roundUp(k.r, 16)
	k.p = roundUp(k.o+k.r16+k.s+1, 16)
	k.per = (cin + (layers+1)*hidden + layers*(4*hidden+2)) * k.p
	k.inRows, k.hid2Rows = k.rows(cin), k.rows(2*hidden)
	k.hidRows, k.outRows = k.rows(hidden), k.rows(cout)
	for c := 0; c < 2*hidden; c++ {
		k.hid2Centre = append(k.hid2Centre, c*k.p+k.o)
	}
	k.inT, k.outT = make([]float32, hidden*cin*9), make([]float32, cout*2*hidden*9)
	for l := 0; l < layers; l++ {
		k.blockT = append(k.blockT, make([]float32, hidden*2*hidden*9))
	}
	// Gradient accumulators: dWᵀ (rows × cout) and the bias of each convolution, γ and β.
	add := func(n int) { k.accSizes = append(k.accSizes, n) }
	add(9 * cin * hidden)
	add(hidden)
	for l := 0; l < layers; l++ {
		add(9 * 2 * hidden * hidden)
		add(hidden)
		add(2 * hidden * 2 * hidden)
		add(2 * hidden)
		add(hidden)
		add(hidden)
	}
	add(9 * 2 * hidden * cout)
	add(cout)
	off := 0
	for _, s := range k.accSizes {
		k.accRows = append(k.accRows, off)
		off += s
	}
	k.accRows = append(k.accRows, off)
	k.ws = make([]netWorker, pool.Workers)
	return k
}

func roundUp(v, m int) int { return (v + m - 1) / m * m }

// rows returns the offsets of the 9·ch im2col rows of a map of ch padded planes.
func (k *Net) rows(ch int) []int {
	rows := make([]int, 0, 9*ch)
	for c := 0; c < ch; c++ {
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				rows = append(rows, c*k.p+k.o+(kh-1)*k.s+kw-1)
			}
		}
	}
	return rows
}

// Planes returns how many floats a map of ch channels takes in the padded layout (tests).
func (k *Net) Planes(ch int) int { return ch * k.p }

// image's activations: xin (Cin planes), h₀..h_L (Hidden each), then per block c₃ (Hidden),
// c₁ (2·Hidden), the LayerNorm input g (Hidden) and its statistics (mean, 1/std: 2 planes).
func (k *Net) xin(st []float32) []float32 { return st[:k.Cin*k.p] }
func (k *Net) h(st []float32, l int) []float32 {
	off := (k.Cin + l*k.Hidden) * k.p
	return st[off : off+k.Hidden*k.p]
}
func (k *Net) block(st []float32, l int) (c3, c1, g, stats []float32) {
	off := (k.Cin + (k.Layers+1)*k.Hidden + l*(4*k.Hidden+2)) * k.p
	hp := k.Hidden * k.p
	b := st[off : off+(4*k.Hidden+2)*k.p]
	return b[:hp], b[hp : 3*hp], b[3*hp : 4*hp], b[4*hp:]
}

func (k *Net) worker(w int) *netWorker {
	ws := &k.ws[w]
	if ws.e == nil {
		p, hid := k.p, k.Hidden
		ws.e, ws.de = make([]float32, 2*hid*p), make([]float32, 2*hid*p)
		ws.dh, ws.dg = make([]float32, hid*p), make([]float32, hid*p)
		ws.dc1, ws.dc3 = make([]float32, 2*hid*p), make([]float32, hid*p)
		ws.out, ws.dO, ws.dxp = make([]float32, k.Cout*p), make([]float32, k.Cout*p), make([]float32, k.Cin*p)
		ws.sumG, ws.sumGX = make([]float32, k.r16), make([]float32, k.r16)
		ws.acc = make([]float32, k.accRows[len(k.accRows)-1])
	}
	return ws
}

// activations returns where image n's activations go: the batch store when training, else the
// worker's own.
func (k *Net) activations(ws *netWorker, n int) []float32 {
	if k.Train {
		return k.store[n*k.per : (n+1)*k.per]
	}
	if ws.store == nil {
		ws.store = make([]float32, k.per)
	}
	return ws.store
}

// pad copies a compact ch×H×W image into ch padded planes (whose borders stay zero).
func (k *Net) pad(x, planes []float32, ch int) {
	hw := k.H * k.W
	for c := 0; c < ch; c++ {
		src, dst := x[c*hw:(c+1)*hw], planes[c*k.p+k.o:]
		for y := 0; y < k.H; y++ {
			copy(dst[y*k.s:y*k.s+k.W], src[y*k.W:(y+1)*k.W])
		}
	}
}

// unpad copies ch padded planes' pixels into a compact ch×H×W image.
func (k *Net) unpad(planes, x []float32, ch int) {
	hw := k.H * k.W
	for c := 0; c < ch; c++ {
		src, dst := planes[c*k.p+k.o:], x[c*hw:(c+1)*hw]
		for y := 0; y < k.H; y++ {
			copy(dst[y*k.W:(y+1)*k.W], src[y*k.s:y*k.s+k.W])
		}
	}
}

// clean zeroes what a pass over the runs of ch planes wrote off the pixels: the border column
// and the tail up to R16.
func (k *Net) clean(planes []float32, ch int) {
	for c := 0; c < ch; c++ {
		run := planes[c*k.p+k.o : c*k.p+k.o+k.r16]
		for j := k.W; j < k.r; j += k.s {
			run[j] = 0
		}
		zero(run[k.r:])
	}
}

// run is plane c's run of R16 floats.
func (k *Net) run(planes []float32, c int) []float32 {
	return planes[c*k.p+k.o : c*k.p+k.o+k.r16]
}

// elu writes ELU(v) of ch planes into 2·ch planes (pairs with the same zero borders).
func (k *Net) elu(dst, v []float32, ch int) {
	for c := 0; c < ch; c++ {
		eluImage(k.run(dst, c), k.run(dst, ch+c), k.run(v, c))
	}
}

// eluGrad writes ∂/∂v of ch planes from the ELU pair e = ELU(v) and its gradient de.
func (k *Net) eluGrad(dv, e, de []float32, ch int) {
	for c := 0; c < ch; c++ {
		eluImageGrad(k.run(dv, c), k.run(e, c), k.run(e, ch+c), k.run(de, c), k.run(de, ch+c))
	}
}

// Forward computes out (N×Cout×H×W) of x (N×Cin×H×W).
func (k *Net) Forward(x []float32, p *NetParams, out []float32) {
	xper, oper := k.Cin*k.H*k.W, k.Cout*k.H*k.W
	k.beginForward()
	k.pool.Each(k.N, func(w, from, to int) {
		ws := k.worker(w)
		for n := from; n < to; n++ {
			k.forwardImage(ws, k.activations(ws, n), x[n*xper:(n+1)*xper], p, out[n*oper:(n+1)*oper])
		}
	})
}

// beginForward allocates the batch's activations before the workers start.
func (k *Net) beginForward() {
	if k.Train && k.store == nil {
		k.store = make([]float32, k.N*k.per)
	}
}

func (k *Net) forwardImage(ws *netWorker, st, x []float32, p *NetParams, out []float32) {
	hid, n := k.Hidden, k.r16
	g := &ws.gemm
	xin := k.xin(st)
	k.pad(x, xin, k.Cin)
	h := k.h(st, 0)
	g.RunRows(hid, n, 9*k.Cin, p.InW, 9*k.Cin, xin, k.inRows, p.InB, h[k.o:], k.p)
	k.clean(h, hid)
	for l, b := range p.Blocks {
		c3, c1, gin, stats := k.block(st, l)
		k.elu(ws.e, h, hid)
		g.RunRows(hid, n, 18*hid, b.W3, 18*hid, ws.e, k.hid2Rows, b.B3, c3[k.o:], k.p)
		// c₃ is read only by the 1×1 convolution: its garbage off the pixels meets zero gradients
		k.elu(ws.e, c3, hid)
		g.Run(false, false, 2*hid, n, 2*hid, b.W1, 2*hid, ws.e[k.o:], k.p, 0, b.B1, c1[k.o:], k.p)
		for c := 0; c < hid; c++ {
			gate := k.run(c1, hid+c)
			gatedSlice(k.run(gin, c), gate, k.run(h, c), k.run(c1, c), gate) // σ(gate) replaces gate
		}
		h = k.h(st, l+1)
		k.layerNorm(gin, b.Gamma, b.Beta, h, stats)
		k.clean(h, hid)
	}
	k.elu(ws.e, h, hid)
	g.RunRows(k.Cout, n, 18*hid, p.OutW, 18*hid, ws.e, k.hid2Rows, p.OutB, ws.out[k.o:], k.p)
	k.unpad(ws.out, out, k.Cout)
}

// layerNorm normalises the Hidden planes x over channels at every run position into out, with
// the mean and 1/std into stats' two planes.
func (k *Net) layerNorm(x, gamma, beta, out, stats []float32) {
	mean, rstd := k.run(stats, 0), k.run(stats, 1)
	zero(mean)
	zero(rstd)
	for c := 0; c < k.Hidden; c++ {
		lnAcc(mean, k.run(x, c))
	}
	inv := 1 / float32(k.Hidden)
	for i := range mean {
		mean[i] *= inv
	}
	for c := 0; c < k.Hidden; c++ {
		lnSqDevAcc(rstd, k.run(x, c), mean)
	}
	lnRstd(rstd, inv)
	for c := 0; c < k.Hidden; c++ {
		lnNorm(k.run(out, c), k.run(x, c), mean, rstd, gamma[c], beta[c])
	}
}

// Backward computes dx (N×Cin×H×W, unless nil) and the parameter gradients into grad from
// dout = ∂L/∂out (N×Cout×H×W), with the activations the Forward of the same step kept.
func (k *Net) Backward(dout []float32, p *NetParams, dx []float32, grad *NetParams) {
	xper, oper := k.Cin*k.H*k.W, k.Cout*k.H*k.W
	k.beginBackward(p)
	k.pool.Each(k.N, func(w, from, to int) {
		ws := k.backwardWorker(w)
		for n := from; n < to; n++ {
			var dxn []float32
			if dx != nil {
				dxn = dx[n*xper : (n+1)*xper]
			}
			k.backwardImage(ws, k.store[n*k.per:(n+1)*k.per], dout[n*oper:(n+1)*oper], p, dxn)
		}
	})
	k.reduce(grad)
}

// beginBackward prepares a Backward: the transposed filters, the workers' accumulators unused.
func (k *Net) beginBackward(p *NetParams) {
	if !k.Train || k.store == nil {
		panic("kernel: Net.Backward without a training Forward")
	}
	flipTranspose(p.InW, k.inT, k.Hidden, k.Cin)
	for l, b := range p.Blocks {
		flipTranspose(b.W3, k.blockT[l], k.Hidden, 2*k.Hidden)
	}
	flipTranspose(p.OutW, k.outT, k.Cout, 2*k.Hidden)
	for w := range k.ws {
		k.ws[w].active = false
	}
}

// backwardWorker is worker w's state with its gradient accumulators zeroed.
func (k *Net) backwardWorker(w int) *netWorker {
	ws := k.worker(w)
	ws.active = true
	zero(ws.acc)
	return ws
}

// acc returns accumulator i of the worker (see NewNet's order).
func (k *Net) acc(ws *netWorker, i int) []float32 { return ws.acc[k.accRows[i]:k.accRows[i+1]] }

func (k *Net) backwardImage(ws *netWorker, st, dout []float32, p *NetParams, dx []float32) {
	hid, n := k.Hidden, k.r16
	g := &ws.gemm
	last := len(k.accSizes) - 2
	// The output convolution: dWᵀ from ELU(h_L) and dout; ∂/∂ELU(h_L) by the transposed conv.
	dO := ws.dO
	k.pad(dout, dO, k.Cout)
	h := k.h(st, k.Layers)
	k.elu(ws.e, h, hid)
	g.AddDotRows(18*hid, k.Cout, n, ws.e, k.hid2Rows, dO[k.o:], k.p, k.acc(ws, last), k.Cout)
	k.biasGrad(k.acc(ws, last+1), dO, k.Cout)
	g.RunRows(2*hid, n, 9*k.Cout, k.outT, 9*k.Cout, dO, k.outRows, nil, ws.de[k.o:], k.p)
	k.eluGrad(ws.dh, ws.e, ws.de, hid)
	k.clean(ws.dh, hid)
	for l := k.Layers - 1; l >= 0; l-- {
		b := p.Blocks[l]
		a := 2 + 6*l // this block's accumulators
		c3, c1, gin, stats := k.block(st, l)
		h = k.h(st, l)
		// LayerNorm: dg from dh; γ, β gradients.
		k.layerNormGrad(ws, gin, b.Gamma, stats, ws.dh, ws.dg, k.acc(ws, a+4), k.acc(ws, a+5))
		// Gated residual: ∂/∂h gets dg itself; ∂/∂val, ∂/∂gate into dc1.
		for c := 0; c < hid; c++ {
			gatedGradSlice(k.run(ws.dc1, c), k.run(ws.dc1, hid+c), k.run(ws.dg, c), k.run(c1, hid+c), k.run(c1, c))
		}
		// conv1 on ELU(c₃).
		k.elu(ws.e, c3, hid)
		g.AddDotRows(2*hid, 2*hid, n, ws.e, k.hid2Centre, ws.dc1[k.o:], k.p, k.acc(ws, a+2), 2*hid)
		k.biasGrad(k.acc(ws, a+3), ws.dc1, 2*hid)
		g.Run(true, false, 2*hid, n, 2*hid, b.W1, 2*hid, ws.dc1[k.o:], k.p, 0, nil, ws.de[k.o:], k.p)
		k.eluGrad(ws.dc3, ws.e, ws.de, hid) // zero off the pixels: de is
		// conv3 on ELU(h_l).
		k.elu(ws.e, h, hid)
		g.AddDotRows(18*hid, hid, n, ws.e, k.hid2Rows, ws.dc3[k.o:], k.p, k.acc(ws, a), hid)
		k.biasGrad(k.acc(ws, a+1), ws.dc3, hid)
		g.RunRows(2*hid, n, 9*hid, k.blockT[l], 9*hid, ws.dc3, k.hidRows, nil, ws.de[k.o:], k.p)
		k.eluGrad(ws.dh, ws.e, ws.de, hid)
		for c := 0; c < hid; c++ {
			lnAcc(k.run(ws.dh, c), k.run(ws.dg, c)) // the residual
		}
		k.clean(ws.dh, hid)
	}
	// The input convolution.
	xin := k.xin(st)
	g.AddDotRows(9*k.Cin, hid, n, xin, k.inRows, ws.dh[k.o:], k.p, k.acc(ws, 0), hid)
	k.biasGrad(k.acc(ws, 1), ws.dh, hid)
	if dx != nil {
		dxp := ws.dxp
		g.RunRows(k.Cin, n, 9*hid, k.inT, 9*hid, ws.dh, k.hidRows, nil, dxp[k.o:], k.p)
		k.unpad(dxp, dx, k.Cin)
	}
}

// biasGrad adds each plane's run sum (zero off the pixels) to db.
func (k *Net) biasGrad(db, planes []float32, ch int) {
	for c := 0; c < ch; c++ {
		db[c] += sum(k.run(planes, c))
	}
}

// layerNormGrad computes dx of LayerNormChannels from d (its output's gradient), x its input and
// the forward's stats, and adds Σ d·x̂ and Σ d to dgamma and dbeta.
func (k *Net) layerNormGrad(ws *netWorker, x, gamma, stats, d, dx, dgamma, dbeta []float32) {
	mean, rstd := k.run(stats, 0), k.run(stats, 1)
	sumG, sumGX := ws.sumG, ws.sumGX
	zero(sumG)
	zero(sumGX)
	for c := 0; c < k.Hidden; c++ {
		dc, xc := k.run(d, c), k.run(x, c)
		lnGradSums(sumG, sumGX, dc, xc, mean, rstd, gamma[c])
		sg, sb := lnParamSums(dc, xc, mean, rstd)
		dgamma[c] += sg
		dbeta[c] += sb
	}
	inv := 1 / float32(k.Hidden)
	for c := 0; c < k.Hidden; c++ {
		lnGrad(k.run(dx, c), k.run(d, c), k.run(x, c), mean, rstd, sumG, sumGX, gamma[c], inv)
	}
}

// reduce sums the workers' accumulators into grad, dWᵀ transposed back to Cout × rows.
func (k *Net) reduce(grad *NetParams) {
	outs := [][]float32{grad.InW, grad.InB}
	for _, b := range grad.Blocks {
		outs = append(outs, b.W3, b.B3, b.W1, b.B1, b.Gamma, b.Beta)
	}
	outs = append(outs, grad.OutW, grad.OutB)
	couts := []int{k.Hidden, 0}
	for range grad.Blocks {
		couts = append(couts, k.Hidden, 0, 2*k.Hidden, 0, 0, 0)
	}
	couts = append(couts, k.Cout, 0)
	for i, dst := range outs {
		zero(dst)
		for w := range k.ws {
			if !k.ws[w].active {
				continue
			}
			src := k.acc(&k.ws[w], i)
			cout := couts[i]
			if cout == 0 {
				for j, v := range src {
					dst[j] += v
				}
				continue
			}
			rows := len(src) / cout
			for r := 0; r < rows; r++ {
				for co, v := range src[r*cout : (r+1)*cout] {
					dst[co*rows+r] += v
				}
			}
		}
	}
}

// gatedSlice is GatedForward's loop over one slice: out = x + val·σ(gate), sig = σ(gate); sig
// may be gate itself.
func gatedSlice(out, sig, x, val, gate []float32) {
	done := gatedFwd(out, sig, x, val, gate)
	x, out, sig, val, gate = x[done:], out[done:len(x)], sig[done:len(x)], val[done:len(x)], gate[done:len(x)]
	for i, g := range gate {
		sig[i] = -g
	}
	ExpSlice(sig, sig)
	for i, v := range x {
		sg := 1 / (1 + sig[i])
		sig[i] = sg
		out[i] = v + val[i]*sg
	}
}

// gatedGradSlice is GatedBackwardH's loop over one slice.
func gatedGradSlice(dval, dgate, d, sig, val []float32) {
	done := gatedBwd(dval, dgate, d, sig, val)
	d, sig, val, dval, dgate = d[done:], sig[done:len(d)], val[done:len(d)], dval[done:len(d)], dgate[done:len(d)]
	for i, dd := range d {
		sg := sig[i]
		dval[i] = dd * sg
		dgate[i] = dd * val[i] * sg * (1 - sg)
	}
}
