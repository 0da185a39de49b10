#include "textflag.h"
#include "amx_amd64.h"

// Written by hand; what it is for: amxprobe_linux_amd64.go. The AMX instructions are hand-encoded
// (VEX, map 0F38): Go's assembler has none of them.

// func amxDot(cfg *[64]byte, a, b, c *[1024]byte)
TEXT ·amxDot(SB), NOSPLIT, $0-32
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ $64, CX
	MOVQ c+24(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x08 // tileloadd (AX)(CX*1), tmm0
	MOVQ a+8(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x0c; BYTE $0x08 // tileloadd tmm1
	MOVQ b+16(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x08 // tileloadd tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x6a; BYTE $0x5c; BYTE $0xc1 // tdpbf16ps tmm0, tmm1, tmm2
	MOVQ c+24(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x08 // tilestored tmm0
	TILERELEASE
	RET

// func amxLoop(cfg *[64]byte, a, b *[1024]byte, n int)
TEXT ·amxLoop(SB), NOSPLIT, $0-32
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0 // tilezero tmm0
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8 // tilezero tmm1
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0 // tilezero tmm2
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8 // tilezero tmm3
	MOVQ $64, CX
	MOVQ a+8(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x08 // tileloadd tmm4
	MOVQ b+16(FP), AX
	BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x08 // tileloadd tmm5
	MOVQ n+24(FP), DX
	TESTQ DX, DX
	JLE done
loop:
	BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xc4 // tdpbf16ps tmm0, tmm4, tmm5
	BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xcc // tdpbf16ps tmm1, tmm4, tmm5
	BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xd4 // tdpbf16ps tmm2, tmm4, tmm5
	BYTE $0xc4; BYTE $0xe2; BYTE $0x52; BYTE $0x5c; BYTE $0xdc // tdpbf16ps tmm3, tmm4, tmm5
	DECQ DX
	JNZ loop
done:
	TILERELEASE
	RET
