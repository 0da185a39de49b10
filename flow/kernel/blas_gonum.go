//go:build !openblas

package kernel

import "gonum.org/v1/gonum/blas/gonum"

// BLAS names the BLAS this binary was built with (for the GEMMs the AVX-512 kernels do not do).
const BLAS = "gonum"

var gemm = gonum.Implementation{}
