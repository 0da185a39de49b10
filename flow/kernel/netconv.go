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

// netConvs are the four kinds, in order.
var netConvs = [...]netConv{convIn, conv3, conv1, convOut}

// instances is how many convolutions of kind c the Net has: one per block, or one.
func (k *Net) instances(c netConv) int {
	if c == conv3 || c == conv1 {
		return k.Layers
	}
	return 1
}

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
	k.conv(ws, p, c, l, false, in, out)
}

// convolveBack writes out's runs = convolution c's data gradient (of block l; no bias) of the
// padded planes of its output gradient dout.
func (k *Net) convolveBack(ws *netWorker, p *NetParams, c netConv, l int, dout, out maps) {
	k.conv(ws, p, c, l, true, dout, out)
}

// conv is convolve, or with back convolveBack: the same product with the data gradient's
// weights and the channel counts swapped.
func (k *Net) conv(ws *netWorker, p *NetParams, c netConv, l int, back bool, in, out maps) {
	s := k.shape(c)
	dst, ldc := out.at()
	m, kin, rows := s.cout, s.cin, s.rows // output channels, input channels, im2col rows
	if back {
		m, kin, rows = s.cin, s.cout, s.backRows
	}
	if k.amx != nil {
		k.amxConvolve(ws, c, l, back, in.d, kin, dst, ldc)
		return
	}
	w, b, bw := k.weights(p, c, l)
	if back {
		w, b = bw, nil
	}
	if s.taps == 1 { // W is cout×cin either way; the data gradient reads it transposed
		ws.gemm.Run(back, false, m, k.r16, kin, w, s.cin, in.d[in.off:], in.stride, 0, b, dst, ldc)
		return
	}
	ws.gemm.runRows(m, k.r16, 9*kin, w, 9*kin, in.d, rows, b, dst, ldc)
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
