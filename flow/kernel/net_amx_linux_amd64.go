package kernel

import "fmt"

// The Net's convolutions in bfloat16 on AMX (UseBF16): issue 13's opt-in (runner.Config's
// Precision "bf16"). Every convolution of the forward, its data gradient and its filter gradient
// runs on the tile unit with float32 sums; everything else (the ELUs, the gate, LayerNorm, the
// sums of the gradients) stays float32. The operands are rounded to bfloat16 by passes of their
// own just before each kernel (amxPairPlanes, amxPlanes, amxPixelPairs).

// netAMX is a Net's AMX convolutions, by kind (netConv) and block (one for the input and output
// convolutions): the forward weights packed at every Forward, the data gradients' (flipped,
// transposed) at every Backward, and the filter gradients' tile configurations.
type netAMX struct {
	forward, dataGrad [4][]*amxConv
	filter            [4]*amxFilter
	w1T               []float32
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
	a := &netAMX{w1T: make([]float32, 4*hid*hid)}
	a.forward[convIn] = []*amxConv{newAMXConv(hid, k.Cin, offs3)}
	a.forward[convOut] = []*amxConv{newAMXConv(k.Cout, 2*hid, offs3)}
	a.dataGrad[convIn] = []*amxConv{newAMXConv(k.Cin, hid, offs3)}
	a.dataGrad[convOut] = []*amxConv{newAMXConv(2*hid, k.Cout, offs3)}
	for range k.Layers {
		a.forward[conv3] = append(a.forward[conv3], newAMXConv(hid, 2*hid, offs3))
		a.forward[conv1] = append(a.forward[conv1], newAMXConv(2*hid, 2*hid, offs1))
		a.dataGrad[conv3] = append(a.dataGrad[conv3], newAMXConv(2*hid, hid, offs3))
		a.dataGrad[conv1] = append(a.dataGrad[conv1], newAMXConv(2*hid, 2*hid, offs1))
	}
	a.filter = [4]*amxFilter{convIn: newAMXFilter(hid, k.Cin, offs3), conv3: newAMXFilter(hid, 2*hid, offs3),
		conv1: newAMXFilter(2*hid, 2*hid, offs1), convOut: newAMXFilter(k.Cout, 2*hid, offs3)}
	k.amx = a
	return nil
}

// packForward rounds the forward's weights and biases.
func (a *netAMX) packForward(p *NetParams) {
	a.forward[convIn][0].pack(p.InW, p.InB)
	a.forward[convOut][0].pack(p.OutW, p.OutB)
	for l, b := range p.Blocks {
		a.forward[conv3][l].pack(b.W3, b.B3)
		a.forward[conv1][l].pack(b.W1, b.B1)
	}
}

// packBackward rounds the data gradients' weights: the Net's flipped, transposed 3×3 filters
// (beginBackward's) and each block's W1 transposed.
func (a *netAMX) packBackward(k *Net, p *NetParams) {
	a.dataGrad[convIn][0].pack(k.inT, nil)
	a.dataGrad[convOut][0].pack(k.outT, nil)
	c := 2 * k.Hidden
	for l, b := range p.Blocks {
		a.dataGrad[conv3][l].pack(k.blockT[l], nil)
		for co := range c {
			for ci := range c {
				a.w1T[ci*c+co] = b.W1[co*c+ci]
			}
		}
		a.dataGrad[conv1][l].pack(a.w1T, nil)
	}
}

// amxConvolve writes the runs of out (stride ldc) = convolution c (of block l) of ch padded
// planes in; with dataGrad, the convolution's data gradient (its flipped, transposed weights, no
// bias) of ch planes of output gradient.
func (k *Net) amxConvolve(ws *netWorker, c netConv, l int, dataGrad bool, in []float32, ch int, out []float32, ldc int) {
	cv := k.amx.forward[c][l]
	if dataGrad {
		cv = k.amx.dataGrad[c][l]
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
	k.amx.filter[c].add(ws.amxPlanes, k.p, k.o, ws.amxDy, n32, acc)
}

// CheckBF16 says why UseBF16 cannot work here, or nil.
func CheckBF16() error { return amxAvailable() }
