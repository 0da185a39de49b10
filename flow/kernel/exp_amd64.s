#include "textflag.h"

// Cephes expf constants, one float32 each, broadcast into Y registers.
DATA expHi<>+0(SB)/4, $88.3762626647949
GLOBL expHi<>(SB), RODATA, $4
DATA expLo<>+0(SB)/4, $-87.0
GLOBL expLo<>(SB), RODATA, $4
DATA expLog2e<>+0(SB)/4, $1.44269504088896341
GLOBL expLog2e<>(SB), RODATA, $4
DATA expHalf<>+0(SB)/4, $0.5
GLOBL expHalf<>(SB), RODATA, $4
DATA expOne<>+0(SB)/4, $1.0
GLOBL expOne<>(SB), RODATA, $4
DATA expC1<>+0(SB)/4, $0.693359375
GLOBL expC1<>(SB), RODATA, $4
DATA expC2<>+0(SB)/4, $-2.12194440e-4
GLOBL expC2<>(SB), RODATA, $4
DATA expP0<>+0(SB)/4, $1.9875691500e-4
GLOBL expP0<>(SB), RODATA, $4
DATA expP1<>+0(SB)/4, $1.3981999507e-3
GLOBL expP1<>(SB), RODATA, $4
DATA expP2<>+0(SB)/4, $8.3334519073e-3
GLOBL expP2<>(SB), RODATA, $4
DATA expP3<>+0(SB)/4, $4.1665795894e-2
GLOBL expP3<>(SB), RODATA, $4
DATA expP4<>+0(SB)/4, $1.6666665459e-1
GLOBL expP4<>(SB), RODATA, $4
DATA expP5<>+0(SB)/4, $5.0000001201e-1
GLOBL expP5<>(SB), RODATA, $4
DATA exp127<>+0(SB)/4, $127
GLOBL exp127<>(SB), RODATA, $4

// func expAVX2(dst, src []float32)
// dst[i] = e^src[i] for i < len(src) rounded down to a multiple of 8.
TEXT ·expAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	JZ   done
	VBROADCASTSS expHi<>(SB), Y8
	VBROADCASTSS expLo<>(SB), Y9
	VBROADCASTSS expLog2e<>(SB), Y10
	VBROADCASTSS expHalf<>(SB), Y11
	VBROADCASTSS expC1<>(SB), Y12
	VBROADCASTSS expC2<>(SB), Y13
	VBROADCASTSS expOne<>(SB), Y14
	VPBROADCASTD exp127<>(SB), Y15

loop:
	VMOVUPS (SI), Y0
	VMINPS  Y8, Y0, Y0                // clamp to the float32 range of e^x
	VMAXPS  Y9, Y0, Y0
	VMULPS  Y10, Y0, Y1               // k = floor(x·log2e + 1/2)
	VADDPS  Y11, Y1, Y1
	VROUNDPS $1, Y1, Y1
	VFNMADD231PS Y12, Y1, Y0          // r = x - k·C1 - k·C2
	VFNMADD231PS Y13, Y1, Y0
	VBROADCASTSS expP0<>(SB), Y2      // p = polynomial in r (Horner)
	VBROADCASTSS expP1<>(SB), Y3
	VFMADD213PS  Y3, Y0, Y2
	VBROADCASTSS expP2<>(SB), Y3
	VFMADD213PS  Y3, Y0, Y2
	VBROADCASTSS expP3<>(SB), Y3
	VFMADD213PS  Y3, Y0, Y2
	VBROADCASTSS expP4<>(SB), Y3
	VFMADD213PS  Y3, Y0, Y2
	VBROADCASTSS expP5<>(SB), Y3
	VFMADD213PS  Y3, Y0, Y2
	VMULPS       Y0, Y0, Y3           // e^r = p·r² + r + 1
	VFMADD213PS  Y0, Y3, Y2
	VADDPS       Y14, Y2, Y2
	VCVTPS2DQ    Y1, Y4               // 2^k into the exponent bits
	VPADDD       Y15, Y4, Y4
	VPSLLD       $23, Y4, Y4
	VMULPS       Y4, Y2, Y2
	VMOVUPS      Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	RET
