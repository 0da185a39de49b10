package kernel

import "golang.org/x/sys/cpu"

//go:generate go run sgemm_gen.go
//go:generate go run pointwise_gen.go

// hasAVX512 selects the AVX-512 kernels: they use the foundation instructions, DQ's
// VXORPS/VORPS on Z registers and VL's masked Y-register forms (x/sys/cpu also checks that the
// OS saves the Z and mask registers).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// The micro-kernels of sgemm_amd64.s: sgemmKernelMxN computes an M × N tile of C (N lanes,
// masked) with the signature of rowKernel.run; sgemmRowsKernelMxN the same with B's rows from a
// table of offsets (rowsKernel.run).

//go:noescape
func sgemmKernel8x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x48(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel8x32(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x32(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x32(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x32(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel24x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel16x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel8x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x16(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x48(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x48(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x48(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x48(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x32(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x32(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x32(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x32(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel24x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel16x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x16(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel8x48F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x48F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x48F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x48F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel8x32F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x32F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x32F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x32F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel24x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel16x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel8x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel4x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel2x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmKernel1x16F(k int, a *float32, ars, aks int, b *float32, ldb int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x48F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x48F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x48F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x48F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x32F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x32F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x32F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x32F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel24x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel16x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel8x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel4x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel2x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmRowsKernel1x16F(k int, a *float32, ars, aks int, b *float32, rowOffs *int, c *float32, ldc int, bias *float32, masks uint64, accumulate int)

//go:noescape
func sgemmDotKernel8x2(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel6x4(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel3x8(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel3x4(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel3x2(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel3x1(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel1x8(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel1x4(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel1x2(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

//go:noescape
func sgemmDotKernel1x1(n int, a **float32, b *float32, ldb int, c *float32, ldc int, tail uint64)

// chooseGemm picks the widest kernels this processor runs.
func chooseGemm() *gemmKernels {
	switch {
	case hasAVX512:
		return avx512Gemm
	case hasAVX2FMA:
		return avx2Gemm
	}
	return nil
}

var avx512Gemm = &gemmKernels{name: "avx512", lanes: 16, panel: 48, panels: panelKernels, rowsPanels: rowsPanelKernels, dots: dotKernels, dotMinRow: 1}

// panelKernels[f][v-1] cover a column panel of at most 16·v columns (f = 1: exactly 16·v, the
// kernels without masks), rowsPanelKernels the same with B's rows from a table; each from the
// most rows down.
var (
	panelKernels = [2][3][]rowKernel{{
		{{24, sgemmKernel24x16}, {16, sgemmKernel16x16}, {8, sgemmKernel8x16}, {4, sgemmKernel4x16}, {2, sgemmKernel2x16}, {1, sgemmKernel1x16}},
		{{8, sgemmKernel8x32}, {4, sgemmKernel4x32}, {2, sgemmKernel2x32}, {1, sgemmKernel1x32}},
		{{8, sgemmKernel8x48}, {4, sgemmKernel4x48}, {2, sgemmKernel2x48}, {1, sgemmKernel1x48}},
	}, {
		{{24, sgemmKernel24x16F}, {16, sgemmKernel16x16F}, {8, sgemmKernel8x16F}, {4, sgemmKernel4x16F}, {2, sgemmKernel2x16F}, {1, sgemmKernel1x16F}},
		{{8, sgemmKernel8x32F}, {4, sgemmKernel4x32F}, {2, sgemmKernel2x32F}, {1, sgemmKernel1x32F}},
		{{8, sgemmKernel8x48F}, {4, sgemmKernel4x48F}, {2, sgemmKernel2x48F}, {1, sgemmKernel1x48F}},
	}}
	rowsPanelKernels = [2][3][]rowsKernel{{
		{{24, sgemmRowsKernel24x16}, {16, sgemmRowsKernel16x16}, {8, sgemmRowsKernel8x16}, {4, sgemmRowsKernel4x16}, {2, sgemmRowsKernel2x16}, {1, sgemmRowsKernel1x16}},
		{{8, sgemmRowsKernel8x32}, {4, sgemmRowsKernel4x32}, {2, sgemmRowsKernel2x32}, {1, sgemmRowsKernel1x32}},
		{{8, sgemmRowsKernel8x48}, {4, sgemmRowsKernel4x48}, {2, sgemmRowsKernel2x48}, {1, sgemmRowsKernel1x48}},
	}, {
		{{24, sgemmRowsKernel24x16F}, {16, sgemmRowsKernel16x16F}, {8, sgemmRowsKernel8x16F}, {4, sgemmRowsKernel4x16F}, {2, sgemmRowsKernel2x16F}, {1, sgemmRowsKernel1x16F}},
		{{8, sgemmRowsKernel8x32F}, {4, sgemmRowsKernel4x32F}, {2, sgemmRowsKernel2x32F}, {1, sgemmRowsKernel1x32F}},
		{{8, sgemmRowsKernel8x48F}, {4, sgemmRowsKernel4x48F}, {2, sgemmRowsKernel2x48F}, {1, sgemmRowsKernel1x48F}},
	}}
	// dotKernels by rows of B (8, 4, 2, 1), each from the most rows of A down.
	dotKernels = [4][]rowsDotKernel{
		{{3, sgemmDotKernel3x8}, {1, sgemmDotKernel1x8}},
		{{6, sgemmDotKernel6x4}, {3, sgemmDotKernel3x4}, {1, sgemmDotKernel1x4}},
		{{8, sgemmDotKernel8x2}, {3, sgemmDotKernel3x2}, {1, sgemmDotKernel1x2}},
		{{3, sgemmDotKernel3x1}, {1, sgemmDotKernel1x1}},
	}
)

func init() {
	avx512Gemm.plan()
	avx2Gemm.plan()
}
