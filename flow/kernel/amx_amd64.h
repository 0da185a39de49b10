// AMX instructions shared by the tile kernels, hand-encoded (VEX, map 0F38): Go's assembler has
// none of them. Memory operands are (base)(index*1) with legacy registers only: the VEX bytes
// here do not extend them. TILELOADD/TILESTORED take the row stride in the index register.

#define LDTILECFG_AX BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00
#define TILELOADD_AX_CX_TMM0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x08
#define TILELOADD_AX_CX_TMM1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x0c; BYTE $0x08
#define TILELOADD_AX_CX_TMM2 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x08
#define TILERELEASE BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0
#define TILESTORED_TMM0_AX_CX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x08
#define TILESTORED_TMM1_AX_CX BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x0c; BYTE $0x08
