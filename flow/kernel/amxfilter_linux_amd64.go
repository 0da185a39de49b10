package kernel

import "unsafe"

// AMX filter gradient: the second kernel of the bfloat16 path (amxconv_linux_amd64.go; nothing
// calls it yet). It adds what AddDotRows adds for a convolution over a Net's padded planes,
//
//	dw[co][ci][t] += Σ_p dy[co][p] · x[ci][o + p + off_t]   for p < n,
//
// with dy and x rounded to bfloat16 and the sums in float32. Here k runs along pixels, so the
// operands are laid out for it: dy as bfloat16 rows of 32-pixel steps (amxRows; an A tile is
// m output channels × 32 pixels), x as pixel pairs × 16 input channels (amxPixelPairs; a B tile is
// 16 pixel pairs × 16 channels × the pair), once for pairs that start at even pixels and once for
// odd ones, since a tap's offset may be either. The output tiles, m output channels × 16 input
// channels at one tap, accumulate in the tile layout over a batch's maps (amxFilter).

// amxFilterArgs is amxFilterRun's argument block; the assembly reads it by the offsets noted.
type amxFilterArgs struct {
	cfg     *[64]byte      // 0
	a       unsafe.Pointer // 8: dy's rows of the block, at pixel 0
	aStride int            // 16: bytes per dy row
	b       unsafe.Pointer // 24: the pixel pairs
	bOff    *int           // 32: per tap, the first B tile's offset in bytes from b
	ntaps   int            // 40: a multiple of 3
	ksteps  int            // 48: 32-pixel steps
	out     unsafe.Pointer // 56: one float32 tile per tap, rows × 64 bytes
	outTile int            // 64: bytes per output tile
}

//go:noescape
func amxFilterRun(args *amxFilterArgs)

// amxRows lays the runs of cout float32 planes (plane stride plane, run of n floats at o) out as
// bfloat16 rows of n32 = n rounded up to 32, zero past n.
func amxRows(dy []float32, cout, plane, o, n int, dst []uint16) ([]uint16, int) {
	n32 := (n + 31) / 32 * 32
	dst = grow16(dst, cout*n32)
	clear(dst)
	for co := range cout {
		toBF16Run(dst[co*n32:], dy[co*plane+o:co*plane+o+n])
	}
	return dst, n32
}

// amxPixelPairs lays cin float32 planes of plane floats out for amxFilter: for each parity par
// (0, 1) and block cb of 16 channels, q pairs of 16 channels × 2 bfloat16,
// [par][cb][q][c][e] = x[16cb+c][2q+e+par], zero off the planes and past cin.
func amxPixelPairs(x []float32, cin, plane, q int, dst []uint16) []uint16 {
	cb := (cin + 15) / 16
	dst = grow16(dst, 2*cb*q*32)
	clear(dst)
	for par := range 2 {
		for ci := range cin {
			base := ((par*cb+ci/16)*q)*32 + ci%16*2
			for u := par; u < min(plane, 2*q+par); u++ {
				i := u - par
				dst[base+i/2*32+i%2] = toBF16(x[ci*plane+u])
			}
		}
	}
	return dst
}

func grow16(s []uint16, n int) []uint16 {
	if cap(s) < n {
		return make([]uint16, n)
	}
	return s[:n]
}

// amxFilter accumulates a convolution's filter gradient (cout × cin × len(offs)) over the maps
// of a batch in the tile layout, [16-channel block of ci][16-row block of co][tap][row][16], so
// that each map costs only the tile unit's work and the gradient is laid out as dw once (addTo).
type amxFilter struct {
	cout, cin int
	offs      []int
	taps3     int        // taps rounded up to 3 (the kernel's group); a padded tap repeats the last
	acc       []float32  // the sums
	cfgs      [][64]byte // per block of co
	bOff      []int      // per tap
}

func newAMXFilter(cout, cin int, offs []int) *amxFilter {
	f := &amxFilter{cout: cout, cin: cin, offs: offs, taps3: (len(offs) + 2) / 3 * 3}
	f.acc = make([]float32, (cin+15)/16*((cout+15)/16)*f.taps3*16*16)
	for m0 := 0; m0 < cout; m0 += 16 {
		var cfg [64]byte
		cfg[0] = 1
		for t := range 4 { // 0-2 the taps' sums, 3 dy: rows × 64 bytes
			cfg[16+2*t], cfg[48+t] = 64, byte(min(16, cout-m0))
		}
		for t := 4; t <= 6; t++ { // the pixel pairs: 16 rows of 64 bytes
			cfg[16+2*t], cfg[48+t] = 64, 16
		}
		f.cfgs = append(f.cfgs, cfg)
	}
	f.bOff = make([]int, f.taps3)
	return f
}

// add accumulates one map: dyRows (amxRows: cout rows of n32) against pairs (amxPixelPairs with
// q pairs, of planes whose run starts at pixel o).
func (f *amxFilter) add(dyRows []uint16, n32 int, pairs []uint16, q, o int) {
	cb := (f.cin + 15) / 16
	if len(dyRows) < f.cout*n32 || len(pairs) < 2*cb*q*32 {
		panic("kernel: amxFilter.add: operands shorter than their layout")
	}
	tile := 0
	for cbi := range cb {
		for t := range f.taps3 {
			u := o + f.offs[min(t, len(f.offs)-1)]
			par := u & 1
			q0 := (u - par) / 2
			if u < 0 || q0+n32/2 > q {
				panic("kernel: amxFilter.add: a tap outside the pixel pairs")
			}
			f.bOff[t] = ((par*cb+cbi)*q + q0) * 64
		}
		for b := range f.cfgs {
			rows := min(16, f.cout-16*b)
			amxFilterRun(&amxFilterArgs{
				cfg: &f.cfgs[b], a: unsafe.Pointer(&dyRows[16*b*n32]), aStride: 2 * n32,
				b: unsafe.Pointer(&pairs[0]), bOff: &f.bOff[0], ntaps: f.taps3, ksteps: n32 / 32,
				out: unsafe.Pointer(&f.acc[tile]), outTile: rows * 64,
			})
			tile += f.taps3 * 16 * 16
		}
	}
}

// addTo adds the sums into dw (cout × cin × taps, row-major) and clears them.
func (f *amxFilter) addTo(dw []float32) {
	taps, tile := len(f.offs), 0
	for cbi := range (f.cin + 15) / 16 {
		for b := range f.cfgs {
			rows := min(16, f.cout-16*b)
			for t := range taps {
				for r := range rows {
					for c := range min(16, f.cin-16*cbi) {
						dw[((16*b+r)*f.cin+16*cbi+c)*taps+t] += f.acc[tile+(t*rows+r)*16+c]
					}
				}
			}
			tile += f.taps3 * 16 * 16
		}
	}
	clear(f.acc)
}
