package kernel

import "gonum.org/v1/gonum/blas"

// Conv is a stride-1 convolution with "same" padding (K = 1 or 3) and bias on NCHW batches. Its
// scratch buffers (one im2col matrix and one filter-gradient accumulator per worker) live as long
// as the Conv, so steps after the first allocate nothing.
type Conv struct {
	N, Cin, Cout, H, W, K int
	pool                  *Pool
	cols                  [][]float32
	dws                   [][]float32
	wt                    []float32 // the flipped, transposed filter of BackwardData
}

// NewConv prepares a convolution of the given shape.
func NewConv(pool *Pool, n, cin, cout, h, w, k int) *Conv {
	c := &Conv{N: n, Cin: cin, Cout: cout, H: h, W: w, K: k, pool: pool}
	c.cols = make([][]float32, pool.Workers)
	c.dws = make([][]float32, pool.Workers)
	return c
}

func (c *Conv) hw() int   { return c.H * c.W }
func (c *Conv) rows() int { return c.Cin * c.K * c.K } // rows of the im2col matrix

// col returns worker's im2col matrix of image x (one image, Cin×H×W); for K = 1 it is x itself.
func (c *Conv) col(worker int, x []float32) []float32 {
	if c.K == 1 {
		return x
	}
	c.cols[worker] = grow(c.cols[worker], c.rows()*c.hw())
	im2col(x, c.cols[worker], c.Cin, c.H, c.W)
	return c.cols[worker]
}

// Forward computes out = w ⊛ x + b. x: N×Cin×H×W, w: Cout×Cin×K×K, b: Cout, out: N×Cout×H×W.
func (c *Conv) Forward(x, w, b, out []float32) {
	hw, rows := c.hw(), c.rows()
	c.pool.Each(c.N, func(worker, from, to int) {
		for n := from; n < to; n++ {
			o := out[n*c.Cout*hw : (n+1)*c.Cout*hw]
			for co := 0; co < c.Cout; co++ {
				row := o[co*hw : (co+1)*hw]
				for i := range row {
					row[i] = b[co]
				}
			}
			col := c.col(worker, x[n*c.Cin*hw:(n+1)*c.Cin*hw])
			gemm.Sgemm(blas.NoTrans, blas.NoTrans, c.Cout, hw, rows, 1, w, rows, col, hw, 1, o, hw)
		}
	})
}

// BackwardData computes dx = ∂L/∂x from dout = ∂L/∂out. For K = 3 it is the convolution of dout
// with the transposed, flipped filter — im2col of dout and one GEMM — which costs less than the
// col2im of the textbook adjoint: its im2col matrix has Cout rows per tap instead of Cin, and is
// written by copies rather than accumulated.
func (c *Conv) BackwardData(dout, w, dx []float32) {
	hw := c.hw()
	if c.K == 3 {
		c.wt = grow(c.wt, len(w))
		flipTranspose(w, c.wt, c.Cout, c.Cin)
	}
	c.pool.Each(c.N, func(worker, from, to int) {
		for n := from; n < to; n++ {
			d := dout[n*c.Cout*hw : (n+1)*c.Cout*hw]
			dxn := dx[n*c.Cin*hw : (n+1)*c.Cin*hw]
			if c.K == 1 {
				gemm.Sgemm(blas.Trans, blas.NoTrans, c.Cin, hw, c.Cout, 1, w, c.Cin, d, hw, 0, dxn, hw)
				continue
			}
			rows := c.Cout * 9
			c.cols[worker] = grow(c.cols[worker], rows*hw)
			col := c.cols[worker]
			im2col(d, col, c.Cout, c.H, c.W)
			gemm.Sgemm(blas.NoTrans, blas.NoTrans, c.Cin, hw, rows, 1, c.wt, rows, col, hw, 0, dxn, hw)
		}
	})
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

// BackwardFilter computes dw = ∂L/∂w and db = ∂L/∂b from x and dout.
func (c *Conv) BackwardFilter(x, dout, dw, db []float32) {
	hw, rows := c.hw(), c.rows()
	size := c.Cout * rows
	c.pool.Each(c.N, func(worker, from, to int) {
		acc := grow(c.dws[worker], size)
		c.dws[worker] = acc
		zero(acc)
		for n := from; n < to; n++ {
			col := c.col(worker, x[n*c.Cin*hw:(n+1)*c.Cin*hw])
			d := dout[n*c.Cout*hw : (n+1)*c.Cout*hw]
			gemm.Sgemm(blas.NoTrans, blas.Trans, c.Cout, rows, hw, 1, d, hw, col, hw, 1, acc, rows)
		}
	})
	workers := min(c.pool.Workers, c.N)
	copy(dw, c.dws[0][:size])
	for k := 1; k < workers; k++ {
		for i, v := range c.dws[k][:size] {
			dw[i] += v
		}
	}
	zero(db)
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			var s float32
			for _, v := range dout[(n*c.Cout+co)*hw : (n*c.Cout+co+1)*hw] {
				s += v
			}
			db[co] += s
		}
	}
}

// im2col lays out the 3×3 neighbourhoods of one Cin×H×W image (zero padding 1) as a
// (Cin·9)×(H·W) matrix: row ci·9+kh·3+kw holds x[ci][h+kh-1][w+kw-1] at column h·W+w. Each row
// is the channel's plane shifted by (kh-1)·W + (kw-1) — one copy — with the rows shifted in from
// outside and the column that wraps around between rows set to zero.
func im2col(x, col []float32, cin, h, w int) {
	hw := h * w
	for ci := 0; ci < cin; ci++ {
		img := x[ci*hw : (ci+1)*hw]
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				row := col[(ci*9+kh*3+kw)*hw : (ci*9+kh*3+kw+1)*hw]
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
