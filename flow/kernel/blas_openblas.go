//go:build openblas

package kernel

import (
	"gonum.org/v1/netlib/blas/netlib"

	"squeezebench/flow/kernel/openblas"
)

// Backend names the GEMM implementation this binary was built with.
const Backend = "openblas"

var gemm = netlib.Implementation{}

// Each worker goroutine runs its own GEMMs; OpenBLAS's threads would only compete with them.
func init() { openblas.SetThreads(1) }
