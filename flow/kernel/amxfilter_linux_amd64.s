#include "textflag.h"

// Written by hand; what it is for: amxfilter_linux_amd64.go. The AMX instructions are
// hand-encoded (VEX, map 0F38), as in amxconv_linux_amd64.s.
//
// Tiles: 0-2 the gradients of three taps, loaded from and stored back to the accumulator (rows × 16 input channels), 3 the output gradient's
// tile of 32 pixels (shared by the three taps), 4-6 the input's pixel-pair tiles of the taps.

#define LDTILECFG_AX BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00
#define TILERELEASE BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0
#define TILELOADD_AX_DX_TMM0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x10
#define TILELOADD_AX_DX_TMM1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x0c; BYTE $0x10
#define TILELOADD_AX_DX_TMM2 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x10
#define TILELOADD_BX_CX_TMM3 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x1c; BYTE $0x0b
#define TILELOADD_SI_DX_TMM4 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x16
#define TILELOADD_SI_DX_TMM5 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x16
#define TILELOADD_SI_DX_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x16
#define TDPBF16PS_TMM0_TMM3_TMM4 BYTE $0xc4; BYTE $0xe2; BYTE $0x5a; BYTE $0x5c; BYTE $0xc3
#define TDPBF16PS_TMM1_TMM3_TMM5 BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xcb
#define TDPBF16PS_TMM2_TMM3_TMM6 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd3
#define TILESTORED_TMM0_AX_DX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x10
#define TILESTORED_TMM1_AX_DX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x0c; BYTE $0x10
#define TILESTORED_TMM2_AX_DX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x14; BYTE $0x10

// func amxFilterRun(args *amxFilterArgs)
TEXT ·amxFilterRun(SB), NOSPLIT, $0-8
	MOVQ args+0(FP), DI
	MOVQ 0(DI), AX
	LDTILECFG_AX
	MOVQ 32(DI), R11 // the next tap's B offset
	MOVQ 56(DI), R12 // the next tap's accumulator tile
	MOVQ 40(DI), R13 // taps left, a multiple of 3

group:
	MOVQ $64, DX     // the accumulator tiles' and the pixel-pair rows' stride
	MOVQ R12, AX     // the three taps' sums so far
	TILELOADD_AX_DX_TMM0
	ADDQ 64(DI), AX
	TILELOADD_AX_DX_TMM1
	ADDQ 64(DI), AX
	TILELOADD_AX_DX_TMM2
	MOVQ 24(DI), R8
	ADDQ 0(R11), R8
	MOVQ 24(DI), R9
	ADDQ 8(R11), R9
	MOVQ 24(DI), R10
	ADDQ 16(R11), R10
	MOVQ 8(DI), BX   // the output gradient's first 32 pixels
	MOVQ 16(DI), CX  // its row stride
	MOVQ 48(DI), AX  // k-steps left

kstep:
	TILELOADD_BX_CX_TMM3
	MOVQ R8, SI
	TILELOADD_SI_DX_TMM4
	MOVQ R9, SI
	TILELOADD_SI_DX_TMM5
	MOVQ R10, SI
	TILELOADD_SI_DX_TMM6
	TDPBF16PS_TMM0_TMM3_TMM4
	TDPBF16PS_TMM1_TMM3_TMM5
	TDPBF16PS_TMM2_TMM3_TMM6
	ADDQ $64, BX     // 32 pixels on
	ADDQ $1024, R8   // 16 pixel pairs on
	ADDQ $1024, R9
	ADDQ $1024, R10
	DECQ AX
	JNZ  kstep

	MOVQ R12, AX
	TILESTORED_TMM0_AX_DX
	ADDQ 64(DI), AX
	TILESTORED_TMM1_AX_DX
	ADDQ 64(DI), AX
	TILESTORED_TMM2_AX_DX
	ADDQ 64(DI), AX
	MOVQ AX, R12
	ADDQ $24, R11
	SUBQ $3, R13
	JG   group

	TILERELEASE
	RET
