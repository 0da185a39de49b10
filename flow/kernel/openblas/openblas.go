//go:build openblas

// Package openblas reaches the one OpenBLAS setting gonum's netlib binding does not: its thread
// count. (cgo lives here because a package with cgo cannot also hold Go assembly, which kernel does.)
package openblas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
*/
import "C"

// SetThreads sets the number of threads OpenBLAS uses inside one call.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
