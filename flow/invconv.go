package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InvConv is Glow's invertible 1x1 convolution: every pixel's channel vector is multiplied by one
// invertible C x C matrix W. It is LU-parameterised, W = P·L·(U + diag(sign(s)·exp(log|s|))), with
// P a fixed permutation, L unit lower triangular, U strictly upper triangular, and sign(s) fixed,
// so log|det J| = H·W·Σ log|s| and the C² learnable scalars (L, U and log|s|) can take any value.
// W starts as a random rotation drawn from the model's seeded stream (Glow's initialisation).
type InvConv struct {
	Name  string
	Shape Shape
}

func (c InvConv) Label() string   { return c.Name }
func (c InvConv) InShape() Shape  { return c.Shape }
func (c InvConv) OutShape() Shape { return c.Shape }
func (c InvConv) kind() string    { return "invconv" }

func (c InvConv) module(ps *paramSet) module { return ps.invConv(c) }

// trace: every output element at pixel (h, w) is a mix of every input channel at (h, w).
func (c InvConv) trace(sources [][]int) [][]int {
	s := c.Shape
	next := make([][]int, len(sources))
	for h := 0; h < s.H; h++ {
		for w := 0; w < s.W; w++ {
			var all []int
			for ch := 0; ch < s.C; ch++ {
				all = mergeSorted(all, sources[s.Index(ch, h, w)])
			}
			for ch := 0; ch < s.C; ch++ {
				next[s.Index(ch, h, w)] = all
			}
		}
	}
	return next
}

func (c InvConv) roles(sources [][]int, mark func([]int, byte)) { passThrough(sources, mark) }

// invConvModule holds an InvConv's parameters. lu packs the learnable part into one C x C matrix:
// its strictly lower triangle is L's, its strictly upper triangle U's, its diagonal log|s|.
type invConvModule struct {
	spec InvConv
	lu   *Param    // (C, C)
	perm []float64 // P as a C x C 0/1 matrix, row-major
	sign []float64 // diag(sign(s)) as a C x C matrix, row-major
}

func (ps *paramSet) invConv(c InvConv) *invConvModule {
	n := c.Shape.C
	p, l, u := luDecompose(randomRotation(ps.rng, n))
	packed, sign := packLU(l, u, n)
	k := 0
	lu := ps.add(c.Name+".lu", []int{n, n}, func() float64 { k++; return packed[k-1] })
	return &invConvModule{spec: c, lu: lu, perm: p, sign: sign}
}

// randomRotation is an n x n orthogonal matrix, row-major: Gram-Schmidt on a Gaussian matrix.
func randomRotation(rng *rand.Rand, n int) []float64 {
	q := make([]float64, n*n)
	for {
		for i := range q {
			q[i] = rng.NormFloat64()
		}
		if orthonormalizeColumns(q, n) {
			return q
		}
	}
}

// orthonormalizeColumns runs modified Gram-Schmidt on the columns of q; false if they are
// (numerically) dependent.
func orthonormalizeColumns(q []float64, n int) bool {
	for j := 0; j < n; j++ {
		for k := 0; k < j; k++ {
			dot := 0.0
			for i := 0; i < n; i++ {
				dot += q[i*n+j] * q[i*n+k]
			}
			for i := 0; i < n; i++ {
				q[i*n+j] -= dot * q[i*n+k]
			}
		}
		norm := 0.0
		for i := 0; i < n; i++ {
			norm += q[i*n+j] * q[i*n+j]
		}
		norm = math.Sqrt(norm)
		if norm < 1e-6 {
			return false
		}
		for i := 0; i < n; i++ {
			q[i*n+j] /= norm
		}
	}
	return true
}

// luDecompose factors the n x n matrix a (row-major) with partial pivoting as a = P·L·U: P a
// permutation matrix, L unit lower triangular, U upper triangular (its diagonal included).
func luDecompose(a []float64) (p, l, u []float64) {
	n := int(math.Round(math.Sqrt(float64(len(a)))))
	u = append([]float64(nil), a...)
	l = make([]float64, n*n)
	rows := make([]int, n) // row i of P^T·a is row rows[i] of a
	for i := range rows {
		rows[i] = i
	}
	for k := 0; k < n; k++ {
		piv := k
		for i := k + 1; i < n; i++ {
			if math.Abs(u[i*n+k]) > math.Abs(u[piv*n+k]) {
				piv = i
			}
		}
		if piv != k {
			for j := 0; j < n; j++ {
				u[k*n+j], u[piv*n+j] = u[piv*n+j], u[k*n+j]
			}
			for j := 0; j < k; j++ {
				l[k*n+j], l[piv*n+j] = l[piv*n+j], l[k*n+j]
			}
			rows[k], rows[piv] = rows[piv], rows[k]
		}
		for i := k + 1; i < n; i++ {
			f := u[i*n+k] / u[k*n+k]
			l[i*n+k] = f
			u[i*n+k] = 0
			for j := k + 1; j < n; j++ {
				u[i*n+j] -= f * u[k*n+j]
			}
		}
	}
	for i := 0; i < n; i++ {
		l[i*n+i] = 1
	}
	p = make([]float64, n*n)
	for i, r := range rows {
		p[r*n+i] = 1 // (P^T a)[i] = a[r]  <=>  P[r][i] = 1
	}
	return p, l, u
}

// invConvMatrices are W and W⁻¹ as graph nodes built from the packed parameter. W⁻¹ is computed
// in the graph, exactly: L = I + N with N strictly lower (nilpotent), so L⁻¹ = Σ_{k<C} (-N)^k;
// U + D = D·(I + K) with K = D⁻¹U strictly upper, so (U + D)⁻¹ = Σ_{k<C} (-K)^k · D⁻¹. A reverse
// graph therefore always inverts the current parameters.
func (b *builder) invConvMatrices(m *invConvModule, reverse bool) (w, diagLog *G.Node) {
	n := m.spec.Shape.C
	name := m.spec.Name
	a := b.param(m.lu)
	lowerMask, upperMask, eye := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			switch {
			case i > j:
				lowerMask[i*n+j] = 1
			case i < j:
				upperMask[i*n+j] = 1
			default:
				eye[i*n+j] = 1
			}
		}
	}
	I := b.fixed(name+".eye", eye, n, n)
	strictLower := must(G.HadamardProd(a, b.fixed(name+".lowermask", lowerMask, n, n)))
	strictUpper := must(G.HadamardProd(a, b.fixed(name+".uppermask", upperMask, n, n)))
	diagLog = must(G.HadamardProd(a, I))
	sign := b.fixed(name+".sign", m.sign, n, n)
	perm := b.fixed(name+".perm", m.perm, n, n)
	// exp of the masked matrix is 1 off the diagonal; multiplying by diag(sign) keeps the diagonal.
	if !reverse {
		d := must(G.HadamardProd(must(G.Exp(diagLog)), sign))
		l := must(G.Add(strictLower, I))
		u := must(G.Add(strictUpper, d))
		return must(G.Mul(perm, must(G.Mul(l, u)))), diagLog
	}
	dInv := must(G.HadamardProd(must(G.Exp(must(G.Neg(diagLog)))), sign))
	lInv := nilpotentInverse(I, strictLower, n)
	k := must(G.Mul(dInv, strictUpper))
	uInv := must(G.Mul(nilpotentInverse(I, k, n), dInv))
	permT := must(G.Transpose(perm))
	return must(G.Mul(uInv, must(G.Mul(lInv, permT)))), diagLog
}

// nilpotentInverse is (I + N)⁻¹ = Σ_{k<n} (-N)^k for an n x n nilpotent N, by Horner's rule.
func nilpotentInverse(eye, nilp *G.Node, n int) *G.Node {
	x := eye
	for k := 1; k < n; k++ {
		x = must(G.Sub(eye, must(G.Mul(nilp, x))))
	}
	return x
}

// invConv applies the 1x1 convolution (or its inverse) to every pixel with stock gorgonia ops,
// for float32 and float64 alike, adding ±H·W·Σ log|s| to the log-determinant of every sample.
func (b *builder) invConv(st *state, m *invConvModule, reverse bool) {
	sh := m.spec.Shape
	w, diagLog := b.invConvMatrices(m, reverse)
	kernel := must(G.Reshape(w, tensor.Shape{sh.C, sh.C, 1, 1}))
	st.z = must(G.Conv2d(st.z, kernel, tensor.Shape{1, 1}, []int{0, 0}, []int{1, 1}, []int{1, 1}))
	logdet := must(G.Mul(must(G.Sum(diagLog)), b.scalar(float64(sh.H*sh.W))))
	if reverse {
		logdet = must(G.Neg(logdet))
	}
	b.addToEverySample(st, m.spec.Name, logdet)
}

func (m *invConvModule) forward(b *builder, st *state) { b.invConv(st, m, false) }
func (m *invConvModule) reverse(b *builder, st *state) { b.invConv(st, m, true) }

// matrix returns the current W of the layer, row-major (for tests and the pattern facts).
func (m *invConvModule) matrix() []float64 {
	n := m.spec.Shape.C
	a := floats(m.lu.Value)
	l, u := make([]float64, n*n), make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			switch {
			case i > j:
				l[i*n+j] = a[i*n+j]
			case i < j:
				u[i*n+j] = a[i*n+j]
			default:
				l[i*n+i] = 1
				u[i*n+i] = m.sign[i*n+i] * math.Exp(a[i*n+i])
			}
		}
	}
	return matMul(m.perm, matMul(l, u, n), n)
}

func matMul(a, b []float64, n int) []float64 {
	c := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			for j := 0; j < n; j++ {
				c[i*n+j] += a[i*n+k] * b[k*n+j]
			}
		}
	}
	return c
}

func (m *invConvModule) info() LayerInfo {
	s := m.spec.Shape
	return LayerInfo{Name: m.spec.Name, Kind: fmt.Sprintf("invconv 1x1 (%dx%d LU)", s.C, s.C), In: s, Out: s,
		Params: m.lu.Size(), FLOPs: 2 * int64(s.C*s.C) * int64(s.H*s.W)}
}

func (c InvConv) validate(in Shape) error {
	if c.Shape != in {
		return fmt.Errorf("invconv %s: shape %s, want %s", c.Name, c.Shape, in)
	}
	if c.Shape.C < 1 {
		return fmt.Errorf("invconv %s: no channels", c.Name)
	}
	return nil
}

func (m *Model) invConvModule(name string) (*invConvModule, error) {
	for _, l := range m.layers {
		if ic, ok := l.(*invConvModule); ok && ic.spec.Name == name {
			return ic, nil
		}
	}
	return nil, fmt.Errorf("model has no invconv layer %q", name)
}

// InvConvMatrix returns the C x C matrix W (row-major) that the named InvConv layer applies now.
func (m *Model) InvConvMatrix(name string) ([]float64, error) {
	ic, err := m.invConvModule(name)
	if err != nil {
		return nil, err
	}
	return ic.matrix(), nil
}

// SetInvConvMatrix makes the named InvConv layer apply the invertible matrix w (row-major): it
// LU-factors w with pivoting and stores the factors as the layer's parameters and fixed P and signs.
// Graphs built afterwards use the new matrix.
func (m *Model) SetInvConvMatrix(name string, w []float64) error {
	ic, err := m.invConvModule(name)
	if err != nil {
		return err
	}
	n := ic.spec.Shape.C
	if len(w) != n*n {
		return fmt.Errorf("invconv %s: %d entries for a %dx%d matrix", name, len(w), n, n)
	}
	p, l, u := luDecompose(w)
	packed, sign := packLU(l, u, n)
	for i := 0; i < n; i++ {
		if sign[i*n+i] == 0 || math.IsInf(packed[i*n+i], 0) || math.IsNaN(packed[i*n+i]) {
			return fmt.Errorf("invconv %s: matrix is singular", name)
		}
	}
	setFloats(ic.lu.Value, packed)
	ic.perm, ic.sign = p, sign
	return nil
}

// packLU stores L's strict lower triangle, U's strict upper triangle and log|diag U| in one matrix,
// and sign(diag U) as a diagonal matrix.
func packLU(l, u []float64, n int) (packed, sign []float64) {
	packed, sign = make([]float64, n*n), make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			switch {
			case i > j:
				packed[i*n+j] = l[i*n+j]
			case i < j:
				packed[i*n+j] = u[i*n+j]
			default:
				packed[i*n+j] = math.Log(math.Abs(u[i*n+i]))
				if u[i*n+i] != 0 {
					sign[i*n+i] = math.Copysign(1, u[i*n+i])
				}
			}
		}
	}
	return packed, sign
}
