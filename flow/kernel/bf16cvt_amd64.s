// Written by hand; what it is for: bf16cvt_amd64.go.

#include "textflag.h"

// VCVTNE2PS2BF16 Z0, Z2, Z1 in Intel's order (vcvtne2ps2bf16 zmm0, zmm2, zmm1): words 0-15 of Z0
// are Z1's floats rounded to bfloat16, words 16-31 Z2's. Hand-encoded (EVEX.512.F2.0F38.W0 72):
// Go's assembler has no BF16 mnemonics.
#define VCVTNE2PS2BF16_Z0_Z2_Z1 BYTE $0x62; BYTE $0xf2; BYTE $0x6f; BYTE $0x48; BYTE $0x72; BYTE $0xc1

// func cvtBF16Run(src *float32, dst *uint16, n int)
// dst[i] = bfloat16(src[i]) for i < n, n a positive multiple of 32.
TEXT ·cvtBF16Run(SB), NOSPLIT, $0-24
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $5, CX

run:
	VMOVUPS (SI), Z1
	VMOVUPS 64(SI), Z2
	VCVTNE2PS2BF16_Z0_Z2_Z1
	VMOVDQU32 Z0, (DI)
	ADDQ $128, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  run
	VZEROUPPER
	RET

// func cvtBF16Pairs(a, b *float32, dst *uint32, interleave *[32]uint16, n int)
// dst[i] = bfloat16(a[i]) | bfloat16(b[i])<<16 for i < n, n a positive multiple of 16;
// interleave is the word permutation 0, 16, 1, 17, ..., 15, 31.
TEXT ·cvtBF16Pairs(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DX
	MOVQ dst+16(FP), DI
	MOVQ interleave+24(FP), AX
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	VMOVDQU16 (AX), Z3

pairs:
	VMOVUPS (SI), Z1
	VMOVUPS (DX), Z2
	VCVTNE2PS2BF16_Z0_Z2_Z1
	VPERMW    Z0, Z3, Z4
	VMOVDQU32 Z4, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  pairs
	VZEROUPPER
	RET

// func gatherPairs(rows *uint32, npp int, dst *uint32, index *[16]int32, mask uint16)
// dst[16·q + c] = rows[index[c] + q] for q < npp and the channels c in mask, 0 for the others:
// a block of 16 channels' bfloat16 pixel pairs (rows of npp pairs) transposed to pair-major.
TEXT ·gatherPairs(SB), NOSPLIT, $0-34
	MOVQ    rows+0(FP), SI
	MOVQ    npp+8(FP), CX
	MOVQ    dst+16(FP), DI
	MOVQ    index+24(FP), AX
	MOVWLZX mask+32(FP), DX
	VMOVDQU32 (AX), Z1
	KMOVW   DX, K2

gather:
	KMOVW      K2, K1
	VPXORD     Z0, Z0, Z0
	VPGATHERDD (SI)(Z1*4), K1, Z0
	VMOVDQU32  Z0, (DI)
	ADDQ       $4, SI
	ADDQ       $64, DI
	DECQ       CX
	JNZ        gather
	VZEROUPPER
	RET
