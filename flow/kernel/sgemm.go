package kernel

import "gonum.org/v1/gonum/blas"

// Gemm computes C = A·B + beta·C (beta 0 or 1), plus a bias per row of C where one is given, for
// row-major float32 matrices, A m×k, B k×n;
// transA/transB say A or B is stored transposed (as k×m, n×k). With AVX-512, or AVX2 and FMA,
// it runs this package's kernels (see sgemm_gen.go); otherwise the BLAS the binary was built with.
//
// scratch is reused from call to call: a transposed B is copied into it as k×n, and on the BLAS
// path RunRows' B.
type Gemm struct {
	scratch []float32
	// scratchA holds AddDotRows' A on the BLAS path.
	scratchA []float32
	rows     [8]*float32 // AddDotRows' row pointers: a field, since a local would escape through the kernel's function value
	// BLAS forces the BLAS path: for benchmarks side by side, and for machines where it wins.
	BLAS bool
}

// Run computes c = op(a)·op(b) + beta·c (+ bias[i] on row i, unless bias is nil).
func (g *Gemm) Run(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, bias, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ks := gemmSet
	if ks == nil || g.BLAS || k == 0 {
		tA, tB := blas.NoTrans, blas.NoTrans
		if transA {
			tA = blas.Trans
		}
		if transB {
			tB = blas.Trans
		}
		gemm.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		if bias != nil {
			for i, v := range bias[:m] {
				row := c[i*ldc : i*ldc+n]
				for j := range row {
					row[j] += v
				}
			}
		}
		return
	}
	if beta != 0 && beta != 1 {
		panic("kernel: Gemm supports beta 0 or 1")
	}
	if transB {
		g.scratch = grow(g.scratch, k*n)
		transpose(b, ldb, n, k, g.scratch)
		b, ldb = g.scratch, n
	}
	ars, aks := lda, 1
	if transA {
		ars, aks = 1, lda
	}
	// The kernels read and write through raw pointers: the last element of each operand must be
	// inside its slice (these panic otherwise, as a Go loop would).
	_ = a[(m-1)*ars+(k-1)*aks]
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	accumulate := 0
	if beta == 1 {
		accumulate = 1
	}
	if bias != nil {
		_ = bias[m-1]
	}
	for j := 0; j < n; j += ks.panel { // column panels outside: B's panel (k × 3 vectors) stays in cache for all rows
		masks, f, v := ks.panelAt(j, n)
		tiles, tiling := ks.panels[f][v], &ks.panelTilings[f][v]
		for i := 0; i < m; {
			kern := tiles[tiling.tile(m-i)]
			kern.run(k, &a[i*ars], ars, aks, &b[j], ldb, &c[i*ldc+j], ldc, rowOf(bias, i), masks, accumulate)
			i += kern.rows
		}
	}
}

// RunRows computes c = a·B (+ bias[i] on row i, unless bias is nil) where row kk of the k × n
// matrix B is base[rowOffs[kk]:rowOffs[kk]+n]: an im2col matrix whose rows are views into a few
// shifted planes, never copied out (the BLAS path copies it).
func (g *Gemm) RunRows(m, n, k int, a []float32, lda int, base []float32, rowOffs []int, bias, c []float32, ldc int) {
	g.runRows(m, n, k, a, lda, base, newRowTable(rowOffs[:k]), bias, c, ldc)
}

// rowTable is a table of row offsets and its extent, so that a caller using it many times
// (Net) has the rows checked once per call by the extent, not row by row.
type rowTable struct {
	offs   []int
	lo, hi int // the least and greatest offset
}

func newRowTable(offs []int) rowTable {
	t := rowTable{offs: offs}
	if len(offs) > 0 {
		t.lo, t.hi = offs[0], offs[0]
		for _, off := range offs {
			t.lo, t.hi = min(t.lo, off), max(t.hi, off)
		}
	}
	return t
}

// check panics unless the first rows of the table, n floats each, lie inside base.
func (t rowTable) check(rows, n int, base []float32, what string) {
	if rows > len(t.offs) || t.lo < 0 || t.hi+n > len(base) {
		panic("kernel: " + what + " row outside its base")
	}
}

func (g *Gemm) runRows(m, n, k int, a []float32, lda int, base []float32, t rowTable, bias, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	t.check(k, n, base, "RunRows")
	rowOffs := t.offs
	ks := gemmSet
	if ks == nil || g.BLAS || k == 0 {
		g.scratch = grow(g.scratch, k*n)
		for kk, off := range rowOffs[:k] {
			copy(g.scratch[kk*n:(kk+1)*n], base[off:off+n])
		}
		g.Run(false, false, m, n, k, a, lda, g.scratch, n, 0, bias, c, ldc)
		return
	}
	_ = a[(m-1)*lda+k-1] // as in Run: the kernels do not check bounds
	_ = c[(m-1)*ldc+n-1]
	if bias != nil {
		_ = bias[m-1]
	}
	for j := 0; j < n; j += ks.panel {
		masks, f, v := ks.panelAt(j, n)
		tiles, tiling := ks.rowsPanels[f][v], &ks.rowsTilings[f][v]
		for i := 0; i < m; {
			kern := tiles[tiling.tile(m-i)]
			kern.run(k, &a[i*lda], lda, 1, &base[j], &rowOffs[0], &c[i*ldc+j], ldc, rowOf(bias, i), masks, 0)
			i += kern.rows
		}
	}
}

// AddDotRows adds c[r·ldc+j] += Σₚ A_r[p]·b[j·ldb+p] for r < m, j < n, p < k, where row r of A
// is aBase[aOffs[r]:aOffs[r]+k]: C += A·Bᵀ for a wide, short A and B — the filter gradient
// dwᵀ += im2col·doutᵀ, with the im2col rows views into shift3 planes. Without the AVX-512
// or AVX2 kernels, and for rows shorter than they take (AVX2: 8), it copies A out and runs the
// tiled product.
func (g *Gemm) AddDotRows(m, n, k int, aBase []float32, aOffs []int, b []float32, ldb int, c []float32, ldc int) {
	g.addDotRows(m, n, k, aBase, newRowTable(aOffs[:m]), b, ldb, c, ldc)
}

func (g *Gemm) addDotRows(m, n, k int, aBase []float32, t rowTable, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	t.check(m, k, aBase, "AddDotRows")
	aOffs := t.offs
	ks := gemmSet
	// A copied out, then the tiled product with B transposed: without the kernels, and for rows
	// shorter than the dot kernels take (the AVX2 ones read a row's last vector as a whole).
	if ks == nil || g.BLAS || k < ks.dotMinRow {
		g.scratchA = grow(g.scratchA, m*k)
		a := g.scratchA
		for r, off := range aOffs[:m] {
			copy(a[r*k:(r+1)*k], aBase[off:off+k])
		}
		g.Run(false, true, m, n, k, a, k, b, ldb, 1, nil, c, ldc)
		return
	}
	_ = b[(n-1)*ldb+k-1]
	_ = c[(m-1)*ldc+n-1]
	tail := uint64(1)<<uint(k%ks.lanes) - 1
	rows := &g.rows
	j := 0
	for ci, width := range []int{8, 4, 2, 1} { // B's rows by 8, then the rest (by the widths with tiles)
		if len(ks.dots[ci]) == 0 {
			continue
		}
		for ; n-j >= width; j += width {
			r := 0
			for _, kern := range ks.dots[ci] {
				for ; m-r >= kern.rows; r += kern.rows {
					for i := 0; i < kern.rows; i++ {
						rows[i] = &aBase[aOffs[r+i]]
					}
					kern.run(k, &rows[0], &b[j*ldb], ldb, &c[r*ldc+j], ldc, tail)
				}
			}
		}
	}
}

// rowsDotKernel is a micro-kernel of AddDotRows and the rows of A it takes.
type rowsDotKernel struct {
	rows int
	run  func(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)
}

// rowsKernel is a micro-kernel that reads B through a table of row offsets.
type rowsKernel struct {
	rows int
	run  func(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)
}

// Backend names the GEMM implementation the convolutions use on this processor: this package's
// AVX-512 or AVX2 kernels ("avx512+" or "avx2+" the BLAS that remains the fallback), or the BLAS
// alone.
func Backend() string {
	if gemmSet != nil {
		return gemmSet.name + "+" + BLAS
	}
	return BLAS
}

// gemmKernels is one instruction set's micro-kernels (sgemm_gen.go writes them): tiles of C over
// column panels of at most three vectors, and AddDotRows' dot-product tiles.
type gemmKernels struct {
	name  string // in Backend
	lanes int    // float32 lanes per vector
	panel int    // columns per panel
	// panels[f][v] cover a last panel of v+1 vectors (f = 1: exactly full, the kernels without
	// masks); rowsPanels the same with B's rows from a table; each from the most rows down.
	panels     [2][3][]rowKernel
	rowsPanels [2][3][]rowsKernel
	// panelTilings and rowsTilings say how the tiles of panels and rowsPanels cover m rows (plan).
	panelTilings, rowsTilings [2][3]rowTiling
	dots                      [4][]rowsDotKernel // by rows of B (8, 4, 2, 1), each from the most rows of A down, ending in a 1-row tile; a width may have none
	dotMinRow                 int                // the shortest row (k) the dot kernels take
}

// panelAt is the column panel of C that starts at column j of n: the lane masks of its width, and
// the index [f][v] of its kernels (v+1 vectors, as few as it needs; f = 1 when the last vector is
// full: the kernels without masks).
func (ks *gemmKernels) panelAt(j, n int) (masks uint64, f, v int) {
	width := min(ks.panel, n-j)
	v = (width - 1) / ks.lanes
	return laneMasks(width), b2i(width == ks.lanes*(v+1)), v
}

// gemmSet is the kernels this processor runs (nil: the BLAS alone); tests switch it.
var gemmSet = chooseGemm()

// rowKernel is a micro-kernel and the rows of C it computes.
type rowKernel struct {
	rows int
	run  func(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)
}

// rowOf is &bias[i], or nil without a bias.
func rowOf(bias []float32, i int) *float32 {
	if bias == nil {
		return nil
	}
	return &bias[i]
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// laneMasks returns the lane masks (low bits first; 16 per vector on AVX-512, 8 on AVX2) that
// select the first w columns of a panel.
func laneMasks(w int) uint64 { return 1<<uint(w) - 1 }

// transpose writes the rows × cols matrix src (row stride ld) transposed into dst (cols × rows).
// A few rows (the filter gradient's Cout) are read as parallel streams and dst is written in
// order; more go by blocks that keep both sides in cache.
func transpose(src []float32, ld, rows, cols int, dst []float32) {
	if rows <= 16 { // four rows at a time, dst written in order
		r := 0
		for ; r+4 <= rows; r += 4 {
			s0 := src[r*ld : r*ld+cols]
			s1 := src[(r+1)*ld:][:len(s0)]
			s2 := src[(r+2)*ld:][:len(s0)]
			s3 := src[(r+3)*ld:][:len(s0)]
			for cc, v := range s0 {
				o := dst[cc*rows+r:][:4]
				o[0], o[1], o[2], o[3] = v, s1[cc], s2[cc], s3[cc]
			}
		}
		for ; r < rows; r++ {
			for cc, v := range src[r*ld : r*ld+cols] {
				dst[cc*rows+r] = v
			}
		}
		return
	}
	const block = 16
	for r0 := 0; r0 < rows; r0 += block {
		for c0 := 0; c0 < cols; c0 += block {
			for r := r0; r < min(r0+block, rows); r++ {
				row := src[r*ld : r*ld+cols]
				for cc := c0; cc < min(c0+block, cols); cc++ {
					dst[cc*rows+r] = row[cc]
				}
			}
		}
	}
}
