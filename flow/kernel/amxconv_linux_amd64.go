package kernel

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// AMX convolution, forward: the first kernel of the bfloat16 opt-in (Net.UseBF16; with flipped,
// transposed weights also the data gradient). It computes what RunRows does for a convolution over
// a Net's padded planes,
//
//	c[co][p] = bias[co] + Σ_t Σ_ci w[co][ci][t] · x[ci][p + off_t]   for p < n (n a multiple of 16),
//
// with x and w rounded to bfloat16 and the sums in float32, on the tile unit: TDPBF16PS
// multiplies m×k bfloat16 weights (a tile of up to 16 output channels × 32 input channels at one
// tap) by a k/2×16 tile of input-channel pairs × 16 pixels. The input is laid out for that: plane
// q holds channels 2q and 2q+1 interleaved pixel by pixel (amxPairPlanes), so one row of a B
// tile, a channel pair at one tap over 16 pixels, is 64 contiguous bytes of a shifted plane and
// TILELOADD reads it in place with the plane size as its row stride, as RunRows reads im2col rows
// through their offsets. The output tile, m channels × 16 pixels, is stored straight into float32
// planes the same way.

// amxConv is a convolution's weights packed into A tiles, for cout output and cin input channels
// over len(offs) taps (offsets of the taps in pixels, relative to the run).
type amxConv struct {
	cout, cin, kpad int // kpad: bfloat16 per tap, cin rounded up to 2, or to 32 when over 32
	offs            []int
	blocks          []amxBlock // one per 16 output channels
}

// amxBlock is one block of up to 16 output channels: its tile configuration, its A tiles (one
// per tap and k-block, rows×2k bytes each) and its bias tile (rows × 16 float32).
type amxBlock struct {
	rows int
	cfg  [64]byte
	a    []uint16
	bias []float32
}

// amxArgs is amxConvRun's argument block; the assembly reads it by the offsets noted.
type amxArgs struct {
	cfg     *[64]byte      // 0
	a       unsafe.Pointer // 8: the A tiles, one after another
	aStride int            // 16: bytes per A row (2k)
	aTile   int            // 24: bytes per A tile
	bOff    *int           // 32: per segment, the B tile's offset in bytes from b
	nseg    int            // 40: segments (taps × k-blocks)
	b       unsafe.Pointer // 48: the pair planes
	bStride int            // 56: bytes per pair plane
	bias    unsafe.Pointer // 64: the bias tile, 64 bytes per row
	c       unsafe.Pointer // 72: the output run of channel 0
	cStride int            // 80: bytes per output plane
	nblocks int            // 88: n/16
}

//go:noescape
func amxConvRun(args *amxArgs)

var amxOnce struct {
	sync.Once
	err error
}

// amxAvailable reports whether the tile unit can be used, asking Linux for it once.
func amxAvailable() error {
	if !hasAMXBF16 {
		return fmt.Errorf("no AMX-BF16 on this CPU")
	}
	amxOnce.Do(func() { amxOnce.err = requestAMX() })
	return amxOnce.err
}

// newAMXConv prepares a convolution of cout output and cin input channels over the taps at offs;
// pack sets its weights.
func newAMXConv(cout, cin int, offs []int) *amxConv {
	kpad := cin + cin%2
	if kpad > 32 {
		kpad = (cin + 31) / 32 * 32
	}
	k := min(kpad, 32)
	if len(offs) == 0 || len(offs)*(kpad/k) > maxAMXSegments {
		panic("kernel: newAMXConv: no taps, or more taps × input blocks than the kernel takes")
	}
	cv := &amxConv{cout: cout, cin: cin, kpad: kpad, offs: offs}
	for m0 := 0; m0 < cout; m0 += 16 {
		rows := min(16, cout-m0)
		blk := amxBlock{rows: rows, a: make([]uint16, len(offs)*kpad*rows), bias: make([]float32, rows*16)}
		setTiles(&blk.cfg, 0, 2, rows, 64)  // two output tiles, rows × 16 float32
		setTiles(&blk.cfg, 2, 1, rows, 2*k) // A
		setTiles(&blk.cfg, 3, 2, k/2, 64)   // two B tiles, k/2 pair rows of 16 pixels
		cv.blocks = append(cv.blocks, blk)
	}
	return cv
}

// maxAMXSegments bounds taps × input blocks (9 taps of up to MaxBF16Channels channels) so that
// run needs no allocation.
const maxAMXSegments = 9 * MaxBF16Channels / 32

// newAMXConvOf is newAMXConv with its weights packed.
func newAMXConvOf(cout, cin int, offs []int, w, bias []float32) *amxConv {
	cv := newAMXConv(cout, cin, offs)
	cv.pack(w, bias)
	return cv
}

// pack rounds w (cout × cin × taps, row-major as the float32 kernels take it) to bfloat16 A
// tiles and sets the bias tiles from bias (cout, or nil: zero).
func (cv *amxConv) pack(w, bias []float32) {
	taps := len(cv.offs)
	k := min(cv.kpad, 32)
	for b := range cv.blocks {
		blk := &cv.blocks[b]
		m0, i := 16*b, 0
		for t := range taps {
			for kb := range cv.kpad / k {
				for r := range blk.rows {
					for e := range k {
						var v uint16
						if ci := kb*k + e; ci < cv.cin {
							v = toBF16(w[((m0+r)*cv.cin+ci)*taps+t])
						}
						blk.a[i] = v
						i++
					}
				}
			}
		}
		for r := range blk.rows {
			var v float32
			if bias != nil {
				v = bias[m0+r]
			}
			for j := range 16 {
				blk.bias[16*r+j] = v
			}
		}
	}
}

// run computes c's first n floats of each of cout planes (plane stride cPlane floats, run at
// c[0]) from x, pair planes of pPlane pixels (amxPairPlanes) whose run starts at pixel o; n is a
// multiple of 16.
func (cv *amxConv) run(x []uint32, pPlane, o, n int, c []float32, cPlane int) {
	if n%16 != 0 || n == 0 {
		panic("kernel: amxConv.run: n must be a positive multiple of 16")
	}
	lo, hi := math.MaxInt, math.MinInt
	for _, off := range cv.offs {
		lo, hi = min(lo, o+off), max(hi, o+off)
	}
	if lo < 0 || (cv.kpad/2-1)*pPlane+hi+n > len(x) || (cv.cout-1)*cPlane+n > len(c) {
		panic("kernel: amxConv.run: a tile outside its planes")
	}
	k := min(cv.kpad, 32)
	var segs [maxAMXSegments]int
	nseg := 0
	for _, off := range cv.offs {
		for kb := range cv.kpad / k {
			segs[nseg] = 4 * (kb*(k/2)*pPlane + o + off)
			nseg++
		}
	}
	for b := range cv.blocks {
		blk := &cv.blocks[b]
		amxConvRun(&amxArgs{
			cfg: &blk.cfg, a: unsafe.Pointer(&blk.a[0]), aStride: 2 * k, aTile: 2 * k * blk.rows,
			bOff: &segs[0], nseg: nseg, b: unsafe.Pointer(&x[0]), bStride: 4 * pPlane,
			bias: unsafe.Pointer(&blk.bias[0]), c: unsafe.Pointer(&c[16*b*cPlane]), cStride: 4 * cPlane,
			nblocks: n / 16,
		})
	}
}

// amxPairPlanes lays cin float32 planes of pPlane floats (channel ci at x[ci·pPlane:]) out as
// kpad/2 planes of bfloat16 pairs (the low half channel 2q, the high half 2q+1), zero past cin;
// zero is a plane of zeros for those (grown when shorter, and returned for reuse).
func amxPairPlanes(x []float32, cin, kpad, pPlane int, dst []uint32, zero []float32) ([]uint32, []float32) {
	dst = grow(dst, kpad/2*pPlane)
	if kpad > cin && len(zero) < pPlane {
		zero = make([]float32, pPlane)
	}
	plane := func(ci int) []float32 {
		if ci < cin {
			return x[ci*pPlane : (ci+1)*pPlane]
		}
		return zero[:pPlane]
	}
	for q := range kpad / 2 {
		toBF16Pairs(dst[q*pPlane:(q+1)*pPlane], plane(2*q), plane(2*q+1))
	}
	return dst, zero
}
