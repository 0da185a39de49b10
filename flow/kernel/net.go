package kernel

// Net is a whole GatedConvNet (Tutorial 11's coupling network) as one kernel, forward and
// backward, image group by image group (see below):
//
//	h₀ = conv3(x);  per block: c₃ = conv3(ELU(h)), c₁ = conv1(ELU(c₃)), [val, gate] = c₁,
//	                h ← LN(h + val·σ(gate));
//	out = conv3(ELU(h))
//
// with ELU(v) = cat(elu(v), elu(-v)) along channels, LN the LayerNormChannels, every convolution
// with bias and "same" zero padding. Each group goes through every layer while its activations are
// in cache, and no layer hands a batch tensor to the next through the graph.
//
// Layout: inside the kernel every feature map is a padded plane per channel, rows of stride
// S = W+1 (one zero column serves as the right border of a row and the left border of the next),
// a zero row above and below. Pixel (y, x) is at O + y·S + x (image j of a group, below, at
// O + y·S + j·(W+1) + x), so a 3×3 convolution's im2col row (ci, kh, kw) is the run of R = H·S
// floats from plane ci at offset O + (kh-1)·S + (kw-1): the
// GEMM reads it in place (Gemm.RunRows) and writes its output run straight into the padded
// planes of the next map, whose border columns (every (W+1)-th float of the run) it fills with
// garbage that clean sets back to zero. Pointwise passes run over the whole run, rounded up to
// R16, a multiple of 16; every map a convolution reads is zero off its pixels. The planes are
// P floats apart, P and O multiples of 16.
//
// Small maps are stacked side by side: a group of G images (G = 1 for maps of 400 pixels or
// more, 2 down to 100, else 4) is one padded map with rows of stride S = G·(W+1), row y holding
// row y of every image, each followed by its zero column (the border between neighbours), so
// that the GEMMs and the filter gradients' dot products run over longer runs, every per-map pass
// is one call for G images, and no rows are spent between images (a 7×7 group of 4 takes a run
// of 224 floats for its 196 pixels).
//
// Only maps a 3×3 convolution reads (the input, the ELU pairs, the gradients) are padded planes;
// the activations the forward keeps for the backward are runs, R16 floats apart: per group the
// padded input, h₀, and per block c₃, c₁ (with σ(gate) in place of gate) and the LayerNorm
// statistics. The backward first recomputes each LayerNorm input g = h + val·σ(gate) and the
// next h = LN(g) from them, with the forward's floats, and recomputes the ELUs (storing them
// measured slower: the traffic costs more than the arithmetic).
type Net struct {
	N, Cin, Hidden, Cout, H, W, Layers int
	// Train makes Forward keep every group's activations for Backward; otherwise it keeps one
	// group's per worker (evaluation).
	Train bool

	pool              *Pool
	g, groups         int // images per group, groups per batch
	s, o, r, r16, p   int // row stride, run offset, run length, run rounded up to 16, plane size
	per               int // floats of one group's activations
	store             []float32
	ws                []netWorker
	inRows, hid2Rows  rowTable // im2col row offsets over Cin and 2·Hidden planes
	hidRows, outRows  rowTable // ... and over Hidden and Cout planes (the data gradients)
	hid2Centre        rowTable // the unshifted run of each of 2·Hidden planes (1×1 convolutions)
	keep              []uint32 // R16 masks: all ones at the run's pixels, zero elsewhere
	inT, outT         []float32
	blockT            [][]float32 // flipped, transposed 3×3 filters of the data gradients
	accRows, accSizes []int
	amx               *netAMX // UseBF16: the convolutions in bfloat16 on AMX, else nil
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
	store       []float32 // one group's activations, when not Train
	e, de       []float32 // 2·Hidden planes: an ELU pair and its gradient
	dh, dg      []float32 // Hidden planes: ∂/∂h and ∂/∂(LN input)
	hs, gs      []float32 // Hidden runs per block: h₁..h_L and the LayerNorm inputs g (h₀ is kept)
	dc1         []float32 // 2·Hidden planes
	dc3         []float32 // Hidden planes
	out, dO     []float32 // Cout planes: the output, and dout (written only at its pixels)
	dxp         []float32 // Cin planes: dx
	sumG, sumGX []float32 // LayerNorm backward sums, one run each
	acc         []float32 // gradient accumulators, laid out by accRows/accSizes
	active      bool      // ran in the last Backward
	// UseBF16's operands: pair planes, bfloat16 planes, pixel pairs and their rows.
	amxPairs  []uint32
	amxPlanes []uint16
	amxDy     []uint32
	amxRows   []uint16
	amxZero   []float32 // a plane of zeros, for channel pairs past the last channel
}

// MaxBF16Channels is the most input or output channels a convolution may have with UseBF16.
const MaxBF16Channels = 512

// NewNet prepares a Net for batches of n images of cin channels, h×w pixels.
func NewNet(pool *Pool, n, cin, hidden, cout, h, w, layers int) *Net {
	k := &Net{N: n, Cin: cin, Hidden: hidden, Cout: cout, H: h, W: w, Layers: layers, pool: pool}
	k.g = 4
	switch {
	case h*w >= 400:
		k.g = 1
	case h*w >= 100:
		k.g = 2
	}
	k.g = max(1, min(k.g, n))
	k.groups = (n + k.g - 1) / k.g
	k.s = k.g * (w + 1)
	k.o = roundUp(k.s+1, 16)
	k.r = h * k.s
	k.r16 = roundUp(k.r, 16)
	k.p = roundUp(k.o+k.r16+k.s+1, 16)
	k.per = cin*k.p + (hidden+layers*(3*hidden+2))*k.r16
	k.inRows, k.hid2Rows = k.rows(cin), k.rows(2*hidden)
	k.hidRows, k.outRows = k.rows(hidden), k.rows(cout)
	centre := make([]int, 2*hidden)
	for c := range centre {
		centre[c] = c*k.p + k.o
	}
	k.hid2Centre = newRowTable(centre)
	k.keep = make([]uint32, k.r16)
	for j := range k.keep[:k.r] {
		if j%(w+1) != w {
			k.keep[j] = ^uint32(0)
		}
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
func (k *Net) rows(ch int) rowTable { return newRowTable(k.rowOffsets(ch)) }

func (k *Net) rowOffsets(ch int) []int {
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

// maps are ch feature maps in d: channel c's run of R16 floats at c·stride + off.
type maps struct {
	d           []float32
	stride, off int
}

// padded are maps in padded planes, compact maps stored as runs.
func (k *Net) padded(d []float32) maps  { return maps{d, k.p, k.o} }
func (k *Net) compact(d []float32) maps { return maps{d, k.r16, 0} }

// run is channel c's run of R16 floats.
func (k *Net) run(m maps, c int) []float32 {
	return m.d[c*m.stride+m.off : c*m.stride+m.off+k.r16]
}

// at is where a GEMM writes the maps' runs: the first run, and the stride (ldc).
func (m maps) at() ([]float32, int) { return m.d[m.off:], m.stride }

// A group's activations: xin (Cin padded planes), then runs: h₀ (Hidden), then per block c₃
// (Hidden), c₁ (2·Hidden) and the LayerNorm statistics (mean, 1/std).
func (k *Net) xin(st []float32) maps { return k.padded(st[:k.Cin*k.p]) }
func (k *Net) h0(st []float32) maps {
	return k.compact(st[k.Cin*k.p : k.Cin*k.p+k.Hidden*k.r16])
}
func (k *Net) block(st []float32, l int) (c3, c1, stats maps) {
	off := k.Cin*k.p + (k.Hidden+l*(3*k.Hidden+2))*k.r16
	hr := k.Hidden * k.r16
	b := st[off : off+(3*k.Hidden+2)*k.r16]
	return k.compact(b[:hr]), k.compact(b[hr : 3*hr]), k.compact(b[3*hr:])
}

// h is h_l of the group being worked on: h₀ from its activations, the others from the worker's
// scratch (written by the forward or recomputed by the backward).
func (k *Net) h(ws *netWorker, st []float32, l int) maps {
	if l == 0 {
		return k.h0(st)
	}
	hr := k.Hidden * k.r16
	return k.compact(ws.hs[l*hr : (l+1)*hr])
}

// gin is block l's LayerNorm input, in the worker's scratch.
func (k *Net) gin(ws *netWorker, l int) maps {
	hr := k.Hidden * k.r16
	return k.compact(ws.gs[l*hr : (l+1)*hr])
}

func (k *Net) worker(w int) *netWorker {
	ws := &k.ws[w]
	if ws.e == nil {
		p, hid := k.p, k.Hidden
		ws.e, ws.de = make([]float32, 2*hid*p), make([]float32, 2*hid*p)
		ws.dh, ws.dg = make([]float32, hid*p), make([]float32, hid*p)
		ws.hs, ws.gs = make([]float32, (k.Layers+1)*hid*k.r16), make([]float32, max(1, k.Layers)*hid*k.r16)
		ws.dc1, ws.dc3 = make([]float32, 2*hid*p), make([]float32, hid*p)
		ws.out, ws.dO, ws.dxp = make([]float32, k.Cout*p), make([]float32, k.Cout*p), make([]float32, k.Cin*p)
		ws.sumG, ws.sumGX = make([]float32, k.r16), make([]float32, k.r16)
		ws.acc = make([]float32, k.accRows[len(k.accRows)-1])
	}
	return ws
}

// activations returns where group i's activations go: the batch store when training, else the
// worker's own.
func (k *Net) activations(ws *netWorker, i int) []float32 {
	if k.Train {
		return k.store[i*k.per : (i+1)*k.per]
	}
	if ws.store == nil {
		ws.store = make([]float32, k.per)
	}
	return ws.store
}

// pad copies gl compact ch×H×W images (one after the other in x) into a group's ch padded
// maps (whose borders stay zero); the group's other images are zeroed.
func (k *Net) pad(x []float32, m maps, ch, gl int) {
	hw := k.H * k.W
	for c := 0; c < ch; c++ {
		dst := k.run(m, c)
		for j := 0; j < k.g; j++ {
			img := dst[j*(k.W+1):]
			if j >= gl {
				for y := 0; y < k.H; y++ {
					zero(img[y*k.s : y*k.s+k.W])
				}
				continue
			}
			copyRows(img, k.s, x[(j*ch+c)*hw:(j*ch+c+1)*hw], k.W, k.H, k.W)
		}
	}
}

// unpad copies the pixels of a group's first gl images in ch maps into gl compact ch×H×W
// images, one after the other in x.
func (k *Net) unpad(m maps, x []float32, ch, gl int) {
	hw := k.H * k.W
	for c := 0; c < ch; c++ {
		src := k.run(m, c)
		for j := 0; j < gl; j++ {
			copyRows(x[(j*ch+c)*hw:(j*ch+c+1)*hw], k.W, src[j*(k.W+1):], k.s, k.H, k.W)
		}
	}
}

// copyRows copies rows rows of w floats from src (row stride srcStride) to dst (dstStride).
func copyRows(dst []float32, dstStride int, src []float32, srcStride, rows, w int) {
	if rows == 0 || w == 0 {
		return
	}
	last := (rows-1)*dstStride + w
	_, _ = dst[last-1], src[(rows-1)*srcStride+w-1] // the assembly does not check bounds
	if v := vectorLoops(); v != nil {
		v.copyRows(dst, dstStride, src, srcStride, rows, w)
		return
	}
	for r := 0; r < rows; r++ {
		copy(dst[r*dstStride:r*dstStride+w], src[r*srcStride:r*srcStride+w])
	}
}

// clean zeroes what a pass over the runs of ch maps wrote off the pixels: the border column
// after each image and the tail up to R16 (with AVX-512 by a mask of the pixels, k.keep).
func (k *Net) clean(m maps, ch int) {
	for c := 0; c < ch; c++ {
		run := k.run(m, c)
		if v := vectorLoops(); v != nil {
			v.keep(run, k.keep)
			continue
		}
		for j := k.W; j < k.r; j += k.W + 1 {
			run[j] = 0
		}
		zero(run[k.r:])
	}
}

// elu writes ELU(v) of ch maps into 2·ch (pairs with the same zero borders).
func (k *Net) elu(dst, v maps, ch int) {
	for c := 0; c < ch; c++ {
		eluImage(k.run(dst, c), k.run(dst, ch+c), k.run(v, c))
	}
}

// eluGrad writes ∂/∂v of ch maps from the ELU pair e = ELU(v) and its gradient de.
func (k *Net) eluGrad(dv, e, de maps, ch int) {
	for c := 0; c < ch; c++ {
		eluImageGrad(k.run(dv, c), k.run(e, c), k.run(e, ch+c), k.run(de, c), k.run(de, ch+c))
	}
}

// gatedSum writes the LayerNorm input g = h + val·σ(gate) from h and c₁ = [val, σ(gate)].
func (k *Net) gatedSum(g, h, c1 maps) {
	for c := 0; c < k.Hidden; c++ {
		gatedSumSlice(k.run(g, c), k.run(h, c), k.run(c1, c), k.run(c1, k.Hidden+c))
	}
}

// Forward computes out (N×Cout×H×W) of x (N×Cin×H×W).
func (k *Net) Forward(x []float32, p *NetParams, out []float32) {
	xper, oper := k.Cin*k.H*k.W, k.Cout*k.H*k.W
	k.beginForward(p)
	k.pool.Each(k.groups, func(w, from, to int) {
		ws := k.worker(w)
		for i := from; i < to; i++ {
			n, gl := k.group(i)
			k.forwardGroup(ws, k.activations(ws, i), x[n*xper:(n+gl)*xper], gl, p, out[n*oper:(n+gl)*oper])
		}
	})
}

// group returns group i's first image and how many images it has.
func (k *Net) group(i int) (n, gl int) { return i * k.g, min(k.g, k.N-i*k.g) }

// beginForward allocates the batch's activations before the workers start (and with UseBF16
// rounds the weights for the tile unit).
func (k *Net) beginForward(p *NetParams) {
	if k.Train && k.store == nil {
		k.store = make([]float32, k.groups*k.per)
	}
	if k.amx != nil {
		k.amx.packForward(k, p)
	}
}

// forwardGroup runs the gl images of x (compact, one after the other) through the network into
// out, keeping its activations in st.
func (k *Net) forwardGroup(ws *netWorker, st, x []float32, gl int, p *NetParams, out []float32) {
	hid := k.Hidden
	xin, e := k.xin(st), k.padded(ws.e)
	k.pad(x, xin, k.Cin, gl)
	h := k.h0(st)
	k.convolve(ws, p, convIn, 0, xin, h)
	k.clean(h, hid)
	for l, b := range p.Blocks {
		c3, c1, stats := k.block(st, l)
		gin := k.gin(ws, l)
		k.elu(e, h, hid)
		k.convolve(ws, p, conv3, l, e, c3)
		// c₃ is read only by the 1×1 convolution: its garbage off the pixels meets zero gradients
		k.elu(e, c3, hid)
		k.convolve(ws, p, conv1, l, e, c1)
		for c := 0; c < hid; c++ {
			gate := k.run(c1, hid+c)
			gatedSlice(k.run(gin, c), gate, k.run(h, c), k.run(c1, c), gate) // σ(gate) replaces gate
		}
		h = k.h(ws, st, l+1)
		k.layerNorm(gin, b.Gamma, b.Beta, h, stats)
		k.clean(h, hid)
	}
	k.elu(e, h, hid)
	o := k.padded(ws.out)
	k.convolve(ws, p, convOut, 0, e, o)
	k.unpad(o, out, k.Cout, gl)
}

// layerNorm normalises the Hidden planes x over channels at every run position into out, with
// the mean and 1/std into stats' two planes.
func (k *Net) layerNorm(x maps, gamma, beta []float32, out, stats maps) {
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
	k.pool.Each(k.groups, func(w, from, to int) {
		ws := k.backwardWorker(w)
		for i := from; i < to; i++ {
			n, gl := k.group(i)
			var dxn []float32
			if dx != nil {
				dxn = dx[n*xper : (n+gl)*xper]
			}
			k.backwardGroup(ws, k.store[i*k.per:(i+1)*k.per], dout[n*oper:(n+gl)*oper], gl, p, dxn)
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
	if k.amx != nil {
		k.amx.packBackward(k, p)
	}
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

// backwardGroup is the backward of forwardGroup: dx (nil: not wanted) from dout, the gradients
// added to the worker's accumulators.
func (k *Net) backwardGroup(ws *netWorker, st, dout []float32, gl int, p *NetParams, dx []float32) {
	hid := k.Hidden
	last := len(k.accSizes) - 2
	e, de := k.padded(ws.e), k.padded(ws.de)
	dh, dg, dc1, dc3 := k.padded(ws.dh), k.padded(ws.dg), k.padded(ws.dc1), k.padded(ws.dc3)
	// The output convolution: dWᵀ from ELU(h_L) and dout; ∂/∂ELU(h_L) by the transposed conv.
	dO := k.padded(ws.dO)
	k.pad(dout, dO, k.Cout, gl)
	// h₁..h_L and the LayerNorm inputs again, as the forward computed them.
	for l := range p.Blocks {
		_, c1, stats := k.block(st, l)
		gin, next := k.gin(ws, l), k.h(ws, st, l+1)
		k.gatedSum(gin, k.h(ws, st, l), c1)
		mean, rstd := k.run(stats, 0), k.run(stats, 1)
		for c := 0; c < hid; c++ {
			lnNorm(k.run(next, c), k.run(gin, c), mean, rstd, p.Blocks[l].Gamma[c], p.Blocks[l].Beta[c])
		}
		k.clean(next, hid)
	}
	k.elu(e, k.h(ws, st, k.Layers), hid)
	k.filterGrad(ws, convOut, e, dO, k.acc(ws, last))
	k.biasGrad(k.acc(ws, last+1), dO, k.Cout)
	k.convolveBack(ws, p, convOut, 0, dO, de)
	k.eluGrad(dh, e, de, hid)
	k.clean(dh, hid)
	for l := k.Layers - 1; l >= 0; l-- {
		b := p.Blocks[l]
		a := 2 + 6*l // this block's accumulators
		c3, c1, stats := k.block(st, l)
		h, gin := k.h(ws, st, l), k.gin(ws, l)
		// LayerNorm: dg from dh; γ, β gradients.
		k.layerNormGrad(ws, gin, b.Gamma, stats, dh, dg, k.acc(ws, a+4), k.acc(ws, a+5))
		// Gated residual: ∂/∂h gets dg itself; ∂/∂val, ∂/∂gate into dc1.
		for c := 0; c < hid; c++ {
			gatedGradSlice(k.run(dc1, c), k.run(dc1, hid+c), k.run(dg, c), k.run(c1, hid+c), k.run(c1, c))
		}
		// conv1 on ELU(c₃).
		k.elu(e, c3, hid)
		k.filterGrad(ws, conv1, e, dc1, k.acc(ws, a+2))
		k.biasGrad(k.acc(ws, a+3), dc1, 2*hid)
		k.convolveBack(ws, p, conv1, l, dc1, de)
		k.eluGrad(dc3, e, de, hid) // zero off the pixels: de is
		// conv3 on ELU(h_l).
		k.elu(e, h, hid)
		k.filterGrad(ws, conv3, e, dc3, k.acc(ws, a))
		k.biasGrad(k.acc(ws, a+1), dc3, hid)
		k.convolveBack(ws, p, conv3, l, dc3, de)
		for c := 0; c < hid; c++ { // and the residual's dg
			eluImageGradAdd(k.run(dh, c), k.run(e, c), k.run(e, hid+c), k.run(de, c), k.run(de, hid+c), k.run(dg, c))
		}
		k.clean(dh, hid)
	}
	// The input convolution.
	xin := k.xin(st)
	k.filterGrad(ws, convIn, xin, dh, k.acc(ws, 0))
	k.biasGrad(k.acc(ws, 1), dh, hid)
	if dx != nil {
		dxp := k.padded(ws.dxp)
		k.convolveBack(ws, p, convIn, 0, dh, dxp)
		k.unpad(dxp, dx, k.Cin, gl)
	}
}

// biasGrad adds each plane's run sum (zero off the pixels) to db.
func (k *Net) biasGrad(db []float32, planes maps, ch int) {
	for c := 0; c < ch; c++ {
		db[c] += sum(k.run(planes, c))
	}
}

// layerNormGrad computes dx of LayerNormChannels from d (its output's gradient), x its input and
// the forward's stats, and adds Σ d·x̂ and Σ d to dgamma and dbeta.
func (k *Net) layerNormGrad(ws *netWorker, x maps, gamma []float32, stats, d, dx maps, dgamma, dbeta []float32) {
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
	n := len(x)
	done := gatedFwd(out, sig, x, val, gate)
	gatedGo(out[done:n], sig[done:n], x[done:], val[done:n], gate[done:n])
}

// gatedGo is gatedSlice's loop in Go.
func gatedGo(out, sig, x, val, gate []float32) {
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

// gatedSumSlice is out = x + val·sig, the gated residual from a kept σ(gate) (the forward's
// floats: the product rounded, then the sum).
func gatedSumSlice(out, x, val, sig []float32) {
	done := gatedSum(out, x, val, sig)
	out, x, val, sig = out[done:len(x)], x[done:], val[done:len(x)], sig[done:len(x)]
	for i, v := range x {
		out[i] = v + val[i]*sig[i]
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
