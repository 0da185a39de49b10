//go:build !openblas

package kernel

import "gonum.org/v1/gonum/blas/gonum"

// Backend names the GEMM implementation this binary was built with.
const Backend = "gonum"

var gemm = gonum.Implementation{}
