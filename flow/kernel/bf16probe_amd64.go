package kernel

import "golang.org/x/sys/cpu"

// A probe for issue 13's lower-precision option: can AVX512-BF16 make the GEMMs faster? Its
// VDPBF16PS does 32 multiply-adds per instruction (bfloat16 pairs into float32 lanes) where
// VFMADD231PS does 16, so it pays only if it issues at more than half the FMA's rate.
// BenchmarkBF16DotThroughput measures both on this core; TestBF16DotEncoding checks the
// hand-encoded instruction (Go's assembler has no BF16 mnemonics) against its definition. No
// kernel uses it.

var hasBF16 = hasAVX512 && cpu.X86.HasAVX512BF16

//go:noescape
func bf16Dot(a, b *[32]uint16, acc *[16]float32)

func bf16DotLoop(n int)

func fmaLoop(n int)
