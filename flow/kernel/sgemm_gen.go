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
	"go/format"
	"os"
	"regexp"
	"strings"
)

// kernels: 8×48 for C with many columns; 8×32 and 24×16 for a last column panel of at most 32
// or 16 (and for C with at most 16: a narrow tile wastes lanes, so it takes rows instead); and
// fewer rows of each for the last rows of C.
var kernels = []struct{ mr, nv int }{{8, 3}, {4, 3}, {2, 3}, {1, 3}, {8, 2}, {4, 2}, {2, 2}, {1, 2},
	{24, 1}, {16, 1}, {8, 1}, {4, 1}, {2, 1}, {1, 1}}

// rowKernels are the same tiles with B's rows given by a table of offsets from b rather than a
// stride: the rows of an im2col matrix are shifted views of a few planes, so the convolution
// need not copy them (see Conv.shift3 and Net).
var rowKernels = kernels

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

// vecISA is what a micro-kernel's text depends on: the vector registers and their width, and
// how a panel's last, partial vectors are masked.
type vecISA struct {
	reg    string // register prefix: Z or Y
	bytes  int    // vector width in bytes
	regs   int    // vector registers
	suffix string // appended to the kernel names
	bcasts int    // broadcast registers, used in turn
}

var (
	avx512ISA = vecISA{reg: "Z", bytes: 64, regs: 32, bcasts: 2}
	avx2ISA   = vecISA{reg: "Y", bytes: 32, regs: 16, suffix: "AVX2", bcasts: 1}
)

func (v vecISA) lanes() int { return v.bytes / 4 }

// kernel writes one micro-kernel; with rowTable, its ldb argument is instead a pointer to k row
// offsets (in elements) from b. A full kernel (name suffix F) ignores the masks: it serves
// panels of exactly nv vectors with plain loads and stores, which are faster than masked
// ones where they cross cache lines (B's shifted rows do, almost always). The masks are K
// registers on AVX-512 and vectors for VMASKMOVPS on AVX2 (which then hold registers of their own).
func kernel(w *strings.Builder, isa vecISA, mr, nv int, rowTable, full bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	vr := func(i int) string { return fmt.Sprintf("%s%d", isa.reg, i) }
	acc := func(i, v int) string { return vr(i*nv + v) }
	breg := func(v int) string { return vr(mr*nv + v) }
	bcast := func(i int) string { return vr(mr*nv + nv + i%isa.bcasts) }
	avx2 := isa.reg == "Y"
	maskVec := func(v int) string { return vr(mr*nv + nv + isa.bcasts + v) }
	regs := mr*nv + nv + isa.bcasts
	if avx2 && !full {
		regs += nv
	}
	if regs > isa.regs {
		panic("too many registers")
	}
	bases, rows := cover(mr)
	if len(bases) > len(rowRegs) {
		panic("too many row pointers")
	}
	cols := isa.lanes() * nv
	name, ldb := fmt.Sprintf("sgemmKernel%dx%d%s", mr, cols, isa.suffix), "ldb int"
	if rowTable {
		name, ldb = fmt.Sprintf("sgemmRowsKernel%dx%d%s", mr, cols, isa.suffix), "rowOffs *int"
	}
	if full {
		name += "F"
	}
	load := func(v int, src string) string { // a masked-zeroing load of vector v, or a plain one
		switch {
		case full:
			return fmt.Sprintf("VMOVUPS %s", src)
		case avx2:
			return fmt.Sprintf("VMASKMOVPS %s, %s", src, maskVec(v))
		}
		return fmt.Sprintf("VMOVUPS.Z %s, K%d", src, v+1)
	}
	store := func(i, v int, dst string) {
		switch {
		case full:
			p("VMOVUPS %s, %s", acc(i, v), dst)
		case avx2:
			p("VMASKMOVPS %s, %s, %s", acc(i, v), maskVec(v), dst)
		default:
			p("VMOVUPS %s, K%d, %s", acc(i, v), v+1, dst)
		}
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
	switch {
	case avx2 && !full:
		p("MOVQ masks+72(FP), AX")
		avx2Masks(p, mr*nv+nv+isa.bcasts, nv)
	case !avx2:
		p("MOVQ masks+72(FP), AX")
		for v := 0; v < nv; v++ {
			p("KMOVW AX, K%d", v+1)
			if v < nv-1 {
				p("SHRQ $16, AX")
			}
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
		if avx2 {
			p("VXORPS %s, %s, %s", vr(i), vr(i), vr(i))
		} else {
			p("VPXORD %s, %s, %s", vr(i), vr(i), vr(i))
		}
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
		p("%s, %s", load(v, fmt.Sprintf("%d%s", isa.bytes*v, bRow)), breg(v))
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
			p("%s, %s", load(v, fmt.Sprintf("%d(DX)", isa.bytes*v)), breg(v))
			p("VADDPS %s, %s, %s", breg(v), acc(i, v), acc(i, v))
			store(i, v, fmt.Sprintf("%d(DX)", isa.bytes*v))
		}
		p("ADDQ R10, DX")
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintf(w, "%s_plain:\n", name)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			store(i, v, fmt.Sprintf("%d(DX)", isa.bytes*v))
		}
		p("ADDQ R10, DX")
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// dotKernels compute C += A·Bᵀ tiles for short, wide operands (the filter gradient: A = im2col
// rows, B = dout rows, both H·W long): R rows of A by up to C rows of B, sixteen products at a
// time along the rows, then each of the R·C accumulators reduced to its sum.
var dotKernels = []struct{ r, c int }{{3, 8}, {3, 4}, {3, 2}, {3, 1}, {1, 8}, {1, 4}, {1, 2}, {1, 1}}

// dotKernel writes a kernel with signature
//
//	func sgemmDotKernelRxC(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)
//
// a points to R row pointers of A; B's rows are b + j·ldb; C's row r gets C sums added at
// c + r·ldc. n is the row length: n/16 full vectors, then the lanes of tail.
func dotKernel(w *strings.Builder, rr, cc int) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	acc := func(r, j int) string { return fmt.Sprintf("Z%d", r*8+j) }
	aRegs := []string{"SI", "DI", "R8"}
	bases, rows := cover(cc)
	bRegs := []string{"R11", "R13"}
	name := fmt.Sprintf("sgemmDotKernel%dx%d", rr, cc)
	fmt.Fprintf(w, "// func %s(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ n+0(FP), CX")
	p("SHRQ $4, CX")
	p("MOVQ a+8(FP), AX")
	for r := 0; r < rr; r++ {
		p("MOVQ %d(AX), %s", 8*r, aRegs[r])
	}
	p("MOVQ ldb+24(FP), R9")
	p("SHLQ $2, R9")
	p("LEAQ (R9)(R9*2), R10")
	p("MOVQ b+16(FP), %s", bRegs[0])
	for j, base := range bases[1:] {
		p("MOVQ %s, %s", bRegs[0], bRegs[j+1])
		p("MOVQ $%d, AX", base)
		p("IMULQ R9, AX")
		p("ADDQ AX, %s", bRegs[j+1])
	}
	for i := 0; i < rr*8; i++ {
		p("VPXORD Z%d, Z%d, Z%d", i, i, i)
	}
	body := func(masked bool) {
		load, mask := "VMOVUPS", ""
		if masked {
			load, mask = "VMOVUPS.Z", " K1,"
		}
		for r := 0; r < rr; r++ {
			p("%s (%s),%s Z%d", load, aRegs[r], mask, 24+r)
		}
		for j := 0; j < cc; j++ {
			p("%s (%s)%s,%s Z27", load, bRegs[rows[j].ptr], rows[j].index, mask)
			for r := 0; r < rr; r++ {
				p("VFMADD231PS Z27, Z%d, %s", 24+r, acc(r, j))
			}
		}
	}
	p("TESTQ CX, CX")
	p("JEQ %s_tail", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	body(false)
	for r := 0; r < rr; r++ {
		p("ADDQ $64, %s", aRegs[r])
	}
	for j := range bases {
		p("ADDQ $64, %s", bRegs[j])
	}
	p("DECQ CX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_tail:\n", name)
	p("MOVQ tail+48(FP), AX")
	p("TESTQ AX, AX")
	p("JEQ %s_reduce", name)
	p("KMOVW AX, K1")
	body(true)
	fmt.Fprintf(w, "%s_reduce:\n", name)
	p("MOVQ c+32(FP), DX")
	p("MOVQ ldc+40(FP), R12")
	p("SHLQ $2, R12")
	p("MOVQ $%d, AX", 1<<cc-1)
	p("KMOVW AX, K2")
	p("VMOVUPS sgemmDotPerm<>(SB), Z31")
	for r := 0; r < rr; r++ {
		reduce8(p, r*8)
		p("VPERMPS Z%d, Z31, Z24", r*8)
		p("VMOVUPS.Z (DX), K2, Y25")
		p("VADDPS Y25, Y24, Y24")
		p("VMOVUPS Y24, K2, (DX)")
		p("ADDQ R12, DX")
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// reduce8 leaves the sums of the eight accumulators Z(a)..Z(a+7) in Z(a), lanes 4q and 4q+2 of
// 128-bit lane q holding the sums of accumulators q and q+4 (sgemmDotPerm puts them in order).
func reduce8(p func(string, ...any), a int) {
	z := func(i int) string { return fmt.Sprintf("Z%d", a+i) }
	// Halve: accumulator pairs (i, i+1) into one register, lanes 0-7 and 8-15.
	for i := 0; i < 8; i += 2 {
		p("VSHUFF32X4 $0x44, %s, %s, Z28", z(i+1), z(i))
		p("VSHUFF32X4 $0xEE, %s, %s, Z29", z(i+1), z(i))
		p("VADDPS Z29, Z28, %s", z(i))
	}
	// Quarter: 128-bit lane q of the result holds four partial sums of accumulator q (or q+4).
	for _, i := range []int{0, 4} {
		p("VSHUFF32X4 $0x88, %s, %s, Z28", z(i+2), z(i))
		p("VSHUFF32X4 $0xDD, %s, %s, Z29", z(i+2), z(i))
		p("VADDPS Z29, Z28, %s", z(i))
	}
	// Within each 128-bit lane: [q: 0+1, q: 2+3, q+4: 0+1, q+4: 2+3], then the pairs' totals.
	p("VSHUFPS $0x88, %s, %s, Z28", z(4), z(0))
	p("VSHUFPS $0xDD, %s, %s, Z29", z(4), z(0))
	p("VADDPS Z29, Z28, %s", z(0))
	p("VSHUFPS $0xB1, %s, %s, Z28", z(0), z(0))
	p("VADDPS Z28, %s, %s", z(0), z(0))
}

// tallDotKernels are dot kernels for B with few rows (a filter gradient of 2 or 4 output
// channels, where a 3-row kernel has too few accumulators and reloads B for every 3 rows of A):
// R rows of A by C rows of B, R·C ≤ 24 accumulators held compactly.
var tallDotKernels = []struct{ r, c int }{{8, 2}, {6, 4}}

// tallDotKernel writes such a kernel, with dotKernel's signature. Each row pointer of A and of B
// is a register, advanced together through one offset (BX); the sums are reduced eight
// accumulators at a time (reduce8) and added to C through a spill on the stack.
func tallDotKernel(w *strings.Builder, rr, cc int) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	nacc := rr * cc
	if nacc%8 != 0 || nacc > 24 {
		panic("tall dot kernel: accumulators must be 8, 16 or 24")
	}
	aRegs := []string{"AX", "DX", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13", "R15", "BP"}[:rr]
	bRegs := []string{"R13", "R12", "R11", "R10"}[:cc] // from the end, so they never meet aRegs
	for _, a := range aRegs {
		for _, b := range bRegs {
			if a == b {
				panic("tall dot kernel: too many row registers")
			}
		}
	}
	name := fmt.Sprintf("sgemmDotKernel%dx%d", rr, cc)
	fmt.Fprintf(w, "// func %s(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $32-56\n", name)
	p("MOVQ b+16(FP), %s", bRegs[0])
	p("MOVQ ldb+24(FP), CX")
	p("SHLQ $2, CX")
	for j := 1; j < cc; j++ {
		p("LEAQ (%s)(CX*1), %s", bRegs[j-1], bRegs[j])
	}
	p("MOVQ a+8(FP), CX")
	for r := len(aRegs) - 1; r >= 0; r-- { // CX last: it holds the table until then
		p("MOVQ %d(CX), %s", 8*r, aRegs[r])
	}
	p("MOVQ n+0(FP), CX")
	p("SHRQ $4, CX")
	for i := 0; i < nacc; i++ {
		p("VPXORD Z%d, Z%d, Z%d", i, i, i)
	}
	p("XORQ BX, BX")
	body := func(masked bool) {
		load, mask := "VMOVUPS", ""
		if masked {
			load, mask = "VMOVUPS.Z", " K1,"
		}
		for j := 0; j < cc; j++ {
			p("%s (%s)(BX*1),%s Z%d", load, bRegs[j], mask, 24+j)
		}
		for r := 0; r < rr; r++ {
			p("%s (%s)(BX*1),%s Z28", load, aRegs[r], mask)
			for j := 0; j < cc; j++ {
				p("VFMADD231PS Z%d, Z28, Z%d", 24+j, r*cc+j)
			}
		}
	}
	p("TESTQ CX, CX")
	p("JEQ %s_tail", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	body(false)
	p("ADDQ $64, BX")
	p("DECQ CX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_tail:\n", name)
	p("MOVQ tail+48(FP), CX")
	p("TESTQ CX, CX")
	p("JEQ %s_reduce", name)
	p("KMOVW CX, K1")
	body(true)
	fmt.Fprintf(w, "%s_reduce:\n", name)
	p("MOVQ c+32(FP), DX")
	p("MOVQ ldc+40(FP), CX")
	p("SHLQ $2, CX")
	p("VMOVUPS sgemmDotPerm<>(SB), Z31")
	for q := 0; q < nacc/8; q++ {
		reduce8(p, 8*q)
		p("VPERMPS Z%d, Z31, Z24", 8*q)
		p("VMOVUPS Y24, sums-32(SP)")
		for i := 0; i < 8; i++ {
			idx := 8*q + i
			r, j := idx/cc, idx%cc
			if j == 0 && idx > 0 {
				p("ADDQ CX, DX") // the next row of C
			}
			p("VMOVSS sums-%d(SP), X25", 32-4*i)
			p("VADDSS %d(DX), X25, X25", 4*j)
			p("VMOVSS X25, %d(DX)", 4*j)
			_ = r
		}
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// The AVX2 kernels (sgemm_avx2_amd64.s) are the same tiles for processors without AVX-512 (AMD
// before Zen 4, Intel client cores): 8 lanes and 16 registers, so tiles of at most 12
// accumulators, and the lane masks turned into vectors for VMASKMOVPS. A masked kernel holds its
// masks in registers, so it has fewer rows than the full one.
var avx2Kernels = map[bool][]struct{ mr, nv int }{
	false: {{4, 2}, {2, 2}, {1, 2}, {11, 1}, {8, 1}, {4, 1}, {2, 1}, {1, 1}},
	true:  {{6, 2}, {4, 2}, {2, 2}, {1, 2}, {12, 1}, {8, 1}, {4, 1}, {2, 1}, {1, 1}},
}

// avx2Masks writes the vector masks of nv vectors into Y(first)… from the lane bits in AX (8 per
// vector, low first): lane l is all ones where bit l is set.
func avx2Masks(p func(string, ...any), first, nv int) {
	for v := 0; v < nv; v++ {
		m := fmt.Sprintf("Y%d", first+v)
		p("VMOVQ AX, X%d", first+v)
		p("VPBROADCASTD X%d, %s", first+v, m)
		p("VPAND sgemmLaneBits<>(SB), %s, %s", m, m)
		p("VPCMPEQD sgemmLaneBits<>(SB), %s, %s", m, m)
		if v < nv-1 {
			p("SHRQ $8, AX")
		}
	}
}

// avx2DotKernels are AddDotRows' tiles with ymm registers: R rows of A by C rows of B, R·C ≤ 12
// accumulators, for B's rows by 4, 2 and 1 (none by 8). The 2×4 and 4×2 tiles hold both operands
// in registers, 6 loads per 8 FMAs: on the Net's 28×28 filter gradients 1.3-1.6× the rate of 1×8
// and 3×4, whose FMAs read one operand from memory (9 or 15 loads per 8 or 12 FMAs).
var avx2DotKernels = []struct{ r, c int }{{2, 4}, {1, 4}, {4, 2}, {3, 2}, {1, 2}, {8, 1}, {3, 1}, {1, 1}}

// dotKernelAVX2 writes such a kernel, with dotKernel's signature (tail: the lanes of the last
// n mod 8; n ≥ 8 where tail is not 0). Every row pointer of A and B is a register, advanced together through one offset
// (BX); where both operands' rows fit in registers beside the accumulators each is loaded once,
// otherwise the operand with fewer rows is loaded into a register and the other read by the FMAs.
func dotKernelAVX2(w *strings.Builder, rr, cc int) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	if rr*cc > 12 {
		panic("dot kernel: too many accumulators")
	}
	aRegs := []string{"AX", "DX", "SI", "DI", "R8", "R9", "R10", "R11"}[:rr]
	bRegs := []string{"R13", "R12", "R11", "R10", "R9", "R8", "DI", "SI"}[:cc]
	for _, a := range aRegs {
		for _, b := range bRegs {
			if a == b {
				panic("dot kernel: too many row registers")
			}
		}
	}
	acc := func(r, j int) int { return r*cc + j }
	name := fmt.Sprintf("sgemmDotKernel%dx%dAVX2", rr, cc)
	fmt.Fprintf(w, "// func %s(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ b+16(FP), %s", bRegs[0])
	p("MOVQ ldb+24(FP), CX")
	p("SHLQ $2, CX")
	for j := 1; j < cc; j++ {
		p("LEAQ (%s)(CX*1), %s", bRegs[j-1], bRegs[j])
	}
	p("MOVQ a+8(FP), CX")
	for r := len(aRegs) - 1; r >= 0; r-- {
		p("MOVQ %d(CX), %s", 8*r, aRegs[r])
	}
	p("MOVQ n+0(FP), CX")
	p("SHRQ $3, CX")
	for i := 0; i < rr*cc; i++ {
		p("VXORPS Y%d, Y%d, Y%d", i, i, i)
	}
	p("XORQ BX, BX")
	body := func(masked bool) {
		at := func(reg string) string { return fmt.Sprintf("(%s)(BX*1)", reg) }
		if masked { // the last 8 floats of each row, B's lanes already summed (Y13) cleared
			for j := 0; j < cc; j++ {
				p("VMOVUPS %s, Y15", at(bRegs[j]))
				p("VANDNPS Y15, Y13, Y15")
				for r := 0; r < rr; r++ {
					p("VFMADD231PS %s, Y15, Y%d", at(aRegs[r]), acc(r, j))
				}
			}
			return
		}
		if rr > 1 && cc > 1 && rr*cc+rr+cc <= 16 { // both operands fit in registers: each loaded once
			for j := 0; j < cc; j++ {
				p("VMOVUPS %s, Y%d", at(bRegs[j]), rr*cc+rr+j)
			}
			for r := 0; r < rr; r++ {
				p("VMOVUPS %s, Y%d", at(aRegs[r]), rr*cc+r)
				for j := 0; j < cc; j++ {
					p("VFMADD231PS Y%d, Y%d, Y%d", rr*cc+rr+j, rr*cc+r, acc(r, j))
				}
			}
			return
		}
		if rr < cc {
			for r := 0; r < rr; r++ {
				p("VMOVUPS %s, Y15", at(aRegs[r]))
				for j := 0; j < cc; j++ {
					p("VFMADD231PS %s, Y15, Y%d", at(bRegs[j]), acc(r, j))
				}
			}
			return
		}
		for j := 0; j < cc; j++ {
			p("VMOVUPS %s, Y15", at(bRegs[j]))
			for r := 0; r < rr; r++ {
				p("VFMADD231PS %s, Y15, Y%d", at(aRegs[r]), acc(r, j))
			}
		}
	}
	p("TESTQ CX, CX")
	p("JEQ %s_tail", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	body(false)
	p("ADDQ $32, BX")
	p("DECQ CX")
	p("JNE %s_loop", name)
	fmt.Fprintf(w, "%s_tail:\n", name)
	// The tail's t = n mod 8 floats: rather than masked loads (VMASKMOVPS, slow on AMD processors
	// and reading past the rows), the 8 floats that end each row, BX back by s = 8 - t floats,
	// with B's first s lanes (summed already) cleared: n ≥ 8 is the caller's to ensure.
	p("MOVQ tail+48(FP), CX")
	p("TESTQ CX, CX")
	p("JEQ %s_reduce", name)
	p("POPCNTQ CX, CX")
	p("NEGQ CX")
	p("ADDQ $8, CX")
	p("VMOVQ CX, X13")
	p("VPBROADCASTD X13, Y13")
	p("VPCMPGTD sgemmLaneIndex<>(SB), Y13, Y13") // lanes below s
	p("SHLQ $2, CX")
	p("SUBQ CX, BX")
	body(true)
	fmt.Fprintf(w, "%s_reduce:\n", name)
	p("MOVQ c+32(FP), DX")
	p("MOVQ ldc+40(FP), CX")
	p("SHLQ $2, CX")
	for r := 0; r < rr; r++ {
		if r > 0 {
			p("ADDQ CX, DX")
		}
		reduceRowAVX2(p, func(j int) int { return acc(r, j) }, cc)
	}
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// reduceRowAVX2 adds the lane sums of the accumulators acc(0..cc-1) of one row of a dot tile to
// the cc floats at (DX), reducing them together: horizontal adds pair the accumulators, so that
// four sums come out in one xmm register in order (cc 8 or 4), or two (cc 2); the accumulators'
// registers are the scratch.
func reduceRowAVX2(p func(string, ...any), acc func(int) int, cc int) {
	switch cc {
	case 8, 4:
		for q := 0; q < cc; q += 4 {
			a0, a1, a2, a3 := acc(q), acc(q+1), acc(q+2), acc(q+3)
			p("VHADDPS Y%d, Y%d, Y%d", a1, a0, a0) // per half: a0 pairs, a1 pairs
			p("VHADDPS Y%d, Y%d, Y%d", a3, a2, a2)
			p("VHADDPS Y%d, Y%d, Y%d", a2, a0, a0) // per half: the four sums of that half
			p("VEXTRACTF128 $1, Y%d, X%d", a0, a1)
			p("VADDPS X%d, X%d, X%d", a1, a0, a0)
			p("VADDPS %d(DX), X%d, X%d", 4*q, a0, a0)
			p("VMOVUPS X%d, %d(DX)", a0, 4*q)
		}
	case 2:
		a0, a1 := acc(0), acc(1)
		p("VHADDPS Y%d, Y%d, Y%d", a1, a0, a0)
		p("VEXTRACTF128 $1, Y%d, X%d", a0, a1)
		p("VADDPS X%d, X%d, X%d", a1, a0, a0)
		p("VHADDPS X%d, X%d, X%d", a0, a0, a0) // the two sums, twice
		p("VMOVQ (DX), X%d", a1)
		p("VADDPS X%d, X%d, X%d", a1, a0, a0)
		p("VMOVQ X%d, (DX)", a0)
	default:
		for j := 0; j < cc; j++ {
			a := acc(j)
			p("VEXTRACTF128 $1, Y%d, X14", a)
			p("VADDPS X14, X%d, X%d", a, a)
			p("VHADDPS X%d, X%d, X%d", a, a, a)
			p("VHADDPS X%d, X%d, X%d", a, a, a)
			p("VADDSS %d(DX), X%d, X%d", 4*j, a, a)
			p("VMOVSS X%d, %d(DX)", a, 4*j)
		}
	}
}

// noLegacySSE refuses assembly with a legacy SSE instruction on a vector register (MOVQ AX, X1
// rather than VMOVQ): between VEX instructions with the upper halves in use one costs hundreds of
// cycles on AMD processors (measured: 150 ns per dot-kernel call with a tail).
func noLegacySSE(asm string) error {
	vectorReg := regexp.MustCompile(`\b[XYZ]\d+\b`)
	for _, l := range strings.Split(asm, "\n") {
		code := strings.SplitN(l, "//", 2)[0]
		f := strings.Fields(code)
		if len(f) > 0 && !strings.HasPrefix(f[0], "V") && !strings.HasPrefix(f[0], "#") && vectorReg.MatchString(code) {
			return fmt.Errorf("legacy SSE instruction in AVX code: %q", strings.TrimSpace(l))
		}
	}
	return nil
}

// writeAVX2 writes sgemm_avx2_amd64.s.
func writeAVX2() error {
	var w strings.Builder
	w.WriteString("// Code generated by sgemm_gen.go; DO NOT EDIT.\n\n#include \"textflag.h\"\n\n")
	w.WriteString("// sgemmLaneBits holds bit l in lane l: a lane mask's bits broadcast, ANDed and compared with it give the vector mask.\n")
	for l := 0; l < 8; l++ {
		fmt.Fprintf(&w, "DATA sgemmLaneBits<>+%d(SB)/4, $%d\n", 4*l, 1<<l)
	}
	w.WriteString("GLOBL sgemmLaneBits<>(SB), RODATA, $32\n\n")
	w.WriteString("// sgemmLaneIndex holds l in lane l.\n")
	for l := 0; l < 8; l++ {
		fmt.Fprintf(&w, "DATA sgemmLaneIndex<>+%d(SB)/4, $%d\n", 4*l, l)
	}
	w.WriteString("GLOBL sgemmLaneIndex<>(SB), RODATA, $32\n\n")
	for _, full := range []bool{false, true} {
		for _, rowTable := range []bool{false, true} {
			for _, k := range avx2Kernels[full] {
				kernel(&w, avx2ISA, k.mr, k.nv, rowTable, full)
			}
		}
	}
	for _, k := range avx2DotKernels {
		dotKernelAVX2(&w, k.r, k.c)
	}
	if err := noLegacySSE(w.String()); err != nil {
		return err
	}
	if err := os.WriteFile("sgemm_avx2_amd64.s", []byte(w.String()), 0o644); err != nil {
		return err
	}
	src, err := format.Source([]byte(avx2Decls()))
	if err != nil {
		return err
	}
	return os.WriteFile("sgemm_avx2_amd64.go", src, 0o644)
}

// avx2Decls is the Go side of sgemm_avx2_amd64.s: the declarations and the kernel set.
func avx2Decls() string {
	var w strings.Builder
	w.WriteString("// Code generated by sgemm_gen.go; DO NOT EDIT.\n\npackage kernel\n\n")
	const tileArgs = "(k int, a *float32, ars, aks int, b *float32, %s, c *float32, ldc int, bias *float32, masks uint64, accumulate int)"
	suffix := map[bool]string{false: "", true: "F"}
	for _, full := range []bool{false, true} {
		for _, k := range avx2Kernels[full] {
			fmt.Fprintf(&w, "//go:noescape\nfunc sgemmKernel%dx%dAVX2%s"+tileArgs+"\n\n", k.mr, 8*k.nv, suffix[full], "ldb int")
			fmt.Fprintf(&w, "//go:noescape\nfunc sgemmRowsKernel%dx%dAVX2%s"+tileArgs+"\n\n", k.mr, 8*k.nv, suffix[full], "rowOffs *int")
		}
	}
	for _, k := range avx2DotKernels {
		fmt.Fprintf(&w, "//go:noescape\nfunc sgemmDotKernel%dx%dAVX2(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)\n\n", k.r, k.c)
	}
	w.WriteString("// avx2Gemm: panels of 16 columns (two vectors of 8), each kernel list from the most rows down.\n")
	w.WriteString("var avx2Gemm = &gemmKernels{\n\tname: \"avx2\", lanes: 8, panel: 16,\n")
	for _, kind := range []struct{ field, typ, prefix string }{{"panels", "rowKernel", "sgemmKernel"}, {"rowsPanels", "rowsKernel", "sgemmRowsKernel"}} {
		fmt.Fprintf(&w, "\t%s: [2][3][]%s{", kind.field, kind.typ)
		for _, full := range []bool{false, true} {
			w.WriteString("{")
			for nv := 1; nv <= 2; nv++ {
				w.WriteString("{")
				for _, k := range avx2Kernels[full] {
					if k.nv == nv {
						fmt.Fprintf(&w, "{%d, %s%dx%dAVX2%s}, ", k.mr, kind.prefix, k.mr, 8*nv, suffix[full])
					}
				}
				w.WriteString("}, ")
			}
			w.WriteString("}, ")
		}
		w.WriteString("},\n")
	}
	w.WriteString("\tdotMinRow: 8,\n")
	w.WriteString("\tdots: [4][]rowsDotKernel{")
	for _, c := range []int{8, 4, 2, 1} {
		w.WriteString("{")
		for _, k := range avx2DotKernels {
			if k.c == c {
				fmt.Fprintf(&w, "{%d, sgemmDotKernel%dx%dAVX2}, ", k.r, k.r, k.c)
			}
		}
		w.WriteString("}, ")
	}
	w.WriteString("},\n}\n")
	return w.String()
}

func main() {
	var w strings.Builder
	w.WriteString("// Code generated by sgemm_gen.go; DO NOT EDIT.\n\n#include \"textflag.h\"\n\n")
	for _, full := range []bool{false, true} {
		for _, k := range kernels {
			kernel(&w, avx512ISA, k.mr, k.nv, false, full)
		}
		for _, k := range rowKernels {
			kernel(&w, avx512ISA, k.mr, k.nv, true, full)
		}
	}
	w.WriteString("// sgemmDotPerm gathers reduce8's sums in order: lane j from lane 4·(j mod 4) + 2·(j / 4).\n")
	for j, src := range []int{0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0} {
		fmt.Fprintf(&w, "DATA sgemmDotPerm<>+%d(SB)/4, $%d\n", 4*j, src)
	}
	w.WriteString("GLOBL sgemmDotPerm<>(SB), RODATA, $64\n\n")
	for _, k := range dotKernels {
		dotKernel(&w, k.r, k.c)
	}
	for _, k := range tallDotKernels {
		tallDotKernel(&w, k.r, k.c)
	}
	err := os.WriteFile("sgemm_amd64.s", []byte(w.String()), 0o644)
	if err == nil {
		err = writeAVX2()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
