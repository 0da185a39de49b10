#include "textflag.h"

// CONST8 defines a float32 (or int32) constant as eight equal lanes: VBROADCASTSS (and AVX-512's
// .BCST) reads the first, and the AVX2 macros EXP, EXPM and LOGM take all eight as a memory
// operand, which needs no register and no broadcast instruction of its own: the same floats,
// and on Zen 3 BenchmarkExpSlice 12 % faster than with each constant broadcast into a register
// before its use (the ELU-pair loop, with more work per exponential, was not measurably faster).
#define CONST8(name, v) \
	DATA name<>+0(SB)/4, v \
	DATA name<>+4(SB)/4, v \
	DATA name<>+8(SB)/4, v \
	DATA name<>+12(SB)/4, v \
	DATA name<>+16(SB)/4, v \
	DATA name<>+20(SB)/4, v \
	DATA name<>+24(SB)/4, v \
	DATA name<>+28(SB)/4, v \
	GLOBL name<>(SB), RODATA, $32

// Cephes expf constants (CONST8): LOADEXP and LOADEXP512 broadcast some into registers, EXP reads
// its polynomial's from memory.
CONST8(expHi, $88.3762626647949)
CONST8(expLo, $-87.0)
CONST8(expLog2e, $1.44269504088896341)
CONST8(expHalf, $0.5)
CONST8(expOne, $1.0)
CONST8(expC1, $0.693359375)
CONST8(expC2, $-2.12194440e-4)
CONST8(expP0, $1.9875691500e-4)
CONST8(expP1, $1.3981999507e-3)
CONST8(expP2, $8.3334519073e-3)
CONST8(expP3, $4.1665795894e-2)
CONST8(expP4, $1.6666665459e-1)
CONST8(expP5, $5.0000001201e-1)
CONST8(exp127, $127)

DATA expSign<>+0(SB)/4, $0x80000000
GLOBL expSign<>(SB), RODATA, $4

// LOADEXP loads the constants EXP needs into Y8-Y15.
#define LOADEXP \
	VBROADCASTSS expHi<>(SB), Y8 \
	VBROADCASTSS expLo<>(SB), Y9 \
	VBROADCASTSS expLog2e<>(SB), Y10 \
	VBROADCASTSS expHalf<>(SB), Y11 \
	VBROADCASTSS expC1<>(SB), Y12 \
	VBROADCASTSS expC2<>(SB), Y13 \
	VBROADCASTSS expOne<>(SB), Y14 \
	VPBROADCASTD exp127<>(SB), Y15

// EXP sets Y2 = e^Y0 (Cephes expf, clamped to [-87, 88.38]); it clobbers Y0, Y1, Y3, Y4.
#define EXP \
	VMINPS  Y8, Y0, Y0 \
	VMAXPS  Y9, Y0, Y0 \
	VMULPS  Y10, Y0, Y1 \
	VADDPS  Y11, Y1, Y1 \
	VROUNDPS $1, Y1, Y1 \
	VFNMADD231PS Y12, Y1, Y0 \
	VFNMADD231PS Y13, Y1, Y0 \
	VMOVUPS      expP0<>(SB), Y2 \
	VFMADD213PS  expP1<>(SB), Y0, Y2 \
	VFMADD213PS  expP2<>(SB), Y0, Y2 \
	VFMADD213PS  expP3<>(SB), Y0, Y2 \
	VFMADD213PS  expP4<>(SB), Y0, Y2 \
	VFMADD213PS  expP5<>(SB), Y0, Y2 \
	VMULPS       Y0, Y0, Y3 \
	VFMADD213PS  Y0, Y3, Y2 \
	VADDPS       Y14, Y2, Y2 \
	VCVTPS2DQ    Y1, Y4 \
	VPADDD       Y15, Y4, Y4 \
	VPSLLD       $23, Y4, Y4 \
	VMULPS       Y4, Y2, Y2

// The exponential, ELU-pair and gated loops, sixteen lanes at a time with the constants above;
// pointwise_gen.go writes their AVX2 forms (EXP's, eight lanes) at the end of this file.
// LOADEXP512 loads the constants EXP512 needs into Z8-Z15.
#define LOADEXP512 \
	VBROADCASTSS expHi<>(SB), Z8 \
	VBROADCASTSS expLo<>(SB), Z9 \
	VBROADCASTSS expLog2e<>(SB), Z10 \
	VBROADCASTSS expHalf<>(SB), Z11 \
	VBROADCASTSS expC1<>(SB), Z12 \
	VBROADCASTSS expC2<>(SB), Z13 \
	VBROADCASTSS expOne<>(SB), Z14 \
	VPBROADCASTD exp127<>(SB), Z15 \
	VBROADCASTSS expP0<>(SB), Z16 \
	VBROADCASTSS expP1<>(SB), Z17 \
	VBROADCASTSS expP2<>(SB), Z18 \
	VBROADCASTSS expP3<>(SB), Z19 \
	VBROADCASTSS expP4<>(SB), Z20 \
	VBROADCASTSS expP5<>(SB), Z21

// EXP512 sets Z2 = e^Z0 (Cephes expf, clamped to [-87, 88.38]); it clobbers Z0, Z1, Z3. k =
// round(x·log2e) to nearest, and 2^k is applied by VSCALEFPS (k ≥ -126: no subnormal).
#define EXP512 \
	VMINPS  Z8, Z0, Z0 \
	VMAXPS  Z9, Z0, Z0 \
	VMULPS  Z10, Z0, Z1 \
	VRNDSCALEPS $0, Z1, Z1 \
	VFNMADD231PS Z12, Z1, Z0 \
	VFNMADD231PS Z13, Z1, Z0 \
	VMOVAPS      Z16, Z2 \
	VFMADD213PS  Z17, Z0, Z2 \
	VFMADD213PS  Z18, Z0, Z2 \
	VFMADD213PS  Z19, Z0, Z2 \
	VFMADD213PS  Z20, Z0, Z2 \
	VFMADD213PS  Z21, Z0, Z2 \
	VMULPS       Z0, Z0, Z3 \
	VFMADD213PS  Z0, Z3, Z2 \
	VADDPS       Z14, Z2, Z2 \
	VSCALEFPS    Z1, Z2, Z2

// func expAVX512(dst, src []float32)
// dst[i] = e^src[i] for i < len(src) rounded down to a multiple of 16.
TEXT ·expAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $4, CX
	JZ   exp512done
	LOADEXP512

exp512loop:
	VMOVUPS (SI), Z0
	EXP512
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  exp512loop
	VZEROUPPER

exp512done:
	RET

// func eluPairAVX512(pos, neg, x []float32)
// pos = elu(x), neg = elu(-x) for the first len(x) rounded down to a multiple of 16 elements:
// with e = e^-|x|, pos = x > 0 ? x : e-1 and neg = x > 0 ? e-1 : -x.
TEXT ·eluPairAVX512(SB), NOSPLIT, $0-72
	MOVQ pos_base+0(FP), DI
	MOVQ neg_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	SHRQ $4, CX
	JZ   elu512done
	LOADEXP512
	VBROADCASTSS expSign<>(SB), Z7
	VXORPS Z6, Z6, Z6

elu512loop:
	VMOVUPS (SI), Z5
	VORPS   Z7, Z5, Z0            // -|x|
	EXP512
	VSUBPS  Z14, Z2, Z2           // e - 1
	VCMPPS  $30, Z6, Z5, K1       // x > 0 (AVX2: the mask in Y1)
	VXORPS  Z7, Z5, Z3            // -x
	VBLENDMPS Z5, Z2, K1, Z4      // pos
	VBLENDMPS Z2, Z3, K1, Z0      // neg
	VMOVUPS Z4, (DI)
	VMOVUPS Z0, (DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  elu512loop
	VZEROUPPER

elu512done:
	RET

// func eluPairGradAVX512(dx, pos, neg, dpos, dneg []float32)
// dx = pos > 0 ? dpos - dneg·(neg+1) : dpos·(pos+1) - dneg, for len(dx) rounded down to 16.
TEXT ·eluPairGradAVX512(SB), NOSPLIT, $0-120
	MOVQ dx_base+0(FP), DI
	MOVQ dx_len+8(FP), CX
	MOVQ pos_base+24(FP), SI
	MOVQ neg_base+48(FP), DX
	MOVQ dpos_base+72(FP), R8
	MOVQ dneg_base+96(FP), R9
	SHRQ $4, CX
	JZ   g512done
	VBROADCASTSS expOne<>(SB), Z14
	VXORPS Z6, Z6, Z6

g512loop:
	VMOVUPS (SI), Z0              // pos
	VMOVUPS (DX), Z1              // neg
	VMOVUPS (R8), Z2              // dpos
	VMOVUPS (R9), Z3              // dneg
	VCMPPS  $30, Z6, Z0, K1       // pos > 0, i.e. x > 0 (AVX2: the mask in Y5)
	VADDPS  Z14, Z1, Z1           // neg + 1
	VMOVAPS Z2, Z4
	VFNMADD231PS Z1, Z3, Z4       // a = dpos - dneg·(neg+1)
	VADDPS  Z14, Z0, Z0           // pos + 1
	VFMSUB213PS Z3, Z2, Z0        // b = dpos·(pos+1) - dneg
	VBLENDMPS Z4, Z0, K1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, DI
	DECQ CX
	JNZ  g512loop
	VZEROUPPER

g512done:
	RET

// func eluPairGradAddAVX512(dx, pos, neg, dpos, dneg, add []float32)
// dx = (pos > 0 ? dpos - dneg·(neg+1) : dpos·(pos+1) - dneg) + add, for len(dx) rounded down to 16.
TEXT ·eluPairGradAddAVX512(SB), NOSPLIT, $0-144
	MOVQ dx_base+0(FP), DI
	MOVQ dx_len+8(FP), CX
	MOVQ pos_base+24(FP), SI
	MOVQ neg_base+48(FP), DX
	MOVQ dpos_base+72(FP), R8
	MOVQ dneg_base+96(FP), R9
	MOVQ add_base+120(FP), R10
	SHRQ $4, CX
	JZ   ga512done
	VBROADCASTSS expOne<>(SB), Z14
	VXORPS Z6, Z6, Z6

ga512loop:
	VMOVUPS (SI), Z0              // pos
	VMOVUPS (DX), Z1              // neg
	VMOVUPS (R8), Z2              // dpos
	VMOVUPS (R9), Z3              // dneg
	VCMPPS  $30, Z6, Z0, K1       // pos > 0, i.e. x > 0 (AVX2: the mask in Y5)
	VADDPS  Z14, Z1, Z1           // neg + 1
	VMOVAPS Z2, Z4
	VFNMADD231PS Z1, Z3, Z4       // a = dpos - dneg·(neg+1)
	VADDPS  Z14, Z0, Z0           // pos + 1
	VFMSUB213PS Z3, Z2, Z0        // b = dpos·(pos+1) - dneg
	VBLENDMPS Z4, Z0, K1, Z0
	VADDPS  (R10), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, R10
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, DI
	DECQ CX
	JNZ  ga512loop
	VZEROUPPER

ga512done:
	RET

// func gatedFwdAVX512(out, sig, x, val, gate []float32)
// sig = 1/(1 + e^-gate) and out = x + val·sig for len(x) rounded down to 16, with the same
// exponential as expAVX512 and the operations in the Go loop's order (the same floats).
TEXT ·gatedFwdAVX512(SB), NOSPLIT, $0-120
	MOVQ out_base+0(FP), DI
	MOVQ sig_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ val_base+72(FP), R8
	MOVQ gate_base+96(FP), R9
	SHRQ $4, CX
	JZ   gf512done
	LOADEXP512
	VBROADCASTSS expSign<>(SB), Z7

gf512loop:
	VMOVUPS (R9), Z0
	VXORPS  Z7, Z0, Z0            // -gate
	EXP512
	VADDPS  Z14, Z2, Z2           // 1 + e
	VDIVPS  Z2, Z14, Z5           // sig = 1/(1+e)
	VMOVUPS Z5, (DX)
	VMULPS  (R8), Z5, Z5          // val·sig
	VADDPS  (SI), Z5, Z5          // x + val·sig
	VMOVUPS Z5, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  gf512loop
	VZEROUPPER

gf512done:
	RET

// func gatedBwdAVX512(dval, dgate, d, sig, val []float32)
// dval = d·sig and dgate = d·val·sig·(1-sig), left to right as the Go loop, for len(d)
// rounded down to 16.
TEXT ·gatedBwdAVX512(SB), NOSPLIT, $0-120
	MOVQ dval_base+0(FP), DI
	MOVQ dgate_base+24(FP), DX
	MOVQ d_base+48(FP), SI
	MOVQ d_len+56(FP), CX
	MOVQ sig_base+72(FP), R8
	MOVQ val_base+96(FP), R9
	SHRQ $4, CX
	JZ   gb512done
	VBROADCASTSS expOne<>(SB), Z14

gb512loop:
	VMOVUPS (SI), Z0              // d
	VMOVUPS (R8), Z1              // sig
	VMULPS  Z1, Z0, Z2            // d·sig
	VMOVUPS Z2, (DI)
	VMULPS  (R9), Z0, Z3          // d·val
	VMULPS  Z1, Z3, Z3            // ·sig
	VSUBPS  Z1, Z14, Z4           // 1 - sig
	VMULPS  Z4, Z3, Z3
	VMOVUPS Z3, (DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  gb512loop
	VZEROUPPER

gb512done:
	RET

// func gatedSumAVX512(out, x, val, sig []float32)
// out = x + val·sig (the product rounded, then the sum, as gatedFwdAVX512) for len(x) rounded
// down to 16.
TEXT ·gatedSumAVX512(SB), NOSPLIT, $0-96
	MOVQ out_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ val_base+48(FP), R8
	MOVQ sig_base+72(FP), R9
	SHRQ $4, CX
	JZ   gs512done

gs512loop:
	VMOVUPS (R9), Z0
	VMULPS  (R8), Z0, Z0
	VADDPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  gs512loop
	VZEROUPPER

gs512done:
	RET

// CBBODY does the sixteen lanes of K1 at byte offset BX of every plane (masked-off lanes are
// neither read nor written, and add nothing to the sum in Z22).
#define CBBODY \
	VMOVUPS.Z (SI)(BX*1), K1, Z0 \
	VMULPS.Z  (R8)(BX*1), Z0, K1, Z1 \
	VMOVUPS Z1, K1, (DI)(BX*1) \
	VMOVUPS.Z (R13)(BX*1), K1, Z2 \
	VMULPS  Z2, Z1, Z3 \
	VMOVUPS Z3, K1, (R10)(BX*1) \
	VMOVUPS.Z (R12)(BX*1), K1, Z4 \
	VMULPS  Z2, Z4, Z4 \
	VADDPS.Z (R9)(BX*1), Z4, K1, Z4 \
	VMULPS  Z4, Z1, Z4 \
	VADDPS  Z20, Z4, Z4 \
	VMULPS  Z2, Z4, Z4 \
	VMOVUPS.Z (AX)(BX*1), K1, Z5 \
	VMULPS  Z5, Z5, Z6 \
	VSUBPS  Z6, Z14, Z6 \
	VMULPS  Z6, Z4, Z7 \
	VMOVUPS Z7, K1, (R11)(BX*1) \
	VMOVUPS.Z (DX)(BX*1), K1, Z8 \
	VDIVPS  Z21, Z8, Z8 \
	VMULPS  Z6, Z8, Z8 \
	VSUBPS  Z8, Z5, Z8 \
	VMULPS  Z21, Z4, Z9 \
	VMULPS  Z8, Z9, Z9 \
	VADDPS  Z9, Z22, K1, Z22

// func couplingBwdAVX512(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (dsc float32)
// The affine coupling's backward over one plane (len(d) elements, the last 1-15 under a lane
// mask), element by element in the Go loop's order:
//	de = d·e, dz = de, dht = de·keep, ds = (base + de·(z + t·keep))·keep,
//	sech2 = 1 - th·th, dhs = ds·sech2,
// and it returns Σ ds·f·(th - raw/f·sech2) (summed in sixteen lanes, then across them).
TEXT ·couplingBwdAVX512(SB), NOSPLIT, $0-252
	VBROADCASTSS expOne<>(SB), Z14
	VBROADCASTSS base+240(FP), Z20
	VBROADCASTSS f+244(FP), Z21
	VXORPS Z22, Z22, Z22
	MOVQ d_len+80(FP), CX
	ANDQ $15, CX
	MOVQ $1, BX
	SHLQ CX, BX
	DECQ BX
	KMOVW BX, K2                   // the tail's lanes
	MOVQ d_len+80(FP), CX
	SHRQ $4, CX
	SHLQ $6, CX                    // bytes in full vectors
	MOVQ $-1, BX
	KMOVW BX, K1
	XORQ BX, BX
	MOVQ dz_base+0(FP), DI
	MOVQ dht_base+24(FP), R10
	MOVQ dhs_base+48(FP), R11
	MOVQ d_base+72(FP), SI
	MOVQ e_base+96(FP), R8
	MOVQ z_base+120(FP), R9
	MOVQ t_base+144(FP), R12
	MOVQ keep_base+168(FP), R13
	MOVQ th_base+192(FP), AX
	MOVQ raw_base+216(FP), DX

cbloop:
	CMPQ BX, CX
	JGE  cbtail
	CBBODY
	ADDQ $64, BX
	JMP  cbloop

cbtail:
	KMOVW K2, K1
	KORTESTW K1, K1
	JZ   cbdone
	CBBODY

cbdone:
	VMOVAPS Z22, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS  Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, dsc+248(FP)
	VZEROUPPER
	RET

DATA cfTwo<>+0(SB)/4, $2.0
GLOBL cfTwo<>(SB), RODATA, $4

// CFBODY does the sixteen lanes of K1 at byte offset BX of every plane (masked-off lanes are
// neither read nor written, and add nothing to the sum in Z22).
#define CFBODY \
	VMOVUPS.Z (SI)(BX*1), K1, Z24 \
	VMULPS  Z25, Z24, Z24 \
	VDIVPS  Z26, Z24, Z0 \
	EXP512 \
	VSUBPS  Z14, Z2, Z27 \
	VADDPS  Z14, Z2, Z28 \
	VDIVPS  Z28, Z27, Z27 \
	VMOVUPS Z27, K1, (DI)(BX*1) \
	VMOVUPS.Z (R9)(BX*1), K1, Z29 \
	VMULPS  Z26, Z27, Z0 \
	VMULPS  Z29, Z0, Z0 \
	VADDPS  Z0, Z22, K1, Z22 \
	EXP512 \
	VMOVUPS Z2, K1, (DX)(BX*1) \
	VMOVUPS.Z (R8)(BX*1), K1, Z4 \
	VMULPS  Z29, Z4, Z4 \
	VADDPS.Z (R10)(BX*1), Z4, K1, Z4 \
	VMULPS  Z2, Z4, Z4 \
	VMOVUPS Z4, K1, (R11)(BX*1)

// func couplingFwdAVX512(th, es, out, raw, t, keep, z []float32, f float32) (sum float32)
// The affine coupling's forward over one plane (len(raw) elements, the last 1-15 under a lane
// mask), element by element in the Go loops' order:
//	th = tanh u = (e^2u - 1)/(e^2u + 1) with 2u = 2·raw/f, s = th·f·keep, es = e^s,
//	out = (z + t·keep)·es,
// and it returns Σ s (summed in sixteen lanes, then across them).
TEXT ·couplingFwdAVX512(SB), NOSPLIT, $0-180
	LOADEXP512
	VBROADCASTSS cfTwo<>(SB), Z25
	VBROADCASTSS f+168(FP), Z26
	VXORPS Z22, Z22, Z22
	MOVQ raw_len+80(FP), CX
	ANDQ $15, CX
	MOVQ $1, BX
	SHLQ CX, BX
	DECQ BX
	KMOVW BX, K2                   // the tail's lanes
	MOVQ raw_len+80(FP), CX
	SHRQ $4, CX
	SHLQ $6, CX                    // bytes in full vectors
	MOVQ $-1, BX
	KMOVW BX, K1
	XORQ BX, BX
	MOVQ th_base+0(FP), DI
	MOVQ es_base+24(FP), DX
	MOVQ out_base+48(FP), R11
	MOVQ raw_base+72(FP), SI
	MOVQ t_base+96(FP), R8
	MOVQ keep_base+120(FP), R9
	MOVQ z_base+144(FP), R10

cfloop:
	CMPQ BX, CX
	JGE  cftail
	CFBODY
	ADDQ $64, BX
	JMP  cfloop

cftail:
	KMOVW K2, K1
	KORTESTW K1, K1
	JZ   cfdone
	CFBODY

cfdone:
	VMOVAPS Z22, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS  Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, sum+176(FP)
	VZEROUPPER
	RET

// Cephes logf: log x = e·ln2 + log m with x = m·2^e, m in [√½, √2), and
// log m = f - f²/2 + f³·P(f) for f = m - 1 (relative error about 1e-7).
DATA logSqrt2<>+0(SB)/4, $1.41421356237
GLOBL logSqrt2<>(SB), RODATA, $4
CONST8(logP0, $7.0376836292e-2)
CONST8(logP1, $-1.1514610310e-1)
CONST8(logP2, $1.1676998740e-1)
CONST8(logP3, $-1.2420140846e-1)
CONST8(logP4, $1.4249322787e-1)
CONST8(logP5, $-1.6668057665e-1)
CONST8(logP6, $2.0000714765e-1)
CONST8(logP7, $-2.4999993993e-1)
CONST8(logP8, $3.3333331174e-1)
CONST8(logQ1, $-2.12194440e-4)
CONST8(logQ2, $0.693359375)

// LOG512 sets Z2 = log Z0 for positive normal Z0 (Z11 = ½, Z14 = 1, Z24 = √2); it clobbers
// Z1, Z3, Z4 and K3.
#define LOG512 \
	VGETMANTPS $0, Z0, Z1 \
	VGETEXPPS  Z0, Z3 \
	VCMPPS     $30, Z24, Z1, K3 \
	VMULPS     Z11, Z1, K3, Z1 \
	VADDPS     Z14, Z3, K3, Z3 \
	VSUBPS     Z14, Z1, Z1 \
	VBROADCASTSS logP0<>(SB), Z2 \
	VFMADD213PS.BCST logP1<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP2<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP3<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP4<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP5<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP6<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP7<>(SB), Z1, Z2 \
	VFMADD213PS.BCST logP8<>(SB), Z1, Z2 \
	VMULPS     Z1, Z1, Z4 \
	VMULPS     Z1, Z2, Z2 \
	VMULPS     Z4, Z2, Z2 \
	VFMADD231PS.BCST logQ1<>(SB), Z3, Z2 \
	VFNMADD231PS Z11, Z4, Z2 \
	VADDPS     Z1, Z2, Z2 \
	VFMADD231PS.BCST logQ2<>(SB), Z3, Z2

// SETTAIL sets K2 to the low (DX & 15) lanes and CX to the bytes of DX's full vectors; it
// clobbers AX.
#define SETTAIL \
	MOVQ DX, CX \
	ANDQ $15, CX \
	MOVQ $1, AX \
	SHLQ CX, AX \
	DECQ AX \
	KMOVW AX, K2 \
	MOVQ DX, CX \
	SHRQ $4, CX \
	SHLQ $6, CX

// LOGITBODY: the lanes of K1 at byte offset BX. v = a + bs·b, w = v·k + c (fused) and
// 1-w = (1-c) - v·k with k (Z26 + Z29) and 1-c (Z28 + Z30) in two floats each, so that 1-w
// keeps float32 precision as w approaches 1; y = log(w/(1-w)), dy = k/(w(1-w)), dl = k(w-(1-w))/(w(1-w)),
// and Z22 += -log(w(1-w)).
#define LOGITBODY \
	VMOVUPS.Z (SI)(BX*1), K1, Z5 \
	VMOVUPS.Z (R9)(BX*1), K1, Z6 \
	VFMADD231PS Z25, Z6, Z5 \
	VMOVAPS Z28, Z6 \
	VFNMADD231PS Z26, Z5, Z6 \
	VFNMADD231PS Z29, Z5, Z6 \
	VADDPS  Z30, Z6, Z6 \
	VFMADD213PS Z27, Z26, Z5 \
	VDIVPS  Z6, Z5, Z0 \
	LOG512 \
	VMOVUPS Z2, K1, (DI)(BX*1) \
	VMULPS  Z6, Z5, Z7 \
	VMOVAPS Z7, Z0 \
	LOG512 \
	VSUBPS  Z2, Z22, K1, Z22 \
	VDIVPS  Z7, Z26, Z7 \
	VMOVUPS Z7, K1, (R10)(BX*1) \
	VSUBPS  Z6, Z5, Z5 \
	VMULPS  Z5, Z7, Z7 \
	VMOVUPS Z7, K1, (R11)(BX*1)

// func logitAVX512(out, dy, dl, a, b []float32, bs, k, klo, c, om, omlo float32) (sum float32)
// The dequantization logit over len(a) elements (the last 1-15 under a lane mask) of
// v = a + bs·b: out = y, dy, dl as LOGITBODY (k + klo and om + omlo: k and 1-c in two floats);
// it returns Σ -log(w(1-w)).
TEXT ·logitAVX512(SB), NOSPLIT, $0-148
	VBROADCASTSS expHalf<>(SB), Z11
	VBROADCASTSS expOne<>(SB), Z14
	VBROADCASTSS logSqrt2<>(SB), Z24
	VBROADCASTSS bs+120(FP), Z25
	VBROADCASTSS k+124(FP), Z26
	VBROADCASTSS klo+128(FP), Z29
	VBROADCASTSS c+132(FP), Z27
	VBROADCASTSS om+136(FP), Z28
	VBROADCASTSS omlo+140(FP), Z30
	VXORPS Z22, Z22, Z22
	MOVQ a_len+80(FP), DX
	SETTAIL
	MOVQ $-1, AX
	KMOVW AX, K1
	XORQ BX, BX
	MOVQ out_base+0(FP), DI
	MOVQ dy_base+24(FP), R10
	MOVQ dl_base+48(FP), R11
	MOVQ a_base+72(FP), SI
	MOVQ b_base+96(FP), R9

lgloop:
	CMPQ BX, CX
	JGE  lgtail
	LOGITBODY
	ADDQ $64, BX
	JMP  lgloop

lgtail:
	KMOVW K2, K1
	KORTESTW K1, K1
	JZ   lgdone
	LOGITBODY

lgdone:
	VMOVAPS Z22, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS  Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, sum+144(FP)
	VZEROUPPER
	RET

// SIGMOIDBODY: the lanes of K1 at byte offset BX. With e = e^-|v|: s = σ(v) (1/(1+e) for
// v ≥ 0, e/(1+e) below), out = (s - Z30)/Z31, dy = s(1-s)/Z31, dl = 1 - 2s, and
// Z22 += -|v| - 2·log(1+e) = log σ'(v).
#define SIGMOIDBODY \
	VMOVUPS.Z (SI)(BX*1), K1, Z5 \
	VORPS   Z28, Z5, Z0 \
	VMOVAPS Z0, Z23 \
	EXP512 \
	VADDPS  Z14, Z2, Z6 \
	VDIVPS  Z6, Z14, Z7 \
	VMULPS  Z7, Z2, Z25 \
	VCMPPS  $29, Z29, Z5, K4 \
	VBLENDMPS Z7, Z25, K4, Z26 \
	VMOVAPS Z6, Z0 \
	LOG512 \
	VADDPS  Z2, Z2, Z2 \
	VSUBPS  Z2, Z23, Z23 \
	VADDPS  Z23, Z22, K1, Z22 \
	VSUBPS  Z30, Z26, Z0 \
	VDIVPS  Z31, Z0, Z0 \
	VMOVUPS Z0, K1, (DI)(BX*1) \
	VSUBPS  Z26, Z14, Z1 \
	VMULPS  Z1, Z26, Z1 \
	VDIVPS  Z31, Z1, Z1 \
	VMOVUPS Z1, K1, (R10)(BX*1) \
	VADDPS  Z26, Z26, Z1 \
	VSUBPS  Z1, Z14, Z1 \
	VMOVUPS Z1, K1, (R11)(BX*1)

// func sigmoidAVX512(out, dy, dl, a []float32, ah, om float32) (sum float32)
// The variational dequantization's sigmoid over len(a) elements (the last 1-15 under a lane
// mask) as SIGMOIDBODY with Z30 = ah, Z31 = om; it returns Σ log σ'(v).
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-108
	LOADEXP512
	VBROADCASTSS logSqrt2<>(SB), Z24
	VBROADCASTSS expSign<>(SB), Z28
	VXORPS Z29, Z29, Z29
	VBROADCASTSS ah+96(FP), Z30
	VBROADCASTSS om+100(FP), Z31
	VXORPS Z22, Z22, Z22
	MOVQ a_len+80(FP), DX
	SETTAIL
	MOVQ $-1, AX
	KMOVW AX, K1
	XORQ BX, BX
	MOVQ out_base+0(FP), DI
	MOVQ dy_base+24(FP), R10
	MOVQ dl_base+48(FP), R11
	MOVQ a_base+72(FP), SI

sgloop:
	CMPQ BX, CX
	JGE  sgtail
	SIGMOIDBODY
	ADDQ $64, BX
	JMP  sgloop

sgtail:
	KMOVW K2, K1
	KORTESTW K1, K1
	JZ   sgdone
	SIGMOIDBODY

sgdone:
	VMOVAPS Z22, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS  Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, sum+104(FP)
	VZEROUPPER
	RET

// AVX2 forms of the fused loops above, for processors with AVX2 and FMA but not AVX-512: eight
// lanes at a time over the leading len rounded down to a multiple of 8 (the caller's Go loop does
// the rest), on Y0-Y15, with the AVX-512 forms' operations in their order except the exponential:
// EXP (and EXPM) round k as floor(x·log2e + ½) and build 2^k from bits, as expAVX2, where EXP512
// rounds to nearest and scales by VSCALEFPS. So the gated and coupling loops give the floats the
// Go loops give on an AVX2 processor (their exponentials are expAVX2's), not the AVX-512 floats.

DATA mantBits<>+0(SB)/4, $0x007fffff
GLOBL mantBits<>(SB), RODATA, $4

// EXPM is EXP with every constant a memory operand (CONST8), so that it uses Y0-Y4
// only (Y2 = e^Y0; Y0, Y1, Y3, Y4 clobbered) and leaves the loop its other registers (the
// sigmoid's, which has no room for EXP's eight constants).
#define EXPM \
	VMINPS  expHi<>(SB), Y0, Y0 \
	VMAXPS  expLo<>(SB), Y0, Y0 \
	VMULPS  expLog2e<>(SB), Y0, Y1 \
	VADDPS  expHalf<>(SB), Y1, Y1 \
	VROUNDPS $1, Y1, Y1 \
	VFNMADD231PS expC1<>(SB), Y1, Y0 \
	VFNMADD231PS expC2<>(SB), Y1, Y0 \
	VMOVUPS      expP0<>(SB), Y2 \
	VFMADD213PS  expP1<>(SB), Y0, Y2 \
	VFMADD213PS  expP2<>(SB), Y0, Y2 \
	VFMADD213PS  expP3<>(SB), Y0, Y2 \
	VFMADD213PS  expP4<>(SB), Y0, Y2 \
	VFMADD213PS  expP5<>(SB), Y0, Y2 \
	VMULPS       Y0, Y0, Y3 \
	VFMADD213PS  Y0, Y3, Y2 \
	VADDPS       expOne<>(SB), Y2, Y2 \
	VCVTPS2DQ    Y1, Y4 \
	VPADDD       exp127<>(SB), Y4, Y4 \
	VPSLLD       $23, Y4, Y4 \
	VMULPS       Y4, Y2, Y2

// LOGM sets Y2 = log Y0 for positive normal Y0, LOG512's floats (its mantissa and exponent read
// off the bits: VGETMANTPS and VGETEXPPS give the same for normal inputs), with its constants
// broadcast from memory or, in the polynomial, read as operands; it clobbers Y0, Y1, Y3, Y4.
#define LOGM \
	VPSRLD $23, Y0, Y3 \
	VPBROADCASTD exp127<>(SB), Y4 \
	VPSUBD Y4, Y3, Y3 \
	VCVTDQ2PS Y3, Y3 \
	VPBROADCASTD mantBits<>(SB), Y4 \
	VANDPS Y4, Y0, Y1 \
	VBROADCASTSS expOne<>(SB), Y4 \
	VORPS  Y4, Y1, Y1 \
	VBROADCASTSS logSqrt2<>(SB), Y4 \
	VCMPPS $30, Y4, Y1, Y4 \
	VBROADCASTSS expHalf<>(SB), Y0 \
	VMULPS Y0, Y1, Y0 \
	VBLENDVPS Y4, Y0, Y1, Y1 \
	VBROADCASTSS expOne<>(SB), Y0 \
	VANDPS Y0, Y4, Y4 \
	VADDPS Y4, Y3, Y3 \
	VSUBPS Y0, Y1, Y1 \
	VMOVUPS     logP0<>(SB), Y2 \
	VFMADD213PS logP1<>(SB), Y1, Y2 \
	VFMADD213PS logP2<>(SB), Y1, Y2 \
	VFMADD213PS logP3<>(SB), Y1, Y2 \
	VFMADD213PS logP4<>(SB), Y1, Y2 \
	VFMADD213PS logP5<>(SB), Y1, Y2 \
	VFMADD213PS logP6<>(SB), Y1, Y2 \
	VFMADD213PS logP7<>(SB), Y1, Y2 \
	VFMADD213PS logP8<>(SB), Y1, Y2 \
	VMULPS     Y1, Y1, Y4 \
	VMULPS     Y1, Y2, Y2 \
	VMULPS     Y4, Y2, Y2 \
	VFMADD231PS logQ1<>(SB), Y3, Y2 \
	VFNMADD231PS expHalf<>(SB), Y4, Y2 \
	VADDPS     Y1, Y2, Y2 \
	VFMADD231PS logQ2<>(SB), Y3, Y2

// HSUM8 sets X0's low float to the sum of Y0's eight lanes.
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS  X1, X0, X0 \
	VHADDPS X0, X0, X0 \
	VHADDPS X0, X0, X0

// func couplingBwdAVX2(dz, dht, dhs, d, e, z, t, keep, th, raw []float32, base, f float32) (dsc float32)
// couplingBwdAVX512's loop over len(d) rounded down to 8 (Y13 = 1, Y10 = base, Y11 = f, the sum
// in Y12); it returns the sum over those elements.
TEXT ·couplingBwdAVX2(SB), NOSPLIT, $0-252
	VBROADCASTSS expOne<>(SB), Y13
	VBROADCASTSS base+240(FP), Y10
	VBROADCASTSS f+244(FP), Y11
	VXORPS Y12, Y12, Y12
	MOVQ d_len+80(FP), CX
	SHRQ $3, CX
	SHLQ $5, CX                    // bytes in full vectors
	XORQ BX, BX
	MOVQ dz_base+0(FP), DI
	MOVQ dht_base+24(FP), R10
	MOVQ dhs_base+48(FP), R11
	MOVQ d_base+72(FP), SI
	MOVQ e_base+96(FP), R8
	MOVQ z_base+120(FP), R9
	MOVQ t_base+144(FP), R12
	MOVQ keep_base+168(FP), R13
	MOVQ th_base+192(FP), AX
	MOVQ raw_base+216(FP), DX

cb2loop:
	CMPQ BX, CX
	JGE  cb2done
	VMOVUPS (SI)(BX*1), Y0         // d
	VMULPS  (R8)(BX*1), Y0, Y1     // de = d·e
	VMOVUPS Y1, (DI)(BX*1)         // dz
	VMOVUPS (R13)(BX*1), Y2        // keep
	VMULPS  Y2, Y1, Y3
	VMOVUPS Y3, (R10)(BX*1)        // dht = de·keep
	VMOVUPS (R12)(BX*1), Y4        // t
	VMULPS  Y2, Y4, Y4
	VADDPS  (R9)(BX*1), Y4, Y4     // z + t·keep
	VMULPS  Y4, Y1, Y4
	VADDPS  Y10, Y4, Y4
	VMULPS  Y2, Y4, Y4             // ds
	VMOVUPS (AX)(BX*1), Y5         // th
	VMULPS  Y5, Y5, Y6
	VSUBPS  Y6, Y13, Y6            // sech2
	VMULPS  Y6, Y4, Y7
	VMOVUPS Y7, (R11)(BX*1)        // dhs = ds·sech2
	VMOVUPS (DX)(BX*1), Y8         // raw
	VDIVPS  Y11, Y8, Y8
	VMULPS  Y6, Y8, Y8
	VSUBPS  Y8, Y5, Y8             // th - raw/f·sech2
	VMULPS  Y11, Y4, Y9
	VMULPS  Y8, Y9, Y9
	VADDPS  Y9, Y12, Y12
	ADDQ $32, BX
	JMP  cb2loop

cb2done:
	VMOVAPS Y12, Y0
	HSUM8
	VMOVSS  X0, dsc+248(FP)
	VZEROUPPER
	RET

// func couplingFwdAVX2(th, es, out, raw, t, keep, z []float32, f float32) (sum float32)
// couplingFwdAVX512's loop over len(raw) rounded down to 8 (EXP's constants in Y8-Y15, Y5 = f,
// keep in Y7, the sum in Y6); it returns the sum of s over those elements.
TEXT ·couplingFwdAVX2(SB), NOSPLIT, $0-180
	LOADEXP
	VBROADCASTSS f+168(FP), Y5
	VXORPS Y6, Y6, Y6
	MOVQ raw_len+80(FP), CX
	SHRQ $3, CX
	SHLQ $5, CX                    // bytes in full vectors
	XORQ BX, BX
	MOVQ th_base+0(FP), DI
	MOVQ es_base+24(FP), DX
	MOVQ out_base+48(FP), R11
	MOVQ raw_base+72(FP), SI
	MOVQ t_base+96(FP), R8
	MOVQ keep_base+120(FP), R9
	MOVQ z_base+144(FP), R10

cf2loop:
	CMPQ BX, CX
	JGE  cf2done
	VMOVUPS (SI)(BX*1), Y0         // raw
	VADDPS  Y0, Y0, Y0             // 2·raw (exact, as 2·raw)
	VDIVPS  Y5, Y0, Y0             // 2u
	EXP                            // e^2u
	VSUBPS  Y14, Y2, Y4
	VADDPS  Y14, Y2, Y2
	VDIVPS  Y2, Y4, Y4             // th = (e^2u - 1)/(e^2u + 1)
	VMOVUPS Y4, (DI)(BX*1)
	VMOVUPS (R9)(BX*1), Y7         // keep
	VMULPS  Y5, Y4, Y0
	VMULPS  Y7, Y0, Y0             // s = th·f·keep
	VADDPS  Y0, Y6, Y6
	EXP                            // es = e^s
	VMOVUPS Y2, (DX)(BX*1)
	VMOVUPS (R8)(BX*1), Y4         // t
	VMULPS  Y7, Y4, Y4
	VADDPS  (R10)(BX*1), Y4, Y4    // z + t·keep
	VMULPS  Y2, Y4, Y4
	VMOVUPS Y4, (R11)(BX*1)        // out
	ADDQ $32, BX
	JMP  cf2loop

cf2done:
	VMOVAPS Y6, Y0
	HSUM8
	VMOVSS  X0, sum+176(FP)
	VZEROUPPER
	RET

// func logitAVX2(out, dy, dl, a, b []float32, bs, k, klo, c, om, omlo float32) (sum float32)
// logitAVX512's map over len(a) rounded down to 8 (Y8 = bs, Y9 = k, Y10 = klo, Y11 = c,
// Y12 = om, Y13 = omlo, the sum in Y14); it returns Σ -log(w(1-w)) over those elements.
TEXT ·logitAVX2(SB), NOSPLIT, $0-148
	VBROADCASTSS bs+120(FP), Y8
	VBROADCASTSS k+124(FP), Y9
	VBROADCASTSS klo+128(FP), Y10
	VBROADCASTSS c+132(FP), Y11
	VBROADCASTSS om+136(FP), Y12
	VBROADCASTSS omlo+140(FP), Y13
	VXORPS Y14, Y14, Y14
	MOVQ a_len+80(FP), CX
	SHRQ $3, CX
	SHLQ $5, CX                    // bytes in full vectors
	XORQ BX, BX
	MOVQ out_base+0(FP), DI
	MOVQ dy_base+24(FP), R10
	MOVQ dl_base+48(FP), R11
	MOVQ a_base+72(FP), SI
	MOVQ b_base+96(FP), R9

lg2loop:
	CMPQ BX, CX
	JGE  lg2done
	VMOVUPS (SI)(BX*1), Y5
	VMOVUPS (R9)(BX*1), Y6
	VFMADD231PS Y8, Y6, Y5         // v = a + bs·b
	VMOVAPS Y12, Y6
	VFNMADD231PS Y9, Y5, Y6
	VFNMADD231PS Y10, Y5, Y6
	VADDPS  Y13, Y6, Y6            // 1-w = (1-c) - v·k
	VFMADD213PS Y11, Y9, Y5        // w = v·k + c
	VDIVPS  Y6, Y5, Y0
	LOGM
	VMOVUPS Y2, (DI)(BX*1)         // y = log(w/(1-w))
	VMULPS  Y6, Y5, Y7             // w(1-w)
	VMOVAPS Y7, Y0
	LOGM
	VSUBPS  Y2, Y14, Y14
	VDIVPS  Y7, Y9, Y7
	VMOVUPS Y7, (R10)(BX*1)        // dy = k/(w(1-w))
	VSUBPS  Y6, Y5, Y5
	VMULPS  Y5, Y7, Y7
	VMOVUPS Y7, (R11)(BX*1)        // dl
	ADDQ $32, BX
	JMP  lg2loop

lg2done:
	VMOVAPS Y14, Y0
	HSUM8
	VMOVSS  X0, sum+144(FP)
	VZEROUPPER
	RET

// func sigmoidAVX2(out, dy, dl, a []float32, ah, om float32) (sum float32)
// sigmoidAVX512's map over len(a) rounded down to 8 (Y8 = sign bit, Y9 = 0, Y10 = ah, Y11 = om,
// the sum in Y12); it returns Σ log σ'(v) over those elements.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-108
	VBROADCASTSS expSign<>(SB), Y8
	VXORPS Y9, Y9, Y9
	VBROADCASTSS ah+96(FP), Y10
	VBROADCASTSS om+100(FP), Y11
	VXORPS Y12, Y12, Y12
	MOVQ a_len+80(FP), CX
	SHRQ $3, CX
	SHLQ $5, CX                    // bytes in full vectors
	XORQ BX, BX
	MOVQ out_base+0(FP), DI
	MOVQ dy_base+24(FP), R10
	MOVQ dl_base+48(FP), R11
	MOVQ a_base+72(FP), SI

sg2loop:
	CMPQ BX, CX
	JGE  sg2done
	VMOVUPS (SI)(BX*1), Y5         // v
	VORPS   Y8, Y5, Y0             // -|v|
	VMOVAPS Y0, Y6
	EXPM                           // e = e^-|v|
	VBROADCASTSS expOne<>(SB), Y3
	VADDPS  Y3, Y2, Y7             // 1 + e
	VDIVPS  Y7, Y3, Y4             // 1/(1+e)
	VMULPS  Y4, Y2, Y2             // e/(1+e)
	VCMPPS  $29, Y9, Y5, Y3        // v ≥ 0
	VMOVAPS Y7, Y0
	VBLENDVPS Y3, Y4, Y2, Y7       // s = σ(v)
	LOGM                           // log(1+e)
	VADDPS  Y2, Y2, Y2
	VSUBPS  Y2, Y6, Y6             // -|v| - 2·log(1+e)
	VADDPS  Y6, Y12, Y12
	VSUBPS  Y10, Y7, Y0
	VDIVPS  Y11, Y0, Y0
	VMOVUPS Y0, (DI)(BX*1)         // out = (s - ah)/om
	VBROADCASTSS expOne<>(SB), Y3
	VSUBPS  Y7, Y3, Y1
	VMULPS  Y1, Y7, Y1
	VDIVPS  Y11, Y1, Y1
	VMOVUPS Y1, (R10)(BX*1)        // dy = s(1-s)/om
	VADDPS  Y7, Y7, Y1
	VSUBPS  Y1, Y3, Y1
	VMOVUPS Y1, (R11)(BX*1)        // dl = 1 - 2s
	ADDQ $32, BX
	JMP  sg2loop

sg2done:
	VMOVAPS Y12, Y0
	HSUM8
	VMOVSS  X0, sum+104(FP)
	VZEROUPPER
	RET

// BEGIN pointwise_gen.go: the AVX2 forms of the AVX-512 exponential, ELU-pair and gated loops
// above, written from them (`go generate ./flow/kernel`); edit those, not these.

// func expAVX2(dst, src []float32)
// dst[i] = e^src[i] for i < len(src) rounded down to a multiple of 8.
TEXT ·expAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	JZ   exp2done
	LOADEXP

exp2loop:
	VMOVUPS (SI), Y0
	EXP
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  exp2loop
	VZEROUPPER

exp2done:
	RET

// func eluPairAVX2(pos, neg, x []float32)
// pos = elu(x), neg = elu(-x) for the first len(x) rounded down to a multiple of 8 elements:
// with e = e^-|x|, pos = x > 0 ? x : e-1 and neg = x > 0 ? e-1 : -x.
TEXT ·eluPairAVX2(SB), NOSPLIT, $0-72
	MOVQ pos_base+0(FP), DI
	MOVQ neg_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	SHRQ $3, CX
	JZ   elu2done
	LOADEXP
	VBROADCASTSS expSign<>(SB), Y7
	VXORPS Y6, Y6, Y6

elu2loop:
	VMOVUPS (SI), Y5
	VORPS   Y7, Y5, Y0            // -|x|
	EXP
	VSUBPS  Y14, Y2, Y2           // e - 1
	VCMPPS  $30, Y6, Y5, Y1       // x > 0
	VXORPS  Y7, Y5, Y3            // -x
	VBLENDVPS Y1, Y5, Y2, Y4      // pos
	VBLENDVPS Y1, Y2, Y3, Y0      // neg
	VMOVUPS Y4, (DI)
	VMOVUPS Y0, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  elu2loop
	VZEROUPPER

elu2done:
	RET

// func eluPairGradAVX2(dx, pos, neg, dpos, dneg []float32)
// dx = pos > 0 ? dpos - dneg·(neg+1) : dpos·(pos+1) - dneg, for len(dx) rounded down to 8.
TEXT ·eluPairGradAVX2(SB), NOSPLIT, $0-120
	MOVQ dx_base+0(FP), DI
	MOVQ dx_len+8(FP), CX
	MOVQ pos_base+24(FP), SI
	MOVQ neg_base+48(FP), DX
	MOVQ dpos_base+72(FP), R8
	MOVQ dneg_base+96(FP), R9
	SHRQ $3, CX
	JZ   g2done
	VBROADCASTSS expOne<>(SB), Y14
	VXORPS Y6, Y6, Y6

g2loop:
	VMOVUPS (SI), Y0              // pos
	VMOVUPS (DX), Y1              // neg
	VMOVUPS (R8), Y2              // dpos
	VMOVUPS (R9), Y3              // dneg
	VCMPPS  $30, Y6, Y0, Y5       // pos > 0, i.e. x > 0
	VADDPS  Y14, Y1, Y1           // neg + 1
	VMOVAPS Y2, Y4
	VFNMADD231PS Y1, Y3, Y4       // a = dpos - dneg·(neg+1)
	VADDPS  Y14, Y0, Y0           // pos + 1
	VFMSUB213PS Y3, Y2, Y0        // b = dpos·(pos+1) - dneg
	VBLENDVPS Y5, Y4, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DI
	DECQ CX
	JNZ  g2loop
	VZEROUPPER

g2done:
	RET

// func eluPairGradAddAVX2(dx, pos, neg, dpos, dneg, add []float32)
// dx = (pos > 0 ? dpos - dneg·(neg+1) : dpos·(pos+1) - dneg) + add, for len(dx) rounded down to 8.
TEXT ·eluPairGradAddAVX2(SB), NOSPLIT, $0-144
	MOVQ dx_base+0(FP), DI
	MOVQ dx_len+8(FP), CX
	MOVQ pos_base+24(FP), SI
	MOVQ neg_base+48(FP), DX
	MOVQ dpos_base+72(FP), R8
	MOVQ dneg_base+96(FP), R9
	MOVQ add_base+120(FP), R10
	SHRQ $3, CX
	JZ   ga2done
	VBROADCASTSS expOne<>(SB), Y14
	VXORPS Y6, Y6, Y6

ga2loop:
	VMOVUPS (SI), Y0              // pos
	VMOVUPS (DX), Y1              // neg
	VMOVUPS (R8), Y2              // dpos
	VMOVUPS (R9), Y3              // dneg
	VCMPPS  $30, Y6, Y0, Y5       // pos > 0, i.e. x > 0
	VADDPS  Y14, Y1, Y1           // neg + 1
	VMOVAPS Y2, Y4
	VFNMADD231PS Y1, Y3, Y4       // a = dpos - dneg·(neg+1)
	VADDPS  Y14, Y0, Y0           // pos + 1
	VFMSUB213PS Y3, Y2, Y0        // b = dpos·(pos+1) - dneg
	VBLENDVPS Y5, Y4, Y0, Y0
	VADDPS  (R10), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, R10
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DI
	DECQ CX
	JNZ  ga2loop
	VZEROUPPER

ga2done:
	RET

// func gatedFwdAVX2(out, sig, x, val, gate []float32)
// sig = 1/(1 + e^-gate) and out = x + val·sig for len(x) rounded down to 8, with the same
// exponential as expAVX2 and the operations in the Go loop's order (the same floats).
TEXT ·gatedFwdAVX2(SB), NOSPLIT, $0-120
	MOVQ out_base+0(FP), DI
	MOVQ sig_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ val_base+72(FP), R8
	MOVQ gate_base+96(FP), R9
	SHRQ $3, CX
	JZ   gf2done
	LOADEXP
	VBROADCASTSS expSign<>(SB), Y7

gf2loop:
	VMOVUPS (R9), Y0
	VXORPS  Y7, Y0, Y0            // -gate
	EXP
	VADDPS  Y14, Y2, Y2           // 1 + e
	VDIVPS  Y2, Y14, Y5           // sig = 1/(1+e)
	VMOVUPS Y5, (DX)
	VMULPS  (R8), Y5, Y5          // val·sig
	VADDPS  (SI), Y5, Y5          // x + val·sig
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  gf2loop
	VZEROUPPER

gf2done:
	RET

// func gatedBwdAVX2(dval, dgate, d, sig, val []float32)
// dval = d·sig and dgate = d·val·sig·(1-sig), left to right as the Go loop, for len(d)
// rounded down to 8.
TEXT ·gatedBwdAVX2(SB), NOSPLIT, $0-120
	MOVQ dval_base+0(FP), DI
	MOVQ dgate_base+24(FP), DX
	MOVQ d_base+48(FP), SI
	MOVQ d_len+56(FP), CX
	MOVQ sig_base+72(FP), R8
	MOVQ val_base+96(FP), R9
	SHRQ $3, CX
	JZ   gb2done
	VBROADCASTSS expOne<>(SB), Y14

gb2loop:
	VMOVUPS (SI), Y0              // d
	VMOVUPS (R8), Y1              // sig
	VMULPS  Y1, Y0, Y2            // d·sig
	VMOVUPS Y2, (DI)
	VMULPS  (R9), Y0, Y3          // d·val
	VMULPS  Y1, Y3, Y3            // ·sig
	VSUBPS  Y1, Y14, Y4           // 1 - sig
	VMULPS  Y4, Y3, Y3
	VMOVUPS Y3, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  gb2loop
	VZEROUPPER

gb2done:
	RET

// func gatedSumAVX2(out, x, val, sig []float32)
// out = x + val·sig (the product rounded, then the sum, as gatedFwdAVX2) for len(x) rounded
// down to 8.
TEXT ·gatedSumAVX2(SB), NOSPLIT, $0-96
	MOVQ out_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ val_base+48(FP), R8
	MOVQ sig_base+72(FP), R9
	SHRQ $3, CX
	JZ   gs2done

gs2loop:
	VMOVUPS (R9), Y0
	VMULPS  (R8), Y0, Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  gs2loop
	VZEROUPPER

gs2done:
	RET
// END pointwise_gen.go
