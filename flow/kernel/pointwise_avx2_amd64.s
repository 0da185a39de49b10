#include "textflag.h"

// The loops of layernorm_amd64.s for processors with AVX2 and not AVX-512: eight floats at a
// time, the last 1-7 through VMASKMOVPS under a vector mask (loads zero the masked lanes, stores
// skip them). Written from the AVX-512 loops instruction for instruction.

// TAILMASK2 sets Y15 to the low DX lanes (all ones where the lane index < DX).
#define TAILMASK2 \
	MOVQ DX, X15 \
	VPBROADCASTD X15, Y15 \
	VPCMPGTD laneIndex<>(SB), Y15, Y15

// SPLIT2 sets CX to the full vectors of the length in CX and DX to the rest.
#define SPLIT2 \
	MOVQ CX, DX \
	ANDQ $7, DX \
	SHRQ $3, CX

DATA laneIndex<>+0(SB)/4, $0
DATA laneIndex<>+4(SB)/4, $1
DATA laneIndex<>+8(SB)/4, $2
DATA laneIndex<>+12(SB)/4, $3
DATA laneIndex<>+16(SB)/4, $4
DATA laneIndex<>+20(SB)/4, $5
DATA laneIndex<>+24(SB)/4, $6
DATA laneIndex<>+28(SB)/4, $7
GLOBL laneIndex<>(SB), RODATA, $32

// func lnAccAVX2(dst, x []float32)
// dst[i] += x[i]
TEXT ·lnAccAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	SPLIT2
	JZ   acctail
accloop:
	VMOVUPS (SI), Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  accloop
acctail:
	TESTQ DX, DX
	JZ   accdone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (DI), Y15, Y1
	VADDPS  Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
accdone:
	VZEROUPPER
	RET

// func lnSqDevAccAVX2(dst, x, mean []float32)
// dst[i] += (x[i]-mean[i])²
TEXT ·lnSqDevAccAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	SPLIT2
	JZ   sqtail
sqloop:
	VMOVUPS (SI), Y0
	VSUBPS  (R8), Y0, Y0
	VMOVUPS (DI), Y1
	VFMADD231PS Y0, Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ CX
	JNZ  sqloop
sqtail:
	TESTQ DX, DX
	JZ   sqdone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (R8), Y15, Y2
	VSUBPS  Y2, Y0, Y0
	VMASKMOVPS (DI), Y15, Y1
	VFMADD231PS Y0, Y0, Y1
	VMASKMOVPS Y1, Y15, (DI)
sqdone:
	VZEROUPPER
	RET

// func lnNormAVX2(out, x, mean, rstd []float32, gm, b float32)
// out[i] = (x[i]-mean[i])·rstd[i]·g + b
TEXT ·lnNormAVX2(SB), NOSPLIT, $0-104
	MOVQ out_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	MOVQ rstd_base+72(FP), R9
	VBROADCASTSS gm+96(FP), Y6
	VBROADCASTSS b+100(FP), Y7
	SPLIT2
	JZ   normtail
normloop:
	VMOVUPS (SI), Y0
	VSUBPS  (R8), Y0, Y0
	VMULPS  (R9), Y0, Y0
	VMOVAPS Y7, Y1
	VFMADD231PS Y6, Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  normloop
normtail:
	TESTQ DX, DX
	JZ   normdone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (R8), Y15, Y2
	VMASKMOVPS (R9), Y15, Y3
	VSUBPS  Y2, Y0, Y0
	VMULPS  Y3, Y0, Y0
	VMOVAPS Y7, Y1
	VFMADD231PS Y6, Y0, Y1
	VMASKMOVPS Y1, Y15, (DI)
normdone:
	VZEROUPPER
	RET

// func lnGradSumsAVX2(sumG, sumGX, d, x, mean, rstd []float32, gm float32)
// with gi = d[i]·g: sumG[i] += gi, sumGX[i] += gi·(x[i]-mean[i])·rstd[i]
TEXT ·lnGradSumsAVX2(SB), NOSPLIT, $0-148
	MOVQ sumG_base+0(FP), DI
	MOVQ sumGX_base+24(FP), R10
	MOVQ d_base+48(FP), R11
	MOVQ x_base+72(FP), SI
	MOVQ x_len+80(FP), CX
	MOVQ mean_base+96(FP), R8
	MOVQ rstd_base+120(FP), R9
	VBROADCASTSS gm+144(FP), Y6
	SPLIT2
	JZ   gstail
gsloop:
	VMULPS  (R11), Y6, Y0         // gi
	VADDPS  (DI), Y0, Y1
	VMOVUPS Y1, (DI)
	VMOVUPS (SI), Y2
	VSUBPS  (R8), Y2, Y2
	VMULPS  (R9), Y2, Y2          // x̂
	VMOVUPS (R10), Y3
	VFMADD231PS Y2, Y0, Y3
	VMOVUPS Y3, (R10)
	ADDQ $32, DI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  gsloop
gstail:
	TESTQ DX, DX
	JZ   gsdone
	TAILMASK2
	VMASKMOVPS (R11), Y15, Y0
	VMULPS  Y6, Y0, Y0
	VMASKMOVPS (DI), Y15, Y1
	VADDPS  Y1, Y0, Y1
	VMASKMOVPS Y1, Y15, (DI)
	VMASKMOVPS (SI), Y15, Y2
	VMASKMOVPS (R8), Y15, Y4
	VMASKMOVPS (R9), Y15, Y5
	VSUBPS  Y4, Y2, Y2
	VMULPS  Y5, Y2, Y2
	VMASKMOVPS (R10), Y15, Y3
	VFMADD231PS Y2, Y0, Y3
	VMASKMOVPS Y3, Y15, (R10)
gsdone:
	VZEROUPPER
	RET

// func lnGradAVX2(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32)
// dx[i] = rstd[i]·(d[i]·g - inv·sumG[i] - x̂·inv·sumGX[i]), x̂ = (x[i]-mean[i])·rstd[i]
TEXT ·lnGradAVX2(SB), NOSPLIT, $0-176
	MOVQ dx_base+0(FP), DI
	MOVQ d_base+24(FP), R11
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ mean_base+72(FP), R8
	MOVQ rstd_base+96(FP), R9
	MOVQ sumG_base+120(FP), R10
	MOVQ sumGX_base+144(FP), R12
	VBROADCASTSS gm+168(FP), Y6
	VBROADCASTSS inv+172(FP), Y7
	SPLIT2
	JZ   gtail
gloop512:
	VMOVUPS (R9), Y5              // rstd
	VMOVUPS (SI), Y2
	VSUBPS  (R8), Y2, Y2
	VMULPS  Y5, Y2, Y2            // x̂
	VMULPS  (R12), Y2, Y2         // x̂·sumGX
	VADDPS  (R10), Y2, Y2         // sumG + x̂·sumGX
	VMULPS  Y7, Y2, Y2            // inv·(...)
	VMULPS  (R11), Y6, Y0         // d·g
	VSUBPS  Y2, Y0, Y0
	VMULPS  Y5, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R12
	DECQ CX
	JNZ  gloop512
gtail:
	TESTQ DX, DX
	JZ   gdone512
	TAILMASK2
	VMASKMOVPS (R9), Y15, Y5
	VMASKMOVPS (SI), Y15, Y2
	VMASKMOVPS (R8), Y15, Y3
	VSUBPS  Y3, Y2, Y2
	VMULPS  Y5, Y2, Y2
	VMASKMOVPS (R12), Y15, Y3
	VMULPS  Y3, Y2, Y2
	VMASKMOVPS (R10), Y15, Y3
	VADDPS  Y3, Y2, Y2
	VMULPS  Y7, Y2, Y2
	VMASKMOVPS (R11), Y15, Y0
	VMULPS  Y6, Y0, Y0
	VSUBPS  Y2, Y0, Y0
	VMULPS  Y5, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
gdone512:
	VZEROUPPER
	RET

// func lnParamSumsAVX2(d, x, mean, rstd []float32) (sg, sb float32)
// sg = Σ d[i]·(x[i]-mean[i])·rstd[i], sb = Σ d[i]
TEXT ·lnParamSumsAVX2(SB), NOSPLIT, $0-104
	MOVQ d_base+0(FP), R11
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	MOVQ rstd_base+72(FP), R9
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SPLIT2
	JZ   pstail
psloop:
	VMOVUPS (R11), Y4
	VADDPS  Y4, Y1, Y1
	VMOVUPS (SI), Y2
	VSUBPS  (R8), Y2, Y2
	VMULPS  (R9), Y2, Y2
	VFMADD231PS Y2, Y4, Y0
	ADDQ $32, R11
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  psloop
pstail:
	TESTQ DX, DX
	JZ   psreduce
	TAILMASK2
	VMASKMOVPS (R11), Y15, Y4
	VADDPS  Y4, Y1, Y1
	VMASKMOVPS (SI), Y15, Y2
	VMASKMOVPS (R8), Y15, Y3
	VSUBPS  Y3, Y2, Y2
	VMASKMOVPS (R9), Y15, Y3
	VMULPS  Y3, Y2, Y2
	VFMADD231PS Y2, Y4, Y0
psreduce:
	VEXTRACTF128 $1, Y0, X2
	VADDPS  X2, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, sg+96(FP)
	VEXTRACTF128 $1, Y1, X2
	VADDPS  X2, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VMOVSS  X1, sb+100(FP)
	VZEROUPPER
	RET

DATA lnOne2<>+0(SB)/4, $1.0
GLOBL lnOne2<>(SB), RODATA, $4

// func lnRstdAVX2(v []float32, inv, eps float32)
// v[i] = 1/sqrt(v[i]·inv + eps), in float32 (VSQRTPS and VDIVPS, each correctly rounded).
TEXT ·lnRstdAVX2(SB), NOSPLIT, $0-32
	MOVQ v_base+0(FP), DI
	MOVQ v_len+8(FP), CX
	VBROADCASTSS inv+24(FP), Y2
	VBROADCASTSS eps+28(FP), Y3
	VBROADCASTSS lnOne2<>(SB), Y4
	SPLIT2
	JZ   rstdtail
rstdloop:
	VMOVUPS (DI), Y0
	VFMADD213PS Y3, Y2, Y0
	VSQRTPS Y0, Y0
	VDIVPS  Y0, Y4, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	DECQ CX
	JNZ  rstdloop
rstdtail:
	TESTQ DX, DX
	JZ   rstddone
	TAILMASK2
	VMASKMOVPS (DI), Y15, Y0
	VFMADD213PS Y3, Y2, Y0
	VSQRTPS Y0, Y0
	VDIVPS  Y0, Y4, Y0
	VMASKMOVPS Y0, Y15, (DI)
rstddone:
	VZEROUPPER
	RET

// func keepAVX2(dst []float32, mask []uint32)
// dst[i] &= mask[i]: the floats where mask is all ones stay, the others become +0.
TEXT ·keepAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ mask_base+24(FP), SI
	SPLIT2
	JZ   keeptail
keeploop:
	VMOVUPS (SI), Y0
	VANDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  keeploop
keeptail:
	TESTQ DX, DX
	JZ   keepdone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (DI), Y15, Y14
	VANDPS  Y14, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
keepdone:
	VZEROUPPER
	RET

// func copyRowsAVX2(dst []float32, dstStride int, src []float32, srcStride, rows, w int)
// Copies rows rows of w floats, row r from src[r·srcStride:] to dst[r·dstStride:], eight at
// a time, the last 1-7 of each row under a lane mask.
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8
	MOVQ src_base+32(FP), SI
	MOVQ srcStride+56(FP), R9
	SHLQ $2, R9
	MOVQ rows+64(FP), R10
	MOVQ w+72(FP), R11
	MOVQ R11, DX
	ANDQ $7, DX
	TAILMASK2                      // the tail's lanes
	SHRQ $3, R11                   // full vectors per row
	TESTQ R10, R10
	JZ   cpdone
cprow:
	XORQ BX, BX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ   cptail
cpvec:
	VMOVUPS (SI)(BX*1), Y0
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ $32, BX
	DECQ CX
	JNZ  cpvec
cptail:
	TESTQ DX, DX
	JZ   cpnext
	VMASKMOVPS (SI)(BX*1), Y15, Y0
	VMASKMOVPS Y0, Y15, (DI)(BX*1)
cpnext:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ R10
	JNZ  cprow
cpdone:
	VZEROUPPER
	RET

// func mulAVX2(out, a, b []float32)
// out[i] = a[i]·b[i] for i < len(a), eight at a time, the last 1-7 under a lane mask.
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ out_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ a_len+32(FP), CX
	MOVQ b_base+48(FP), R8
	SPLIT2
	JZ   multail
mulloop:
	VMOVUPS (SI), Y0
	VMULPS  (R8), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ CX
	JNZ  mulloop
multail:
	TESTQ DX, DX
	JZ   muldone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (R8), Y15, Y1
	VMULPS  Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
muldone:
	VZEROUPPER
	RET

// func mulAddAVX2(dst, a, b []float32)
// dst[i] += a[i]·b[i] (the product rounded, then the sum) for i < len(a), the last 1-7 under a
// lane mask.
TEXT ·mulAddAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ a_len+32(FP), CX
	MOVQ b_base+48(FP), R8
	SPLIT2
	JZ   matail
maloop:
	VMOVUPS (SI), Y0
	VMULPS  (R8), Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ CX
	JNZ  maloop
matail:
	TESTQ DX, DX
	JZ   madone
	TAILMASK2
	VMASKMOVPS (SI), Y15, Y0
	VMASKMOVPS (R8), Y15, Y1
	VMULPS  Y1, Y0, Y0
	VMASKMOVPS (DI), Y15, Y1
	VADDPS  Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
madone:
	VZEROUPPER
	RET
