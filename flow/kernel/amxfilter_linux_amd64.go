package kernel

import "unsafe"

// AMX filter gradient: the second kernel of the bfloat16 opt-in (amxconv_linux_amd64.go,
// Net.UseBF16). It adds what AddDotRows adds for a convolution over a Net's padded planes, into
// the same accumulator, dwᵀ with a row per (input channel, tap) and a column per output channel:
//
//	dwT[ci·taps + t][co] += Σ_p x[ci][o + p + off_t] · dy[co][p]   for p < n,
//
// with x and dy rounded to bfloat16 and the sums in float32. k runs along pixels, so an A tile is
// up to 16 input channels × 32 pixels of x at one tap, read in place from bfloat16 planes
// (amxPlanes) with the plane size as its row stride, any tap's offset being a byte address; a B
// tile is 16 pixel pairs × up to 16 output channels of dy, laid out once per map for that
// (amxPixelPairs), and shared by the taps. The output tile, input channels × output channels at
// one tap, is loaded from and stored back to the accumulator with its row stride (taps · cout
// floats), so the sums stay where the float32 path keeps them.

// amxFilterArgs is amxFilterRun's argument block; the assembly reads it by the offsets noted.
type amxFilterArgs struct {
	cfg     *[64]byte      // 0
	a       unsafe.Pointer // 8: x's bfloat16 plane of the block's first channel, at pixel 0
	aStride int            // 16: bytes per plane
	aOff    *int           // 24: per tap, the byte offset of its first A tile from a
	ntaps   int            // 32
	b       unsafe.Pointer // 40: the block's pixel pairs, at pair 0
	ksteps  int            // 48: 32-pixel steps
	c       unsafe.Pointer // 56: the sums of the block's first input channel at tap 0
	cStride int            // 64: bytes per row of sums (one input channel and tap)
	cTap    int            // 72: bytes from one tap's row to the next
}

//go:noescape
func amxFilterRun(args *amxFilterArgs)

// amxPlanes rounds cin float32 planes of plane floats to bfloat16 planes, with 32 zeros after
// the last, which a 32-pixel step past the run may read.
func amxPlanes(x []float32, cin, plane int, dst []uint16) []uint16 {
	dst = grow(dst, cin*plane+32)
	toBF16Run(dst, x[:cin*plane])
	clear(dst[cin*plane:])
	return dst
}

// amxPixelPairs lays the runs of cout float32 planes (plane stride plane, run of n floats at o)
// out as, per block of 16 channels, n32/2 pixel pairs × 16 channels × the pair ([block][pair][c]:
// the low half pixel 2·pair, the high half the next), n32 = n rounded up to 32, zero past n and
// past cout: each run rounded to bfloat16 (toBF16Run), then each block transposed to pair-major
// (with AVX-512 by a gather of 16 channels per pair). rows is scratch, returned for reuse.
func amxPixelPairs(dy []float32, cout, plane, o, n int, dst []uint32, rows []uint16) ([]uint32, []uint16, int) {
	if n <= 0 || cout <= 0 {
		panic("kernel: amxPixelPairs: no pixels or no channels")
	}
	n32 := (n + 31) / 32 * 32
	npp := n32 / 2
	rows = grow(rows, cout*n32)
	for co := range cout {
		r := rows[co*n32 : (co+1)*n32]
		toBF16Run(r, dy[co*plane+o:co*plane+o+n])
		clear(r[n:])
	}
	pairs := unsafe.Slice((*uint32)(unsafe.Pointer(&rows[0])), cout*npp) // row co's pair q at co·npp + q
	dst = grow(dst, (cout+15)/16*npp*16)
	for c0 := 0; c0 < cout; c0 += 16 {
		blk, ch := dst[c0*npp:(c0+16)*npp], min(16, cout-c0)
		if hasAVX512 {
			var index [16]int32
			for c := range ch {
				index[c] = int32(c * npp)
			}
			gatherPairs(&pairs[c0*npp], npp, &blk[0], &index, uint16(1)<<ch-1)
			continue
		}
		clear(blk)
		for c := range ch {
			for q, v := range pairs[(c0+c)*npp : (c0+c+1)*npp] {
				blk[16*q+c] = v
			}
		}
	}
	return dst, rows, n32
}

// amxFilter is a convolution's filter gradient on AMX: cout output and cin input channels over
// the taps at offs (pixels from the run), with a tile configuration per block of 16 input × 16
// output channels.
type amxFilter struct {
	cout, cin int
	offs      []int
	cfgs      [][64]byte // [input block][output block]
}

func newAMXFilter(cout, cin int, offs []int) *amxFilter {
	if len(offs) == 0 || len(offs) > maxAMXSegments {
		panic("kernel: newAMXFilter: no taps, or more than the kernel takes")
	}
	f := &amxFilter{cout: cout, cin: cin, offs: offs}
	for i0 := 0; i0 < cin; i0 += 16 {
		for o0 := 0; o0 < cout; o0 += 16 {
			rows, cols := min(16, cin-i0), 4*min(16, cout-o0)
			var cfg [64]byte
			setTiles(&cfg, 0, 3, rows, cols) // the three taps' sums: input × output channels
			setTiles(&cfg, 3, 3, rows, 64)   // x at the three taps: input channels × 32 pixels
			setTiles(&cfg, 6, 1, 16, cols)   // dy: 16 pixel pairs × output channels
			f.cfgs = append(f.cfgs, cfg)
		}
	}
	return f
}

// add accumulates one map into dwT (rows cin·taps, cout columns): x as amxPlanes of plane floats
// whose run starts at pixel o, dy as amxPixelPairs of n32 pixels. Workers may add at once into
// their own accumulators.
func (f *amxFilter) add(xb []uint16, plane, o int, dyPairs []uint32, n32 int, dwT []float32) {
	taps, oblocks := len(f.offs), (f.cout+15)/16
	lo, hi := o+f.offs[0], o+f.offs[0]
	var aOff [maxAMXSegments]int
	for t, off := range f.offs {
		aOff[t] = 2 * (o + off)
		lo, hi = min(lo, o+off), max(hi, o+off)
	}
	switch {
	case n32 <= 0 || n32%32 != 0:
		panic("kernel: amxFilter.add: n32 must be a positive multiple of 32")
	case lo < 0 || (f.cin-1)*plane+hi+n32 > len(xb):
		panic("kernel: amxFilter.add: a tap outside the input planes")
	case len(dyPairs) < oblocks*n32/2*16:
		panic("kernel: amxFilter.add: output gradient shorter than its layout")
	case len(dwT) < f.cin*taps*f.cout:
		panic("kernel: amxFilter.add: accumulator shorter than its layout")
	}
	for ib := range (f.cin + 15) / 16 {
		for ob := range oblocks {
			amxFilterRun(&amxFilterArgs{
				cfg: &f.cfgs[ib*oblocks+ob], a: unsafe.Pointer(&xb[16*ib*plane]), aStride: 2 * plane,
				aOff: &aOff[0], ntaps: taps, b: unsafe.Pointer(&dyPairs[ob*n32/2*16]), ksteps: n32 / 32,
				c: unsafe.Pointer(&dwT[16*ib*taps*f.cout+16*ob]), cStride: 4 * taps * f.cout, cTap: 4 * f.cout,
			})
		}
	}
}
