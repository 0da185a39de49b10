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

// BackwardData computes dx = ∂L/∂x from dout = ∂L/∂out.
func (c *Conv) BackwardData(dout, w, dx []float32) {
	hw, rows := c.hw(), c.rows()
	c.pool.Each(c.N, func(worker, from, to int) {
		for n := from; n < to; n++ {
			d := dout[n*c.Cout*hw : (n+1)*c.Cout*hw]
			dxn := dx[n*c.Cin*hw : (n+1)*c.Cin*hw]
			if c.K == 1 {
				gemm.Sgemm(blas.Trans, blas.NoTrans, c.Cin, hw, c.Cout, 1, w, rows, d, hw, 0, dxn, hw)
				continue
			}
			c.cols[worker] = grow(c.cols[worker], rows*hw)
			dcol := c.cols[worker]
			gemm.Sgemm(blas.Trans, blas.NoTrans, rows, hw, c.Cout, 1, w, rows, d, hw, 0, dcol, hw)
			col2im(dcol, dxn, c.Cin, c.H, c.W)
		}
	})
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
// (Cin·9)×(H·W) matrix: row ci·9+kh·3+kw holds x[ci][h+kh-1][w+kw-1] at column h·W+w.
func im2col(x, col []float32, cin, h, w int) {
	hw := h * w
	for ci := 0; ci < cin; ci++ {
		img := x[ci*hw : (ci+1)*hw]
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				row := col[(ci*9+kh*3+kw)*hw : (ci*9+kh*3+kw+1)*hw]
				dh, dw := kh-1, kw-1
				lo, hi := max(0, -dw), min(w, w-dw) // columns whose source is inside the image
				for y := 0; y < h; y++ {
					dst := row[y*w : (y+1)*w]
					sy := y + dh
					if sy < 0 || sy >= h {
						zero(dst)
						continue
					}
					src := img[sy*w : (sy+1)*w]
					for x := 0; x < lo; x++ {
						dst[x] = 0
					}
					copy(dst[lo:hi], src[lo+dw:hi+dw])
					for x := hi; x < w; x++ {
						dst[x] = 0
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it sums the columns back into the image dx (overwritten).
func col2im(col, dx []float32, cin, h, w int) {
	hw := h * w
	zero(dx[:cin*hw])
	for ci := 0; ci < cin; ci++ {
		img := dx[ci*hw : (ci+1)*hw]
		for kh := 0; kh < 3; kh++ {
			for kw := 0; kw < 3; kw++ {
				row := col[(ci*9+kh*3+kw)*hw : (ci*9+kh*3+kw+1)*hw]
				dh, dw := kh-1, kw-1
				lo, hi := max(0, -dw), min(w, w-dw)
				for y := 0; y < h; y++ {
					sy := y + dh
					if sy < 0 || sy >= h {
						continue
					}
					dst := img[sy*w+lo+dw : sy*w+hi+dw]
					for i, v := range row[y*w+lo : y*w+hi] {
						dst[i] += v
					}
				}
			}
		}
	}
}
