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
	var offs3 []int
	for kh := range 3 {
		for kw := range 3 {
			offs3 = append(offs3, (kh-1)*k.s+kw-1)
		}
	}
	offs1 := []int{0}
	a := &netAMX{w1T: make([]float32, 4*k.Hidden*k.Hidden)}
	for _, c := range netConvs {
		s, offs := k.shape(c), offs3
		if s.taps == 1 {
			offs = offs1
		}
		for range k.instances(c) {
			a.forward[c] = append(a.forward[c], newAMXConv(s.cout, s.cin, offs))
			a.dataGrad[c] = append(a.dataGrad[c], newAMXConv(s.cin, s.cout, offs))
		}
		a.filter[c] = newAMXFilter(s.cout, s.cin, offs)
	}
	k.amx = a
	return nil
}

// packForward rounds the forward's weights and biases.
func (a *netAMX) packForward(k *Net, p *NetParams) {
	for _, c := range netConvs {
		for l := range k.instances(c) {
			w, b, _ := k.weights(p, c, l)
			a.forward[c][l].pack(w, b)
		}
	}
}

// packBackward rounds the data gradients' weights: the Net's flipped, transposed 3×3 filters
// (beginBackward's) and each block's W1 transposed (the float32 GEMM reads W1 transposed in
// place; the tile kernel takes its weights as they are).
func (a *netAMX) packBackward(k *Net, p *NetParams) {
	c := 2 * k.Hidden
	for _, cv := range netConvs {
		for l := range k.instances(cv) {
			_, _, back := k.weights(p, cv, l)
			if cv == conv1 {
				for co := range c {
					for ci := range c {
						a.w1T[ci*c+co] = back[co*c+ci]
					}
				}
				back = a.w1T
			}
			a.dataGrad[cv][l].pack(back, nil)
		}
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
