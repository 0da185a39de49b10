//go:build openblas

package kernel

import (
	"gonum.org/v1/netlib/blas/netlib"

	"squeezebench/flow/kernel/openblas"
)

// BLAS names the BLAS this binary was built with (for the GEMMs the AVX-512 kernels do not do).
const BLAS = "openblas"

var gemm = netlib.Implementation{}

// Each worker goroutine runs its own GEMMs; OpenBLAS's threads would only compete with them.
func init() { openblas.SetThreads(1) }
