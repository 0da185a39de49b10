#include "textflag.h"
#include "amx_amd64.h"

// Written by hand; what it is for: amxconv_linux_amd64.go. The AMX instructions are hand-encoded
// (VEX, map 0F38), as in amxprobe_linux_amd64.s: Go's assembler has none of them.
//
// Tiles: 0 and 1 the output tiles of two 16-pixel blocks j and j2 (j2 = j+1, or j for an odd
// last block: the same tile stored twice), 2 the A tile of a segment, 3 and 4 the B tiles of the
// two blocks. Memory operands use legacy registers only (the VEX bytes do not extend them).

#define TILELOADD_SI_CX_TMM3 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x1c; BYTE $0x0e
#define TILELOADD_SI_CX_TMM4 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x0e
#define TDPBF16PS_TMM0_TMM2_TMM3 BYTE $0xc4; BYTE $0xe2; BYTE $0x62; BYTE $0x5c; BYTE $0xc2
#define TDPBF16PS_TMM1_TMM2_TMM4 BYTE $0xc4; BYTE $0xe2; BYTE $0x5a; BYTE $0x5c; BYTE $0xca

// func amxConvRun(args *amxArgs)
TEXT ·amxConvRun(SB), NOSPLIT, $0-8
	MOVQ args+0(FP), DI
	MOVQ 0(DI), AX
	LDTILECFG_AX
	MOVQ 88(DI), R10 // blocks
	XORQ R11, R11    // j

pair:
	CMPQ R11, R10
	JGE  done
	LEAQ 1(R11), R12
	CMPQ R12, R10
	CMOVQGE R11, R12 // j2
	MOVQ 64(DI), AX  // both output tiles start as the bias
	MOVQ $64, CX
	TILELOADD_AX_CX_TMM0
	TILELOADD_AX_CX_TMM1
	MOVQ 8(DI), R13  // the segment's A tile
	MOVQ 32(DI), R8  // the segment's B offset
	MOVQ 40(DI), R9  // segments left

seg:
	MOVQ R13, AX
	MOVQ 16(DI), CX
	TILELOADD_AX_CX_TMM2
	MOVQ (R8), BX
	ADDQ 48(DI), BX  // b + offset
	MOVQ 56(DI), CX
	MOVQ R11, SI
	SHLQ $6, SI
	ADDQ BX, SI
	TILELOADD_SI_CX_TMM3
	MOVQ R12, SI
	SHLQ $6, SI
	ADDQ BX, SI
	TILELOADD_SI_CX_TMM4
	TDPBF16PS_TMM0_TMM2_TMM3
	TDPBF16PS_TMM1_TMM2_TMM4
	ADDQ 24(DI), R13
	ADDQ $8, R8
	DECQ R9
	JNZ  seg

	MOVQ 80(DI), CX
	MOVQ R11, AX
	SHLQ $6, AX
	ADDQ 72(DI), AX
	TILESTORED_TMM0_AX_CX
	MOVQ R12, AX
	SHLQ $6, AX
	ADDQ 72(DI), AX
	TILESTORED_TMM1_AX_CX
	ADDQ $2, R11
	JMP  pair

done:
	TILERELEASE
	RET
