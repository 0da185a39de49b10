//go:build ignore

// sgemm_gen writes sgemm_amd64.s: AVX-512 micro-kernels that compute one MR × 16·NV tile of
// C = A·B (+ C) over the whole K. Run it with `go generate ./flow/kernel`.
//
// Each kernel reads A through two strides (element (i, k) at a + i·ars + k·aks), so it takes A
// as stored, transposed or not, with no packing; B row by row (row k at b + k·ldb, the tile's
// columns contiguous); C row by row, starting from zero or from a bias per row. The N edge is handled by the lane masks, so a tile
// narrower than 16·NV needs no copy; the M edge by kernels with fewer rows.
package main

import (
	"fmt"
	"os"
	"strings"
)

// kernels: 8×48 for C with many columns; 24×16 for C with at most 16 (a narrow tile wastes
// lanes, so it takes rows instead); and fewer rows of each for the last rows of C.
var kernels = []struct{ mr, nv int }{{8, 3}, {4, 3}, {2, 3}, {1, 3}, {24, 1}, {16, 1}, {8, 1}, {4, 1}, {2, 1}, {1, 1}}

// rowKernels are the wide kernels again with B's rows given by a table of offsets from b rather
// than a stride: the rows of an im2col matrix are shifted views of a few planes, so the
// convolution need not copy them (see Conv.shift3).
var rowKernels = []int{8, 4, 2, 1}

// rowRegs hold the A row pointers; R9 = ars and R10 = 3·ars (bytes) index them.
var rowRegs = []string{"SI", "DI", "R8", "R11", "R13"}

// rowAddress is, for each row i, the operand that addresses A(i, k): a pointer register, which
// row it points at, and an index register with scale.
type rowAddress struct {
	ptr   int // index into rowRegs
	index string
}

// cover chooses row pointers so that every row is a pointer plus 0, 1, 2, 4 or 8 times ars or
// 1, 2, 4 or 8 times 3·ars: x86 addressing reaches mr rows from few registers.
func cover(mr int) (bases []int, rows []rowAddress) {
	type reach struct {
		off   int
		index string
	}
	reaches := []reach{{0, ""}, {1, "(R9*1)"}, {2, "(R9*2)"}, {4, "(R9*4)"}, {8, "(R9*8)"},
		{3, "(R10*1)"}, {6, "(R10*2)"}, {12, "(R10*4)"}, {24, "(R10*8)"}}
	rows = make([]rowAddress, mr)
	done := make([]bool, mr)
	for {
		base := -1
		for i := range done {
			if !done[i] {
				base = i
				break
			}
		}
		if base < 0 {
			return bases, rows
		}
		p := len(bases)
		bases = append(bases, base)
		for _, r := range reaches {
			if i := base + r.off; i < mr && !done[i] {
				done[i] = true
				rows[i] = rowAddress{p, r.index}
			}
		}
	}
}

// kernel writes one micro-kernel; with rowTable, its ldb argument is instead a pointer to k row
// offsets (in elements) from b.
func kernel(w *strings.Builder, mr, nv int, rowTable bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	acc := func(i, v int) string { return fmt.Sprintf("Z%d", i*nv+v) }
	breg := func(v int) string { return fmt.Sprintf("Z%d", mr*nv+v) }
	bcast := func(i int) string { return fmt.Sprintf("Z%d", mr*nv+nv+i%2) }
	if mr*nv+nv+2 > 32 {
		panic("too many registers")
	}
	bases, rows := cover(mr)
	if len(bases) > len(rowRegs) {
		panic("too many row pointers")
	}
	name, ldb := fmt.Sprintf("sgemmKernel%dx%d", mr, 16*nv), "ldb int"
	if rowTable {
		name, ldb = fmt.Sprintf("sgemmRowsKernel%dx%d", mr, 16*nv), "rowOffs *int"
	}
	fmt.Fprintf(w, "// func %s(k int, a *float32, ars, aks int, b *float32, %s, c *float32, ldc int, bias *float32, masks uint64, accumulate int)\n", name, ldb)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-88\n", name)
	p("MOVQ k+0(FP), CX")
	p("MOVQ a+8(FP), SI")
	p("MOVQ ars+16(FP), R9")
	p("SHLQ $2, R9")
	p("LEAQ (R9)(R9*2), R10")
	p("MOVQ aks+24(FP), R12")
	p("SHLQ $2, R12")
	p("MOVQ b+32(FP), BX")
	if rowTable {
		p("MOVQ rowOffs+40(FP), DX")
	} else {
		p("MOVQ ldb+40(FP), DX")
		p("SHLQ $2, DX")
	}
	p("MOVQ masks+72(FP), AX")
	for v := 0; v < nv; v++ {
		p("KMOVW AX, K%d", v+1)
		if v < nv-1 {
			p("SHRQ $16, AX")
		}
	}
	// Row pointers: base row r is SI + r·ars.
	for j, r := range bases[1:] {
		p("MOVQ SI, %s", rowRegs[j+1])
		p("MOVQ $%d, AX", r)
		p("IMULQ R9, AX")
		p("ADDQ AX, %s", rowRegs[j+1])
	}
	// Accumulators start at zero, or at the row's bias.
	p("MOVQ bias+64(FP), AX")
	p("TESTQ AX, AX")
	p("JNE %s_bias", name)
	for i := 0; i < mr*nv; i++ {
		p("VPXORD Z%d, Z%d, Z%d", i, i, i)
	}
	p("JMP %s_start", name)
	fmt.Fprintf(w, "%s_bias:\n", name)
	for i := 0; i < mr; i++ {
		p("VBROADCASTSS %d(AX), %s", 4*i, acc(i, 0))
		for v := 1; v < nv; v++ {
			p("VMOVAPS %s, %s", acc(i, 0), acc(i, v))
		}
	}
	fmt.Fprintf(w, "%s_start:\n", name)
	p("TESTQ CX, CX")
	p("JEQ %s_store", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	bRow := "(BX)"
	if rowTable {
		p("MOVQ (DX), AX")
		bRow = "(BX)(AX*4)"
	}
	for v := 0; v < nv; v++ {
		p("VMOVUPS.Z %d%s, K%d, %s", 64*v, bRow, v+1, breg(v))
	}
	for i := 0; i < mr; i++ {
		p("VBROADCASTSS (%s)%s, %s", rowRegs[rows[i].ptr], rows[i].index, bcast(i))
		for v := 0; v < nv; v++ {
			p("VFMADD231PS %s, %s, %s", breg(v), bcast(i), acc(i, v))
		}
	}
	if rowTable {
		p("ADDQ $8, DX")
	} else {
		p("ADDQ DX, BX")
	}
	for j := range bases {
		p("ADDQ R12, %s", rowRegs[j])
	}
	p("DECQ CX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_store:\n", name)
	p("MOVQ c+48(FP), DX")
	p("MOVQ ldc+56(FP), R10")
	p("SHLQ $2, R10")
	p("MOVQ accumulate+80(FP), AX")
	p("TESTQ AX, AX")
	p("JEQ %s_plain", name)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			p("VMOVUPS.Z %d(DX), K%d, %s", 64*v, v+1, breg(v))
			p("VADDPS %s, %s, %s", breg(v), acc(i, v), acc(i, v))
			p("VMOVUPS %s, K%d, %d(DX)", acc(i, v), v+1, 64*v)
		}
		p("ADDQ R10, DX")
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintf(w, "%s_plain:\n", name)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			p("VMOVUPS %s, K%d, %d(DX)", acc(i, v), v+1, 64*v)
		}
		p("ADDQ R10, DX")
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

func main() {
	var w strings.Builder
	w.WriteString("// Code generated by sgemm_gen.go; DO NOT EDIT.\n\n#include \"textflag.h\"\n\n")
	for _, k := range kernels {
		kernel(&w, k.mr, k.nv, false)
	}
	for _, mr := range rowKernels {
		kernel(&w, mr, 3, true)
	}
	if err := os.WriteFile("sgemm_amd64.s", []byte(w.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
