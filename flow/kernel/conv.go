package kernel

// Conv is a stride-1 convolution with "same" padding (K = 1 or 3) and bias on NCHW batches, by
// im2col and GEMM. Small images are laid side by side so that one GEMM covers a group of them
// (at least minColumns columns): a 7×7 map alone makes a GEMM too thin to run fast. Its scratch
// buffers (per worker) live as long as the Conv, so steps after the first allocate nothing.
type Conv struct {
	N, Cin, Cout, H, W, K int
	// ELU: the convolution's input is cat(elu(x), elu(-x)) of an x with Cin/2 channels, made one
	// image at a time in scratch and never stored for the batch (the GatedConvNet's ConcatELU
	// followed by a convolution, fused: it saves the memory of the doubled activations).
	ELU             bool
	group           int // images per GEMM
	pool            *Pool
	cols, tmps, dws [][]float32
	dbs             [][]float32 // per worker: bias-gradient partial sums
	gemms           []Gemm      // per worker
	rowOffs         [][]int     // per worker: the row offsets of an explicit im2col matrix
	elus, delus     [][]float32 // per worker: one image's concatenated input and its gradient
	wt              []float32   // the flipped, transposed filter of the data gradient
	// inRows, outRows: for 3×3 filters, the offsets of the im2col rows of an image of Cin (Cout)
	// channels in its shift3 buffer.
	inRows, outRows []int
}

// minColumns: a GEMM over fewer columns is grouped with the next images' (measured: grouping the
// 28×28 maps made them slower — their im2col matrices outgrow the cache; since 14×14 maps take the
// implicit im2col of one image (Conv.implicit), they run a little faster alone, and 7×7 maps
// gain nothing measurable either way: small preset 85.5 vs 84.2 ms/step for minColumns 196 vs 49).
const minColumns = 196

// NewConv prepares a convolution of the given shape.
func NewConv(pool *Pool, n, cin, cout, h, w, k int) *Conv {
	hw := h * w
	return &Conv{N: n, Cin: cin, Cout: cout, H: h, W: w, K: k, pool: pool,
		group: max(1, (minColumns+hw-1)/hw),
		cols:  make([][]float32, pool.Workers), tmps: make([][]float32, pool.Workers), dws: make([][]float32, pool.Workers),
		dbs:  make([][]float32, pool.Workers),
		elus: make([][]float32, pool.Workers), delus: make([][]float32, pool.Workers),
		gemms: make([]Gemm, pool.Workers), rowOffs: make([][]int, pool.Workers), inRows: shift3Rows(cin, h, w), outRows: shift3Rows(cout, h, w)}
}

// NewELUConv prepares a convolution of cat(elu(x), elu(-x)) for x with c channels.
func NewELUConv(pool *Pool, n, c, cout, h, w, k int) *Conv {
	conv := NewConv(pool, n, 2*c, cout, h, w, k)
	conv.ELU = true
	return conv
}

// xPer is the size of one image of the batch the caller passes as x.
func (c *Conv) xPer() int {
	if c.ELU {
		return c.Cin / 2 * c.hw()
	}
	return c.Cin * c.hw()
}

// input returns image n's convolution input: x's own slice, or its concatenated ELUs in worker's
// scratch.
func (c *Conv) input(worker int, x []float32, n int) []float32 {
	img := x[n*c.xPer() : (n+1)*c.xPer()]
	if !c.ELU {
		return img
	}
	buf := grow(c.elus[worker], c.Cin*c.hw())
	c.elus[worker] = buf
	half := c.Cin / 2 * c.hw()
	eluImage(buf[:half], buf[half:], img)
	return buf
}

func (c *Conv) hw() int   { return c.H * c.W }
func (c *Conv) rows() int { return c.Cin * c.K * c.K } // rows of the im2col matrix of x

// groups calls f for each group of images [n, n+g) of the worker's range [from, to).
func (c *Conv) groups(from, to int, f func(n, g int)) {
	for n := from; n < to; n += c.group {
		f(n, min(c.group, to-n))
	}
}

// lay returns images [n, n+g) (image i given by src(i), ch channels) side by side as a matrix
// with g·H·W columns: their im2col rows when taps, else their channels — the image itself for one.
func (c *Conv) lay(src func(int) []float32, ch, n, g int, taps bool, dst []float32) []float32 {
	hw := c.hw()
	ld := g * hw
	if g == 1 && !taps {
		return src(n)
	}
	for j := 0; j < g; j++ {
		img := src(n + j)
		if taps {
			im2col(img, dst, ch, c.H, c.W, ld, j*hw)
			continue
		}
		for ci := 0; ci < ch; ci++ {
			copy(dst[ci*ld+j*hw:ci*ld+(j+1)*hw], img[ci*hw:(ci+1)*hw])
		}
	}
	return dst
}

// images returns the image accessor of a plain NCHW batch with ch channels.
func (c *Conv) images(x []float32, ch int) func(int) []float32 {
	per := ch * c.hw()
	return func(n int) []float32 { return x[n*per : (n+1)*per] }
}

// target is where a GEMM of images [n, n+g) writes: straight into the NCHW batch y for one
// image, else into tmp, to be unlaid.
func (c *Conv) target(y []float32, ch, n, g int, tmp []float32) []float32 {
	if g == 1 {
		return y[n*ch*c.hw() : (n+1)*ch*c.hw()]
	}
	return tmp
}

// unlay copies a ch × g·H·W matrix back into images [n, n+g) of the NCHW batch y (nothing to do
// for one image: the GEMM wrote into y itself).
func (c *Conv) unlay(src []float32, ch, n, g int, y []float32) {
	if g == 1 {
		return
	}
	hw := c.hw()
	ld := g * hw
	for j := 0; j < g; j++ {
		for ci := 0; ci < ch; ci++ {
			copy(y[((n+j)*ch+ci)*hw:((n+j)*ch+ci+1)*hw], src[ci*ld+j*hw:ci*ld+(j+1)*hw])
		}
	}
}

// buffers returns worker's column and result matrices, at least colRows and tmpRows rows of
// group·H·W columns.
func (c *Conv) buffers(worker, colRows, tmpRows int) (col, tmp []float32) {
	cols := c.group * c.hw()
	c.cols[worker] = grow(c.cols[worker], colRows*cols)
	c.tmps[worker] = grow(c.tmps[worker], tmpRows*cols)
	return c.cols[worker], c.tmps[worker]
}

// Forward computes out = w ⊛ x + b. x: N×Cin×H×W, w: Cout×Cin×K×K, b: Cout, out: N×Cout×H×W.
func (c *Conv) Forward(x, w, b, out []float32) {
	rows := c.rows()
	c.pool.Each(c.N, func(worker, from, to int) {
		col, tmp := c.buffers(worker, rows, c.Cout)
		c.groups(from, to, func(n, g int) {
			ld := g * c.hw()
			o := c.target(out, c.Cout, n, g, tmp)
			if c.implicit(g) {
				planes := c.shift3(c.input(worker, x, n), c.Cin, col)
				c.gemms[worker].RunRows(c.Cout, ld, rows, w, rows, planes, c.inRows, b, o, ld)
				return
			}
			a := c.lay(func(i int) []float32 { return c.input(worker, x, i) }, c.Cin, n, g, c.K == 3, col)
			c.gemms[worker].Run(false, false, c.Cout, ld, rows, w, rows, a, ld, 0, b, o, ld)
			c.unlay(o, c.Cout, n, g, out)
		})
	})
}

// Backward computes dx = ∂L/∂x, dw = ∂L/∂w and db = ∂L/∂b from dout = ∂L/∂out, image group by
// image group, so that each group's dout and (for an ELU convolution) its recomputed input are
// used for both gradients while in cache. For an ELU convolution x is the unconcatenated input.
//
// dx of a 3×3 convolution is the convolution of dout with the transposed, flipped filter — im2col
// of dout and one GEMM — which costs less than the col2im of the textbook adjoint: its im2col
// matrix has Cout rows per tap instead of Cin, and is written by copies rather than accumulated.
// dw is accumulated per worker as dwᵀ = Σ col·doutᵀ (rows × Cout): in that orientation the GEMM's
// transposed operand is dout's small Cout × H·W matrix, not the im2col matrix.
func (c *Conv) Backward(x, dout, w, dx, dw, db []float32) {
	if c.K == 3 {
		c.wt = grow(c.wt, len(w))
		flipTranspose(w, c.wt, c.Cout, c.Cin)
	}
	rows, doutRows := c.rows(), c.Cout*c.K*c.K
	c.pool.Each(c.N, func(worker, from, to int) {
		acc := grow(c.dws[worker], rows*c.Cout)
		c.dws[worker] = acc
		zero(acc)
		dbw := grow(c.dbs[worker], c.Cout)
		c.dbs[worker] = dbw
		zero(dbw)
		hw := c.hw()
		for n := from; n < to; n++ {
			for co := range dbw {
				dbw[co] += sum(dout[(n*c.Cout+co)*hw : (n*c.Cout+co+1)*hw])
			}
		}
		col, tmp := c.buffers(worker, max(rows, doutRows), c.Cout+c.Cin)
		gemm := &c.gemms[worker]
		c.groups(from, to, func(n, g int) {
			ld := g * c.hw()
			d := c.lay(c.images(dout, c.Cout), c.Cout, n, g, false, tmp)
			c.addFilterGrad(worker, x, n, g, d, col, acc)

			o := tmp[c.Cout*ld : (c.Cout+c.Cin)*ld]
			if !c.ELU {
				o = c.target(dx, c.Cin, n, g, o)
			}
			switch {
			case c.implicit(g):
				planes := c.shift3(dout[n*c.Cout*c.hw():(n+1)*c.Cout*c.hw()], c.Cout, col)
				gemm.RunRows(c.Cin, ld, doutRows, c.wt, doutRows, planes, c.outRows, nil, o, ld)
			case c.K == 3:
				a := c.lay(c.images(dout, c.Cout), c.Cout, n, g, true, col)
				gemm.Run(false, false, c.Cin, ld, doutRows, c.wt, doutRows, a, ld, 0, nil, o, ld)
			default:
				gemm.Run(true, false, c.Cin, ld, c.Cout, w, c.Cin, d, ld, 0, nil, o, ld)
			}
			if !c.ELU {
				c.unlay(o, c.Cin, n, g, dx)
				return
			}
			c.eluBackward(worker, x, o, n, g, dx)
		})
	})
	c.reduceFilterGrad(dw)
	zero(db)
	for k := 0; k < min(c.pool.Workers, c.N); k++ {
		for co, v := range c.dbs[k][:c.Cout] {
			db[co] += v
		}
	}
}

// addFilterGrad adds images [n, n+g)'s dwᵀ = col·doutᵀ to acc (rows × Cout), d being their dout
// laid side by side. With this package's kernels (AVX-512 or AVX2) it runs the dot-product kernels, which use every lane whatever
// Cout (the tiled GEMM wastes most of them for Cout < 16 and needs dout transposed), on the
// implicit im2col matrix where Conv.implicit allows.
func (c *Conv) addFilterGrad(worker int, x []float32, n, g int, d, col, acc []float32) {
	ld, rows := g*c.hw(), c.rows()
	gemm := &c.gemms[worker]
	if c.implicit(g) {
		planes := c.shift3(c.input(worker, x, n), c.Cin, col)
		gemm.AddDotRows(rows, c.Cout, ld, planes, c.inRows, d, ld, acc, c.Cout)
		return
	}
	a := c.lay(func(i int) []float32 { return c.input(worker, x, i) }, c.Cin, n, g, c.K == 3, col)
	if gemmSet == nil {
		gemm.Run(false, true, rows, c.Cout, ld, a, ld, d, ld, 1, nil, acc, c.Cout)
		return
	}
	offs := c.rowOffs[worker][:0]
	for r := 0; r < rows; r++ {
		offs = append(offs, r*ld)
	}
	c.rowOffs[worker] = offs
	gemm.AddDotRows(rows, c.Cout, ld, a, offs, d, ld, acc, c.Cout)
}

// reduceFilterGrad sums the workers' dwᵀ into dw.
func (c *Conv) reduceFilterGrad(dw []float32) {
	rows := c.rows()
	for r := 0; r < rows; r++ {
		for co, v := range c.dws[0][r*c.Cout : (r+1)*c.Cout] {
			dw[co*rows+r] = v
		}
	}
	for k := 1; k < min(c.pool.Workers, c.N); k++ {
		for r := 0; r < rows; r++ {
			for co, v := range c.dws[k][r*c.Cout : (r+1)*c.Cout] {
				dw[co*rows+r] += v
			}
		}
	}
}

// eluBackward turns the gradient with respect to the concatenated input of images [n, n+g)
// (the GEMM result o, Cin × g·H·W) into the gradient with respect to x. For one image the
// worker's ELU scratch still holds its elu(x), elu(-x); for more it is recomputed per image.
func (c *Conv) eluBackward(worker int, x, o []float32, n, g int, dx []float32) {
	hw, half := c.hw(), c.Cin/2*c.hw()
	ld := g * hw
	d := grow(c.delus[worker], c.Cin*hw)
	c.delus[worker] = d
	for j := 0; j < g; j++ {
		img, pair := o, c.elus[worker]
		if g > 1 {
			for ci := 0; ci < c.Cin; ci++ {
				copy(d[ci*hw:(ci+1)*hw], o[ci*ld+j*hw:ci*ld+(j+1)*hw])
			}
			img = d
			pair = c.input(worker, x, n+j)
		}
		eluImageGrad(dx[(n+j)*half:(n+j+1)*half], pair[:half], pair[half:], img[:half], img[half:half*2])
	}
}

// flipTranspose writes wt[ci][co][kh][kw] = w[co][ci][2-kh][2-kw] for 3×3 filters.
func flipTranspose(w, wt []float32, cout, cin int) {
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			src := w[(co*cin+ci)*9 : (co*cin+ci+1)*9]
			dst := wt[(ci*cout+co)*9 : (ci*cout+co+1)*9]
			for k := 0; k < 9; k++ {
				dst[k] = src[8-k]
			}
		}
	}
}

// implicit says whether a GEMM over g images takes its im2col matrix as views into shift3
// planes: with this package's kernels (which read B through a row table), for 3×3 filters and one
// image per GEMM. It writes a third of what im2col does.
func (c *Conv) implicit(g int) bool { return c.K == 3 && g == 1 && gemmSet != nil }

// shift3 writes, for each channel ci of the ch×H×W image x and each horizontal tap kw, the plane
// shifted by kw-1 columns (zeros shifted in) between a zero row above and below, into buf:
// plane (ci, kw) at (ci·3+kw)·(H+2)·W. im2col row (ci, kh, kw) is then the H·W floats from
// shift3Rows' offset — the vertical shift is an offset of kh rows — so nothing else is copied.
func (c *Conv) shift3(x []float32, ch int, buf []float32) []float32 {
	h, w := c.H, c.W
	hw, plane := h*w, (h+2)*w
	buf = buf[:3*ch*plane]
	for ci := 0; ci < ch; ci++ {
		src := x[ci*hw : (ci+1)*hw]
		for kw := 0; kw < 3; kw++ {
			dst := buf[(ci*3+kw)*plane : (ci*3+kw+1)*plane]
			zero(dst[:w])
			zero(dst[(h+1)*w:])
			mid := dst[w : (h+1)*w]
			switch kw {
			case 0: // reads x-1: column 0 is outside
				copy(mid[1:], src[:hw-1])
				for y := 0; y < hw; y += w {
					mid[y] = 0
				}
			case 1:
				copy(mid, src)
			case 2: // reads x+1: column w-1 is outside
				copy(mid[:hw-1], src[1:])
				for y := w - 1; y < hw; y += w {
					mid[y] = 0
				}
			}
		}
	}
	return buf
}

// shift3Rows returns the offsets of the 9·ch im2col rows in a shift3 buffer.
func shift3Rows(ch, h, w int) []int {
	rows := make([]int, 0, 9*ch)
	for ci := 0; ci < ch; ci++ {
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				rows = append(rows, (ci*3+kw)*(h+2)*w+kh*w)
			}
		}
	}
	return rows
}

// im2col lays out the 3×3 neighbourhoods of one Cin×H×W image (zero padding 1) as rows of a
// matrix with row stride ld: row ci·9+kh·3+kw holds x[ci][h+kh-1][w+kw-1] at column at+h·W+w. Each row
// is the channel's plane shifted by (kh-1)·W + (kw-1) — one copy — with the rows shifted in from
// outside and the column that wraps around between rows set to zero.
func im2col(x, col []float32, cin, h, w, ld, at int) {
	hw := h * w
	for ci := 0; ci < cin; ci++ {
		img := x[ci*hw : (ci+1)*hw]
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				r := (ci*9 + kh*3 + kw) * ld
				row := col[r+at : r+at+hw]
				off := (kh-1)*w + kw - 1
				lo := min(max(0, -off), hw)
				hi := max(lo, min(hw, hw-off)) // tiny images: a shift can leave nothing inside
				zero(row[:lo])
				if hi > lo {
					copy(row[lo:hi], img[lo+off:hi+off])
				}
				zero(row[hi:])
				switch kw {
				case 0: // reads x-1: column 0 would take the previous row's last pixel
					for y := 0; y < hw; y += w {
						row[y] = 0
					}
				case 2: // reads x+1: column w-1 would take the next row's first pixel
					for y := w - 1; y < hw; y += w {
						row[y] = 0
					}
				}
			}
		}
	}
}
