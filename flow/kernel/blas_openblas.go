//go:build openblas

package kernel

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
*/
import "C"

import "gonum.org/v1/netlib/blas/netlib"

// Backend names the GEMM implementation this binary was built with.
const Backend = "openblas"

var gemm = netlib.Implementation{}

// Each worker goroutine runs its own GEMMs; OpenBLAS's threads would only compete with them.
func init() { setBLASThreads(1) }

func setBLASThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
