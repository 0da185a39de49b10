#include "textflag.h"
#include "amx_amd64.h"

// Written by hand; what it is for: amxfilter_linux_amd64.go. The AMX instructions are
// hand-encoded (VEX, map 0F38), as in amxconv_linux_amd64.s.
//
// Tiles: 0-2 the sums of three taps (input channels × output channels, loaded from and stored
// back to the float32 accumulator), 3-5 the input's tiles at those taps (channels × 32 pixels),
// 6 the output gradient's tile (16 pixel pairs × output channels), shared by the taps.

#define TILESTORED_TMM2_AX_CX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x14; BYTE $0x08
#define TILELOADD_SI_DX_TMM3 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x1c; BYTE $0x16
#define TILELOADD_SI_DX_TMM4 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x16
#define TILELOADD_SI_DX_TMM5 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x16
#define TILELOADD_BX_DI_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x3b
#define TDPBF16PS_TMM0_TMM3_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc3
#define TDPBF16PS_TMM1_TMM4_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xcc
#define TDPBF16PS_TMM2_TMM5_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5

// func amxFilterRun(args *amxFilterArgs)
TEXT ·amxFilterRun(SB), NOSPLIT, $0-8
	MOVQ args+0(FP), R8
	MOVQ 0(R8), AX
	LDTILECFG_AX
	MOVQ 24(R8), R9  // the next tap's input offset
	MOVQ 56(R8), R10 // the next tap's sums
	MOVQ 32(R8), R11 // taps left
	MOVQ 64(R8), CX  // the sums' row stride
	MOVQ 16(R8), DX  // the input's row (plane) stride
	MOVQ $64, DI     // the output gradient's row stride

three:
	CMPQ R11, $3
	JLT  one
	MOVQ R10, AX
	TILELOADD_AX_CX_TMM0
	ADDQ 72(R8), AX
	TILELOADD_AX_CX_TMM1
	ADDQ 72(R8), AX
	TILELOADD_AX_CX_TMM2
	MOVQ 8(R8), R12  // the input at pixel 0 of this k-step
	MOVQ 40(R8), BX  // the output gradient's pixel pairs of this k-step
	MOVQ 48(R8), R13 // k-steps left

k3:
	TILELOADD_BX_DI_TMM6
	MOVQ R12, SI
	ADDQ 0(R9), SI
	TILELOADD_SI_DX_TMM3
	MOVQ R12, SI
	ADDQ 8(R9), SI
	TILELOADD_SI_DX_TMM4
	MOVQ R12, SI
	ADDQ 16(R9), SI
	TILELOADD_SI_DX_TMM5
	TDPBF16PS_TMM0_TMM3_TMM6
	TDPBF16PS_TMM1_TMM4_TMM6
	TDPBF16PS_TMM2_TMM5_TMM6
	ADDQ $64, R12    // 32 pixels on
	ADDQ $1024, BX   // 16 pixel pairs on
	DECQ R13
	JNZ  k3

	MOVQ R10, AX
	TILESTORED_TMM0_AX_CX
	ADDQ 72(R8), AX
	TILESTORED_TMM1_AX_CX
	ADDQ 72(R8), AX
	TILESTORED_TMM2_AX_CX
	ADDQ 72(R8), AX
	MOVQ AX, R10
	ADDQ $24, R9
	SUBQ $3, R11
	JMP  three

one: // the taps left after the groups of three (a 1×1 convolution's one)
	TESTQ R11, R11
	JZ    done
	MOVQ  R10, AX
	TILELOADD_AX_CX_TMM0
	MOVQ  8(R8), R12
	MOVQ  40(R8), BX
	MOVQ  48(R8), R13

k1:
	TILELOADD_BX_DI_TMM6
	MOVQ R12, SI
	ADDQ 0(R9), SI
	TILELOADD_SI_DX_TMM3
	TDPBF16PS_TMM0_TMM3_TMM6
	ADDQ $64, R12
	ADDQ $1024, BX
	DECQ R13
	JNZ  k1

	MOVQ R10, AX
	TILESTORED_TMM0_AX_CX
	ADDQ 72(R8), R10
	ADDQ $8, R9
	DECQ R11
	JMP  one

done:
	TILERELEASE
	RET
