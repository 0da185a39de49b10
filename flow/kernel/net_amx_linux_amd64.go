package kernel

import "fmt"

// The Net's convolutions in bfloat16 on AMX (UseBF16): issue 13's opt-in (runner.Config's
// Precision "bf16"). Every convolution of the forward, its data gradient and its filter gradient
// runs on the tile unit with float32 sums; everything else (the ELUs, the gate, LayerNorm, the
// sums of the gradients) stays float32. The operands are rounded to bfloat16 by passes of their
// own just before each kernel (amxPairPlanes, amxPlanes, amxPixelPairs).

// netAMX is a Net's AMX convolutions: the forward weights packed at every Forward, the data
// gradients' (flipped, transposed) at every Backward, the filter gradients' tile configurations.
type netAMX struct {
	in, out, inT, outT           *amxConv
	conv3, conv1, conv3T, conv1T []*amxConv
	fIn, fOut, fConv3, fConv1    *amxFilter
	w1T                          []float32
}

// UseBF16 makes the Net compute its convolutions in bfloat16 with float32 sums on AMX, or says
// why it cannot.
func (k *Net) UseBF16() error {
	if err := amxAvailable(); err != nil {
		return err
	}
	if c := max(k.Cin, 2*k.Hidden, k.Cout); c > MaxBF16Channels {
		return fmt.Errorf("bfloat16 convolutions take up to %d channels, this network has %d", MaxBF16Channels, c)
	}
	hid := k.Hidden
	var offs3 []int
	for kh := range 3 {
		for kw := range 3 {
			offs3 = append(offs3, (kh-1)*k.s+kw-1)
		}
	}
	offs1 := []int{0}
	a := &netAMX{
		in: newAMXConv(hid, k.Cin, offs3), out: newAMXConv(k.Cout, 2*hid, offs3),
		inT: newAMXConv(k.Cin, hid, offs3), outT: newAMXConv(2*hid, k.Cout, offs3),
		fIn: newAMXFilter(hid, k.Cin, offs3), fOut: newAMXFilter(k.Cout, 2*hid, offs3),
		fConv3: newAMXFilter(hid, 2*hid, offs3), fConv1: newAMXFilter(2*hid, 2*hid, offs1),
		w1T: make([]float32, 4*hid*hid),
	}
	for range k.Layers {
		a.conv3 = append(a.conv3, newAMXConv(hid, 2*hid, offs3))
		a.conv1 = append(a.conv1, newAMXConv(2*hid, 2*hid, offs1))
		a.conv3T = append(a.conv3T, newAMXConv(2*hid, hid, offs3))
		a.conv1T = append(a.conv1T, newAMXConv(2*hid, 2*hid, offs1))
	}
	k.amx = a
	return nil
}

// packForward rounds the forward's weights and biases.
func (a *netAMX) packForward(p *NetParams) {
	a.in.pack(p.InW, p.InB)
	a.out.pack(p.OutW, p.OutB)
	for l, b := range p.Blocks {
		a.conv3[l].pack(b.W3, b.B3)
		a.conv1[l].pack(b.W1, b.B1)
	}
}

// packBackward rounds the data gradients' weights: the Net's flipped, transposed 3×3 filters
// (beginBackward's) and each block's W1 transposed.
func (a *netAMX) packBackward(k *Net, p *NetParams) {
	a.inT.pack(k.inT, nil)
	a.outT.pack(k.outT, nil)
	c := 2 * k.Hidden
	for l, b := range p.Blocks {
		a.conv3T[l].pack(k.blockT[l], nil)
		for co := range c {
			for ci := range c {
				a.w1T[ci*c+co] = b.W1[co*c+ci]
			}
		}
		a.conv1T[l].pack(a.w1T, nil)
	}
}

func (a *netAMX) forward(c netConv, l int) *amxConv {
	switch c {
	case convIn:
		return a.in
	case conv3:
		return a.conv3[l]
	case conv1:
		return a.conv1[l]
	}
	return a.out
}

func (a *netAMX) dataGrad(c netConv, l int) *amxConv {
	switch c {
	case convIn:
		return a.inT
	case conv3:
		return a.conv3T[l]
	case conv1:
		return a.conv1T[l]
	}
	return a.outT
}

func (a *netAMX) filter(c netConv) *amxFilter {
	switch c {
	case convIn:
		return a.fIn
	case conv3:
		return a.fConv3
	case conv1:
		return a.fConv1
	}
	return a.fOut
}

// amxConvolve writes the runs of out (stride ldc) = convolution c (of block l) of ch padded
// planes in; with dataGrad, the convolution's data gradient (its flipped, transposed weights, no
// bias) of ch planes of output gradient.
func (k *Net) amxConvolve(ws *netWorker, c netConv, l int, dataGrad bool, in []float32, ch int, out []float32, ldc int) {
	cv := k.amx.forward(c, l)
	if dataGrad {
		cv = k.amx.dataGrad(c, l)
	}
	ws.amxPairs, ws.amxZero = amxPairPlanes(in, ch, cv.kpad, k.p, ws.amxPairs, ws.amxZero)
	cv.run(ws.amxPairs, k.p, k.o, k.r16, out, ldc)
}

// amxFilterGrad adds convolution c's filter gradient, from ch padded planes of its input in and
// cout of its output gradient dout, to acc (dWᵀ, as addDotRows lays it out).
func (k *Net) amxFilterGrad(ws *netWorker, c netConv, in []float32, ch int, dout []float32, cout int, acc []float32) {
	ws.amxPlanes = amxPlanes(in, ch, k.p, ws.amxPlanes)
	var n32 int
	ws.amxDy, ws.amxRows, n32 = amxPixelPairs(dout, cout, k.p, k.o, k.r16, ws.amxDy, ws.amxRows)
	k.amx.filter(c).add(ws.amxPlanes, k.p, k.o, ws.amxDy, n32, acc)
}

// CheckBF16 says why UseBF16 cannot work here, or nil.
func CheckBF16() error { return amxAvailable() }
