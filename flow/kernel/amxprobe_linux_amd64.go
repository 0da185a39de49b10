package kernel

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/cpu"
)

// A probe of AMX-BF16, the one bfloat16 path that could make the GEMMs faster on this CPU
// (AVX512-BF16 cannot: bf16probe_amd64.go). TDPBF16PS multiplies a 16×32 bfloat16 tile by a
// 32×16 one (VNNI-packed: pairs along k) into a 16×16 float32 tile, 16,384 FLOPs per
// instruction. TestAMXBF16Encoding checks the hand-encoded instructions against a float64
// definition; BenchmarkAMXBF16Throughput measures the instruction's rate, full and narrow tiles.
// The kernels on it are amxconv and amxfilter; this file also holds what they share: the CPU
// test, the grant of the tile state and the tile configuration.

var hasAMXBF16 = cpu.X86.HasAMXTile && cpu.X86.HasAMXBF16

// requestAMX asks Linux for the AMX tile-data state (arch_prctl ARCH_REQ_XCOMP_PERM,
// XFEATURE_XTILEDATA): a process must, before its first tile instruction.
func requestAMX() error {
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	if _, _, e := syscall.Syscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0); e != 0 {
		return fmt.Errorf("arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA): %w", e)
	}
	return nil
}

// setTiles shapes tiles first..first+n-1 of a tile configuration (LDTILECFG's 64 bytes, palette
// 1: byte 0 the palette, bytes 16+2t tile t's bytes per row, bytes 48+t its rows) to rows rows of
// rowBytes bytes (at most 64).
func setTiles(cfg *[64]byte, first, n, rows, rowBytes int) {
	cfg[0] = 1
	for t := first; t < first+n; t++ {
		cfg[16+2*t], cfg[48+t] = byte(rowBytes), byte(rows)
	}
}

// amxTileConfig is the tile configuration with tiles 0-7 of 16 rows of 64 bytes each (16
// float32 or 32 bfloat16).
func amxTileConfig() *[64]byte {
	var cfg [64]byte
	setTiles(&cfg, 0, 8, 16, 64)
	return &cfg
}

// amxDot: c += a·b for one tile each (c 16×16 float32; a 16×32 bfloat16; b 16 rows of 16
// bfloat16 pairs), row strides 64 bytes.
//
//go:noescape
func amxDot(cfg *[64]byte, a, b, c *[1024]byte)

// amxLoopConfig shapes amxLoop's tiles for an m×16 float32 product over k bfloat16 (m <= 16;
// k even, <= 32): tiles 0-3 (the products) m rows of 64 bytes, tile 4 (a) m rows of 2k bytes,
// tile 5 (b) k/2 rows of 64 bytes. It measures whether a narrow tile, as the small model's
// channel counts (4-32) would give, costs less than a full one.
func amxLoopConfig(m, k int) *[64]byte {
	var cfg [64]byte
	setTiles(&cfg, 0, 4, m, 64)
	setTiles(&cfg, 4, 1, m, 2*k)
	setTiles(&cfg, 5, 1, k/2, 64)
	return &cfg
}

// amxLoop runs n rounds of 4 independent TDPBF16PS on tiles loaded from a and b (none for n <= 0),
// shaped by cfg (amxLoopConfig).
//
//go:noescape
func amxLoop(cfg *[64]byte, a, b *[1024]byte, n int)
