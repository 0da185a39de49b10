package kernel

// The Net's convolutions, each in its three uses: the forward, its data gradient and its filter
// gradient. Each runs on the float32 GEMM, which reads the padded planes in place, or with
// UseBF16 on AMX; the three methods below are the one place that chooses.

// netConv names one of the Net's convolutions (for a block's, with its index).
type netConv int

const (
	convIn netConv = iota
	conv3
	conv1
	convOut
)

// convShape is a convolution's channels and how the GEMM reads its operands from padded planes.
type convShape struct {
	cin, cout int
	taps      int      // 9 (3×3, "same" padding) or 1 (1×1)
	rows      rowTable // the im2col rows of its cin input planes (a 1×1's: their unshifted runs)
	backRows  rowTable // the im2col rows of cout output-gradient planes (3×3 data gradients)
}

func (k *Net) shape(c netConv) convShape {
	hid := k.Hidden
	switch c {
	case convIn:
		return convShape{cin: k.Cin, cout: hid, taps: 9, rows: k.inRows, backRows: k.hidRows}
	case conv3:
		return convShape{cin: 2 * hid, cout: hid, taps: 9, rows: k.hid2Rows, backRows: k.hidRows}
	case conv1:
		return convShape{cin: 2 * hid, cout: 2 * hid, taps: 1, rows: k.hid2Centre}
	default:
		return convShape{cin: 2 * hid, cout: k.Cout, taps: 9, rows: k.hid2Rows, backRows: k.outRows}
	}
}

// weights returns convolution c's (of block l) weights and bias, and the weights its data
// gradient multiplies by: a 3×3's flipped, transposed filters (beginBackward's), a 1×1's own W,
// read transposed.
func (k *Net) weights(p *NetParams, c netConv, l int) (w, b, back []float32) {
	switch c {
	case convIn:
		return p.InW, p.InB, k.inT
	case conv3:
		return p.Blocks[l].W3, p.Blocks[l].B3, k.blockT[l]
	case conv1:
		return p.Blocks[l].W1, p.Blocks[l].B1, p.Blocks[l].W1
	default:
		return p.OutW, p.OutB, k.outT
	}
}

// convolve writes out's runs = convolution c of block l (with its bias) of the padded planes in.
func (k *Net) convolve(ws *netWorker, p *NetParams, c netConv, l int, in, out maps) {
	s := k.shape(c)
	dst, ldc := out.at()
	if k.amx != nil {
		k.amxConvolve(ws, c, l, false, in.d, s.cin, dst, ldc)
		return
	}
	w, b, _ := k.weights(p, c, l)
	if s.taps == 1 {
		ws.gemm.Run(false, false, s.cout, k.r16, s.cin, w, s.cin, in.d[in.off:], in.stride, 0, b, dst, ldc)
		return
	}
	ws.gemm.runRows(s.cout, k.r16, 9*s.cin, w, 9*s.cin, in.d, s.rows, b, dst, ldc)
}

// convolveBack writes out's runs = convolution c's data gradient (of block l; no bias) of the
// padded planes of its output gradient dout.
func (k *Net) convolveBack(ws *netWorker, p *NetParams, c netConv, l int, dout, out maps) {
	s := k.shape(c)
	dst, ldc := out.at()
	if k.amx != nil {
		k.amxConvolve(ws, c, l, true, dout.d, s.cout, dst, ldc)
		return
	}
	_, _, back := k.weights(p, c, l)
	if s.taps == 1 {
		ws.gemm.Run(true, false, s.cin, k.r16, s.cout, back, s.cin, dout.d[dout.off:], dout.stride, 0, nil, dst, ldc)
		return
	}
	ws.gemm.runRows(s.cin, k.r16, 9*s.cout, back, 9*s.cout, dout.d, s.backRows, nil, dst, ldc)
}

// filterGrad adds convolution c's filter gradient (dWᵀ, taps·cin rows × cout) from the padded
// planes of its input in and of its output gradient dout to acc.
func (k *Net) filterGrad(ws *netWorker, c netConv, in, dout maps, acc []float32) {
	s := k.shape(c)
	if k.amx != nil {
		k.amxFilterGrad(ws, c, in.d, s.cin, dout.d, s.cout, acc)
		return
	}
	ws.gemm.addDotRows(s.taps*s.cin, s.cout, k.r16, in.d, s.rows, dout.d[dout.off:], dout.stride, acc, s.cout)
}
