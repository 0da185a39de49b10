#include "textflag.h"

// LayerNormChannels' per-pixel loops in AVX-512: each runs over len(x) elements, sixteen at a
// time, the last 1-15 under a lane mask (loads zero the masked lanes, stores skip them).

// TAILMASK sets K1 to the low DX lanes; it clobbers AX and CX.
#define TAILMASK \
	MOVQ DX, CX \
	MOVQ $1, AX \
	SHLQ CX, AX \
	DECQ AX \
	KMOVW AX, K1

// SPLIT sets CX to the full vectors of the length in CX and DX to the rest.
#define SPLIT \
	MOVQ CX, DX \
	ANDQ $15, DX \
	SHRQ $4, CX

// func lnAccAVX512(dst, x []float32)
// dst[i] += x[i]
TEXT ·lnAccAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	SPLIT
	JZ   acctail
accloop:
	VMOVUPS (SI), Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  accloop
acctail:
	TESTQ DX, DX
	JZ   accdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VADDPS  Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
accdone:
	VZEROUPPER
	RET

// func lnSqDevAccAVX512(dst, x, mean []float32)
// dst[i] += (x[i]-mean[i])²
TEXT ·lnSqDevAccAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	SPLIT
	JZ   sqtail
sqloop:
	VMOVUPS (SI), Z0
	VSUBPS  (R8), Z0, Z0
	VMOVUPS (DI), Z1
	VFMADD231PS Z0, Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	DECQ CX
	JNZ  sqloop
sqtail:
	TESTQ DX, DX
	JZ   sqdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z2
	VSUBPS  Z2, Z0, Z0
	VMOVUPS.Z (DI), K1, Z1
	VFMADD231PS Z0, Z0, Z1
	VMOVUPS Z1, K1, (DI)
sqdone:
	VZEROUPPER
	RET

// func lnNormAVX512(out, x, mean, rstd []float32, gm, b float32)
// out[i] = (x[i]-mean[i])·rstd[i]·g + b
TEXT ·lnNormAVX512(SB), NOSPLIT, $0-104
	MOVQ out_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	MOVQ rstd_base+72(FP), R9
	VBROADCASTSS gm+96(FP), Z6
	VBROADCASTSS b+100(FP), Z7
	SPLIT
	JZ   normtail
normloop:
	VMOVUPS (SI), Z0
	VSUBPS  (R8), Z0, Z0
	VMULPS  (R9), Z0, Z0
	VMOVAPS Z7, Z1
	VFMADD231PS Z6, Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  normloop
normtail:
	TESTQ DX, DX
	JZ   normdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z2
	VMOVUPS.Z (R9), K1, Z3
	VSUBPS  Z2, Z0, Z0
	VMULPS  Z3, Z0, Z0
	VMOVAPS Z7, Z1
	VFMADD231PS Z6, Z0, Z1
	VMOVUPS Z1, K1, (DI)
normdone:
	VZEROUPPER
	RET

// func lnGradSumsAVX512(sumG, sumGX, d, x, mean, rstd []float32, gm float32)
// with gi = d[i]·g: sumG[i] += gi, sumGX[i] += gi·(x[i]-mean[i])·rstd[i]
TEXT ·lnGradSumsAVX512(SB), NOSPLIT, $0-148
	MOVQ sumG_base+0(FP), DI
	MOVQ sumGX_base+24(FP), R10
	MOVQ d_base+48(FP), R11
	MOVQ x_base+72(FP), SI
	MOVQ x_len+80(FP), CX
	MOVQ mean_base+96(FP), R8
	MOVQ rstd_base+120(FP), R9
	VBROADCASTSS gm+144(FP), Z6
	SPLIT
	JZ   gstail
gsloop:
	VMULPS  (R11), Z6, Z0         // gi
	VADDPS  (DI), Z0, Z1
	VMOVUPS Z1, (DI)
	VMOVUPS (SI), Z2
	VSUBPS  (R8), Z2, Z2
	VMULPS  (R9), Z2, Z2          // x̂
	VMOVUPS (R10), Z3
	VFMADD231PS Z2, Z0, Z3
	VMOVUPS Z3, (R10)
	ADDQ $64, DI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  gsloop
gstail:
	TESTQ DX, DX
	JZ   gsdone
	TAILMASK
	VMOVUPS.Z (R11), K1, Z0
	VMULPS  Z6, Z0, Z0
	VMOVUPS.Z (DI), K1, Z1
	VADDPS  Z1, Z0, Z1
	VMOVUPS Z1, K1, (DI)
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z (R8), K1, Z4
	VMOVUPS.Z (R9), K1, Z5
	VSUBPS  Z4, Z2, Z2
	VMULPS  Z5, Z2, Z2
	VMOVUPS.Z (R10), K1, Z3
	VFMADD231PS Z2, Z0, Z3
	VMOVUPS Z3, K1, (R10)
gsdone:
	VZEROUPPER
	RET

// func lnGradAVX512(dx, d, x, mean, rstd, sumG, sumGX []float32, gm, inv float32)
// dx[i] = rstd[i]·(d[i]·g - inv·sumG[i] - x̂·inv·sumGX[i]), x̂ = (x[i]-mean[i])·rstd[i]
TEXT ·lnGradAVX512(SB), NOSPLIT, $0-176
	MOVQ dx_base+0(FP), DI
	MOVQ d_base+24(FP), R11
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ mean_base+72(FP), R8
	MOVQ rstd_base+96(FP), R9
	MOVQ sumG_base+120(FP), R10
	MOVQ sumGX_base+144(FP), R12
	VBROADCASTSS gm+168(FP), Z6
	VBROADCASTSS inv+172(FP), Z7
	SPLIT
	JZ   gtail
gloop512:
	VMOVUPS (R9), Z5              // rstd
	VMOVUPS (SI), Z2
	VSUBPS  (R8), Z2, Z2
	VMULPS  Z5, Z2, Z2            // x̂
	VMULPS  (R12), Z2, Z2         // x̂·sumGX
	VADDPS  (R10), Z2, Z2         // sumG + x̂·sumGX
	VMULPS  Z7, Z2, Z2            // inv·(...)
	VMULPS  (R11), Z6, Z0         // d·g
	VSUBPS  Z2, Z0, Z0
	VMULPS  Z5, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	ADDQ $64, R11
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R12
	DECQ CX
	JNZ  gloop512
gtail:
	TESTQ DX, DX
	JZ   gdone512
	TAILMASK
	VMOVUPS.Z (R9), K1, Z5
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z (R8), K1, Z3
	VSUBPS  Z3, Z2, Z2
	VMULPS  Z5, Z2, Z2
	VMOVUPS.Z (R12), K1, Z3
	VMULPS  Z3, Z2, Z2
	VMOVUPS.Z (R10), K1, Z3
	VADDPS  Z3, Z2, Z2
	VMULPS  Z7, Z2, Z2
	VMOVUPS.Z (R11), K1, Z0
	VMULPS  Z6, Z0, Z0
	VSUBPS  Z2, Z0, Z0
	VMULPS  Z5, Z0, Z0
	VMOVUPS Z0, K1, (DI)
gdone512:
	VZEROUPPER
	RET

// func lnParamSumsAVX512(d, x, mean, rstd []float32) (sg, sb float32)
// sg = Σ d[i]·(x[i]-mean[i])·rstd[i], sb = Σ d[i]
TEXT ·lnParamSumsAVX512(SB), NOSPLIT, $0-104
	MOVQ d_base+0(FP), R11
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ mean_base+48(FP), R8
	MOVQ rstd_base+72(FP), R9
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	SPLIT
	JZ   pstail
psloop:
	VMOVUPS (R11), Z4
	VADDPS  Z4, Z1, Z1
	VMOVUPS (SI), Z2
	VSUBPS  (R8), Z2, Z2
	VMULPS  (R9), Z2, Z2
	VFMADD231PS Z2, Z4, Z0
	ADDQ $64, R11
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  psloop
pstail:
	TESTQ DX, DX
	JZ   psreduce
	TAILMASK
	VMOVUPS.Z (R11), K1, Z4
	VADDPS  Z4, Z1, Z1
	VMOVUPS.Z (SI), K1, Z2
	VMOVUPS.Z (R8), K1, Z3
	VSUBPS  Z3, Z2, Z2
	VMOVUPS.Z (R9), K1, Z3
	VMULPS  Z3, Z2, Z2
	VFMADD231PS Z2, Z4, Z0
psreduce:
	VEXTRACTF64X4 $1, Z0, Y2
	VADDPS  Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X2
	VADDPS  X2, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, sg+96(FP)
	VEXTRACTF64X4 $1, Z1, Y2
	VADDPS  Y2, Y1, Y1
	VEXTRACTF128 $1, Y1, X2
	VADDPS  X2, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VMOVSS  X1, sb+100(FP)
	VZEROUPPER
	RET

DATA lnOne<>+0(SB)/4, $1.0
GLOBL lnOne<>(SB), RODATA, $4

// func lnRstdAVX512(v []float32, inv, eps float32)
// v[i] = 1/sqrt(v[i]·inv + eps), in float32 (VSQRTPS and VDIVPS, each correctly rounded).
TEXT ·lnRstdAVX512(SB), NOSPLIT, $0-32
	MOVQ v_base+0(FP), DI
	MOVQ v_len+8(FP), CX
	VBROADCASTSS inv+24(FP), Z2
	VBROADCASTSS eps+28(FP), Z3
	VBROADCASTSS lnOne<>(SB), Z4
	SPLIT
	JZ   rstdtail
rstdloop:
	VMOVUPS (DI), Z0
	VFMADD213PS Z3, Z2, Z0
	VSQRTPS Z0, Z0
	VDIVPS  Z0, Z4, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	DECQ CX
	JNZ  rstdloop
rstdtail:
	TESTQ DX, DX
	JZ   rstddone
	TAILMASK
	VMOVUPS.Z (DI), K1, Z0
	VFMADD213PS Z3, Z2, Z0
	VSQRTPS Z0, Z0
	VDIVPS  Z0, Z4, Z0
	VMOVUPS Z0, K1, (DI)
rstddone:
	VZEROUPPER
	RET

// func keepAVX512(dst []float32, mask []uint32)
// dst[i] &= mask[i]: the floats where mask is all ones stay, the others become +0.
TEXT ·keepAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ mask_base+24(FP), SI
	SPLIT
	JZ   keeptail
keeploop:
	VMOVUPS (SI), Z0
	VANDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  keeploop
keeptail:
	TESTQ DX, DX
	JZ   keepdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VANDPS.Z  (DI), Z0, K1, Z0
	VMOVUPS Z0, K1, (DI)
keepdone:
	VZEROUPPER
	RET

// func copyRowsAVX512(dst []float32, dstStride int, src []float32, srcStride, rows, w int)
// Copies rows rows of w floats, row r from src[r·srcStride:] to dst[r·dstStride:], sixteen at
// a time, the last 1-15 of each row under a lane mask.
TEXT ·copyRowsAVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8
	MOVQ src_base+32(FP), SI
	MOVQ srcStride+56(FP), R9
	SHLQ $2, R9
	MOVQ rows+64(FP), R10
	MOVQ w+72(FP), R11
	MOVQ R11, DX
	ANDQ $15, DX
	MOVQ DX, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1                   // the tail's lanes
	SHRQ $4, R11                   // full vectors per row
	TESTQ R10, R10
	JZ   cpdone
cprow:
	XORQ BX, BX
	MOVQ R11, CX
	TESTQ CX, CX
	JZ   cptail
cpvec:
	VMOVUPS (SI)(BX*1), Z0
	VMOVUPS Z0, (DI)(BX*1)
	ADDQ $64, BX
	DECQ CX
	JNZ  cpvec
cptail:
	TESTQ DX, DX
	JZ   cpnext
	VMOVUPS.Z (SI)(BX*1), K1, Z0
	VMOVUPS Z0, K1, (DI)(BX*1)
cpnext:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ R10
	JNZ  cprow
cpdone:
	VZEROUPPER
	RET

// func mulAVX512(out, a, b []float32)
// out[i] = a[i]·b[i] for i < len(a), sixteen at a time, the last 1-15 under a lane mask.
TEXT ·mulAVX512(SB), NOSPLIT, $0-72
	MOVQ out_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ a_len+32(FP), CX
	MOVQ b_base+48(FP), R8
	SPLIT
	JZ   multail
mulloop:
	VMOVUPS (SI), Z0
	VMULPS  (R8), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	DECQ CX
	JNZ  mulloop
multail:
	TESTQ DX, DX
	JZ   muldone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z1
	VMULPS  Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
muldone:
	VZEROUPPER
	RET

// func mulAddAVX512(dst, a, b []float32)
// dst[i] += a[i]·b[i] (the product rounded, then the sum) for i < len(a), the last 1-15 under a
// lane mask.
TEXT ·mulAddAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ a_len+32(FP), CX
	MOVQ b_base+48(FP), R8
	SPLIT
	JZ   matail
maloop:
	VMOVUPS (SI), Z0
	VMULPS  (R8), Z0, Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	DECQ CX
	JNZ  maloop
matail:
	TESTQ DX, DX
	JZ   madone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z1
	VMULPS  Z1, Z0, Z0
	VMOVUPS.Z (DI), K1, Z1
	VADDPS  Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
madone:
	VZEROUPPER
	RET
