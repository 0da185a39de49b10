package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"squeezebench/flow"
	"squeezebench/runner"
	"squeezebench/variants"
)

// factsMarkdown computes the structural facts of the registered variants; nothing in it is typed
// in except the prose around the computed values.
func factsMarkdown(atlas []cellTrace, choices map[variants.Axis][]string) (string, error) {
	var b strings.Builder
	b.WriteString("# Structural facts, computed\n\n")
	b.WriteString("Written by `squeezebench patterns`; every value below is computed from the registered variants\n")
	b.WriteString("(index tables, masks, and small float64 models), not typed in. Image: 1x28x28 (MNIST).\n\n")
	squeezeFacts(&b, choices[variants.Squeeze])
	partitionFacts(&b, atlas)
	if err := identityFacts(&b); err != nil {
		return "", err
	}
	if err := absorbFacts(&b, choices[variants.Squeeze]); err != nil {
		return "", err
	}
	if err := costFacts(&b, atlas); err != nil {
		return "", err
	}
	return b.String(), nil
}

func squeezer(name string) flow.Squeezer {
	sq, _ := variants.Squeezers.Lookup(name)
	return sq
}

// stages are the inputs of the model's two squeezes, and the spec's worked examples.
var stages = []struct {
	what string
	in   flow.Shape
}{
	{"stage 2 (first squeeze)", flow.Shape{C: 1, H: 28, W: 28}},
	{"stage 3 (second squeeze, after the split)", flow.Shape{C: 2, H: 14, W: 14}},
	{"worked example", flow.Shape{C: 1, H: 4, W: 4}},
	{"worked example", flow.Shape{C: 2, H: 4, W: 4}},
}

// groupBy partitions names into classes of equal keys, in first-seen order.
func groupBy(names []string, key func(string) string) [][]string {
	var keys []string
	groups := map[string][]string{}
	for _, n := range names {
		k := key(n)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], n)
	}
	var out [][]string
	for _, k := range keys {
		out = append(out, groups[k])
	}
	return out
}

func classes(groups [][]string) string {
	var parts []string
	for _, g := range groups {
		parts = append(parts, "{"+strings.Join(g, " = ")+"}")
	}
	return strings.Join(parts, ", ")
}

func squeezeFacts(b *strings.Builder, names []string) {
	b.WriteString("## 1. Which squeezes are the same permutation\n\n")
	b.WriteString("Squeeze variants grouped by identical index tables, at each input the model squeezes:\n\n")
	b.WriteString("| where | input | classes of identical permutations |\n|---|---|---|\n")
	for _, st := range stages {
		g := groupBy(names, func(n string) string { return fmt.Sprint(squeezer(n).Squeeze(st.in)) })
		fmt.Fprintf(b, "| %s | %s | %s |\n", st.what, st.in, classes(g))
	}
	same := func(a, c string, in flow.Shape) bool {
		return slices.Equal(squeezer(a).Squeeze(in), squeezer(c).Squeeze(in))
	}
	if slices.Contains(names, "tutorial") && slices.Contains(names, "tf-style") {
		fmt.Fprintf(b, "\n- `tutorial` and `tf-style` (the spatial-major order the question attributed to TF) are the same permutation at C=1: **%v**; at C=2: **%v**.\n",
			same("tutorial", "tf-style", stages[0].in), same("tutorial", "tf-style", stages[1].in))
		b.WriteString("  So on MNIST they differ only in the second squeeze. TF RealNVP's real `squeeze_2x2` is `tutorial` (channel-major, see the spec).\n")
	}
	if slices.Contains(names, "tutorial") && slices.Contains(names, "tf-ordered") {
		fmt.Fprintf(b, "- `tf-ordered` (`squeeze_2x2_ordered`) equals `tutorial` at C=1: **%v** (it differs already at the first squeeze).\n",
			same("tutorial", "tf-ordered", stages[0].in))
	}
	b.WriteString("\nThe channel order of every squeeze on the labelled examples is drawn in [squeezes.png](squeezes.png):\n\n")
	for _, st := range stages[2:] {
		out := flow.Shape{C: 4 * st.in.C, H: st.in.H / 2, W: st.in.W / 2}
		fmt.Fprintf(b, "| %s: out channel |", st.in)
		for _, n := range names {
			fmt.Fprintf(b, " %s |", n)
		}
		b.WriteString("\n|---|" + strings.Repeat("---|", len(names)) + "\n")
		for k := 0; k < out.C; k++ {
			fmt.Fprintf(b, "| %d |", k)
			for _, n := range names {
				idx := squeezer(n).Squeeze(st.in)
				src := idx[out.Index(k, 0, 0)] // block (0,0) tells the channel and block position
				c, h, w := src/(st.in.H*st.in.W), src/st.in.W%st.in.H, src%st.in.W
				fmt.Fprintf(b, " c%d (%d,%d) |", c, h, w)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("(entry: input channel and block position (dh,dw) that the output channel holds.)\n\n")
}

// reference pixel patterns on the image, as role strings of flow.TracedLayer.ImageRoles.
func referencePatterns(img flow.Shape) map[string]string {
	pat := func(a, c byte, first func(h, w int) bool) string {
		s := make([]byte, img.Size())
		for h := 0; h < img.H; h++ {
			for w := 0; w < img.W; w++ {
				if first(h, w) {
					s[img.Index(0, h, w)] = a
				} else {
					s[img.Index(0, h, w)] = c
				}
			}
		}
		return string(s)
	}
	C, T, K, F := byte(flow.RoleConditions), byte(flow.RoleTransformed), byte(flow.RoleKept), byte(flow.RoleFactored)
	return map[string]string{
		"row stripes, even rows condition":             pat(C, T, func(h, w int) bool { return h%2 == 0 }),
		"row stripes, odd rows condition":              pat(C, T, func(h, w int) bool { return h%2 == 1 }),
		"checkerboard, (h+w) odd conditions":           pat(C, T, func(h, w int) bool { return (h+w)%2 == 1 }),
		"checkerboard, (h+w) even conditions":          pat(C, T, func(h, w int) bool { return (h+w)%2 == 0 }),
		"column stripes, even columns condition":       pat(C, T, func(h, w int) bool { return w%2 == 0 }),
		"column stripes, odd columns condition":        pat(C, T, func(h, w int) bool { return w%2 == 1 }),
		"keeps even rows (factors out odd rows)":       pat(K, F, func(h, w int) bool { return h%2 == 0 }),
		"keeps (h+w) even: checkerboard split":         pat(K, F, func(h, w int) bool { return (h+w)%2 == 0 }),
		"keeps even columns (factors out odd columns)": pat(K, F, func(h, w int) bool { return w%2 == 0 }),
	}
}

func nameOf(refs map[string]string, roles string) string {
	for name, r := range refs {
		if r == roles {
			return name
		}
	}
	if strings.ContainsRune(roles, flow.RoleMixed) && strings.Trim(roles, string([]byte{flow.RoleMixed, flow.RoleGone})) == "" {
		return "every remaining pixel mixed by a 1x1 conv"
	}
	return "other (see the figure)"
}

func partitionFacts(b *strings.Builder, atlas []cellTrace) {
	img := mnistShape
	refs := referencePatterns(img)
	b.WriteString("## 2. Which cells induce the same pixel partition\n\n")
	b.WriteString("For each coupling and the split, the cells grouped by the identical role of every image pixel\n")
	b.WriteString("(which pixels condition and which are transformed; which are kept and which factored out), with the\n")
	b.WriteString("pattern's name when it is a simple one. Cells without channel mixing; cell names: squeeze/split/coupling.\n\n")
	short := func(c variants.Cell) string {
		s := c.Get(variants.Squeeze) + "/" + c.Get(variants.Split) + "/" + c.Get(variants.Coupling)
		if m := c.Get(variants.Mixing); m != variants.Default(variants.Mixing) {
			s += "/" + m
		}
		return s
	}
	var mixedCells []string
	mixedLayers := 0
	for _, ct := range atlas {
		if ct.cell.Get(variants.Mixing) == variants.Default(variants.Mixing) {
			continue
		}
		mixedCells = append(mixedCells, short(ct.cell))
		for _, t := range ct.panels() {
			if nameOf(refs, string(t.ImageRoles(img))) == "every remaining pixel mixed by a 1x1 conv" {
				mixedLayers++
			}
		}
	}
	var layerNames []string
	if len(atlas) > 0 {
		for _, t := range atlas[0].panels() {
			layerNames = append(layerNames, t.Layer.Label())
		}
	}
	rolesOf := map[string]map[string]string{} // layer -> cell -> roles
	b.WriteString("| layer | pattern in image space | cells |\n|---|---|---|\n")
	for _, ln := range layerNames {
		rolesOf[ln] = map[string]string{}
		var cells []string
		for _, ct := range atlas {
			for _, t := range ct.panels() {
				if t.Layer.Label() == ln {
					rolesOf[ln][short(ct.cell)] = string(t.ImageRoles(img))
				}
			}
			if ct.cell.Get(variants.Mixing) == variants.Default(variants.Mixing) {
				cells = append(cells, short(ct.cell))
			}
		}
		for _, g := range groupBy(cells, func(c string) string { return rolesOf[ln][c] }) {
			fmt.Fprintf(b, "| %s | %s | %s |\n", ln, nameOf(refs, rolesOf[ln][g[0]]), strings.Join(g, ", "))
		}
	}
	if len(mixedCells) > 0 {
		fmt.Fprintf(b, "\nIn the %d cells with channel mixing (%s), %d coupling and split layers act on variables that are each a\n",
			len(mixedCells), strings.Join(mixedCells, ", "), mixedLayers)
		b.WriteString("learnt mix of several pixels (every remaining pixel feeds both conditioning and transformed variables): there\n")
		b.WriteString("the mask no longer partitions pixels, and the squeeze order stops mattering (section 4).\n")
	}
	b.WriteString("\n")
	claim := func(text string, ok bool) { fmt.Fprintf(b, "- %s: **%v**\n", text, ok) }
	get := func(layer, cell string) (string, bool) { r, ok := rolesOf[layer][cell]; return r, ok }
	if r, ok := get("stage2.coupling0", "tutorial/channel/channelwise"); ok {
		claim("the tutorial channel mask after the C=1 tutorial squeeze partitions the image into even/odd row stripes (stage2.coupling0: even rows condition)",
			r == refs["row stripes, even rows condition"])
		if r2, ok := get("stage2.coupling0", "tutorial/channel/rowwise"); ok {
			claim("... the same partition as the rowwise stage-2 coupling (`tutorial/channel/channelwise` = `tutorial/channel/rowwise` at stage2.coupling0 and stage2.coupling1)",
				r == r2 && rolesOf["stage2.coupling1"]["tutorial/channel/channelwise"] == rolesOf["stage2.coupling1"]["tutorial/channel/rowwise"])
		}
	}
	if r, ok := get("stage2.coupling0", "tf-ordered/channel/channelwise"); ok {
		claim("with `tf-ordered`, the same channel mask partitions the image as a checkerboard instead ((h+w) even conditions)",
			r == refs["checkerboard, (h+w) even conditions"])
	}
	if r, ok := get("split", "tf-ordered/channel/channelwise"); ok {
		r2, _ := get("split", "tf-ordered/checkerboard/channelwise")
		claim("`tf-ordered` squeeze + `channel` split keeps exactly the pixels of the `checkerboard` split ((h+w) even)", r == r2 && r == refs["keeps (h+w) even: checkerboard split"])
		// same order too?
		same := true
		for _, ct := range atlas {
			if short(ct.cell) == "tf-ordered/channel/channelwise" {
				for _, ct2 := range atlas {
					if short(ct2.cell) == "tf-ordered/checkerboard/channelwise" {
						same = slices.EqualFunc(ct.arch.Layers, ct2.arch.Layers, func(x, y flow.Layer) bool { return fmt.Sprint(x) == fmt.Sprint(y) })
					}
				}
			}
		}
		claim("... and the two cells `tf-ordered/channel/*` and `tf-ordered/checkerboard/*` are the identical model (every layer's tables equal)", same)
	}
	if r, ok := get("split", "tutorial/channel/channelwise"); ok {
		claim("the tutorial's channel split after the C=1 tutorial squeeze keeps the even rows", r == refs["keeps even rows (factors out odd rows)"])
	}
	b.WriteString("\nFigures: [atlas.png](atlas.png) (every cell), `cells/<cell>.png` (one cell, larger).\n\n")
}

// ---- 3. the identity-network experiment ----

// couplingPlain is an affine coupling in plain Go on a (C, H, W) map: z' = (z + t)·exp(s) on the
// transformed positions, with (s, t) = net(z·mask) zeroed on the conditioning positions.
func couplingPlain(z, mask []float64, net func(zin []float64) (s, t []float64)) (out []float64, ldj float64) {
	zin := make([]float64, len(z))
	for i := range z {
		zin[i] = z[i] * mask[i]
	}
	s, t := net(zin)
	out = make([]float64, len(z))
	for i := range z {
		si, ti := s[i]*(1-mask[i]), t[i]*(1-mask[i])
		out[i] = (z[i] + ti) * math.Exp(si)
		ldj += si
	}
	return out, ldj
}

// pointwise is the question's network, hstack((x, x)): s = t = its input.
func pointwise(zin []float64) (s, t []float64) { return zin, zin }

func gather(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = x[j]
	}
	return out
}

func maxAbsDiff(a, c []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-c[i]))
	}
	return d
}

func identityFacts(b *strings.Builder) error {
	img := mnistShape
	rng := rand.New(rand.NewPCG(2024, 11))
	x := make([]float64, img.Size())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	sq := squeezer("tutorial").Squeeze(img)
	out := flow.Shape{C: 4, H: 14, W: 14}
	// channelwise: squeeze, 3 channel-mask couplings, unsqueeze; rowwise: 3 row-mask couplings
	z := gather(x, sq)
	var ldjC, ldjR float64
	for i := 0; i < 3; i++ {
		var l float64
		z, l = couplingPlain(z, flow.ChannelMask(out, i%2 == 1), pointwise)
		ldjC += l
	}
	yC := gather(z, inversePerm(sq))
	yR := x
	for i := 0; i < 3; i++ {
		var l float64
		yR, l = couplingPlain(yR, flow.RowMask(img, i%2 == 1), pointwise)
		ldjR += l
	}
	b.WriteString("## 3. The identity-network experiment, both ways\n\n")
	b.WriteString("**As in the question**: the coupling network is pointwise, `hstack((x, x))`, and sees only the masked input.\n")
	b.WriteString("Squeeze (`tutorial`) + 3 channel-mask couplings + unsqueeze vs 3 row-mask couplings, on one random 1x28x28 input:\n\n")
	b.WriteString("| | max abs(y - x) | log-det |\n|---|---|---|\n")
	fmt.Fprintf(b, "| channelwise (squeeze, 3 couplings, unsqueeze) | %.3g | %.3g |\n", maxAbsDiff(yC, x), ldjC)
	fmt.Fprintf(b, "| rowwise (3 couplings) | %.3g | %.3g |\n\n", maxAbsDiff(yR, x), ldjR)
	fmt.Fprintf(b, "max abs(channelwise - rowwise) = %.3g. Both flows are exactly the identity: the network sees z·mask, which is 0 on\n", maxAbsDiff(yC, yR))
	b.WriteString("every transformed position, and a pointwise network maps 0 to s = t = 0 there. The equality proves nothing.\n\n")

	// with a real conv network: the model's own stage 2, random weights
	net := flow.Net{Hidden: 12, GatedLayers: 1}
	type res struct {
		out []float64
		ldj float64
	}
	runStage := func(coupling string) (res, error) {
		co, err := variants.Couplers.Lookup(coupling)
		if err != nil {
			return res{}, err
		}
		layers := co.Stage(img, squeezer("tutorial"), net)
		m, err := flow.New(flow.Arch{In: img, Layers: layers}, tensor.Float64, 1)
		if err != nil {
			return res{}, err
		}
		m.Randomize(rand.New(rand.NewPCG(5, 5)), flow.RandomScale)
		f, err := m.NewFlow(1, false)
		if err != nil {
			return res{}, err
		}
		o, l, err := f.Run([][]float64{x})
		if err != nil {
			return res{}, err
		}
		return res{o[0], l[0]}, nil
	}
	cw, err := runStage("channelwise")
	if err != nil {
		return err
	}
	rw, err := runStage("rowwise")
	if err != nil {
		return err
	}
	b.WriteString("**Non-vacuous version**: the model's own stage 2 (`channelwise`: squeeze + 2 channel-mask couplings on\n")
	fmt.Fprintf(b, "4x14x14; `rowwise`: 2 row-mask couplings on 1x28x28 + squeeze), GatedConvNets with %d hidden channels and\n", net.Hidden)
	fmt.Fprintf(b, "%d gated layer, float64, every weight random (N(0, %.1f²), seed 5, including the zero-initialised output\n", net.GatedLayers, flow.RandomScale)
	b.WriteString("convs), on the same input; both outputs are in the same 4x14x14 layout:\n\n")
	b.WriteString("| stage 2 | max abs(y - x) | log-det |\n|---|---|---|\n")
	xs := gather(x, sq)
	fmt.Fprintf(b, "| channelwise | %.4g | %.6g |\n", maxAbsDiff(cw.out, xs), cw.ldj)
	fmt.Fprintf(b, "| rowwise | %.4g | %.6g |\n\n", maxAbsDiff(rw.out, xs), rw.ldj)
	fmt.Fprintf(b, "max abs(channelwise - rowwise) = **%.4g**, log-dets differ by **%.4g**: the same pixel partition (section 2),\n", maxAbsDiff(cw.out, rw.out), math.Abs(cw.ldj-rw.ldj))
	b.WriteString("different functions. The networks see a 4x14x14 map in one case and a 1x28x28 map in the other (a different\n")
	b.WriteString("architecture, parameter count and receptive field), so the squeeze is not redundant.\n\n")
	return nil
}

func inversePerm(p []int) []int {
	q := make([]int, len(p))
	for i, j := range p {
		q[j] = i
	}
	return q
}

// ---- 4. invconv absorbs channel permutations ----

// channelPermutation returns pi with squeezeA's output channel k = squeezeB's output channel pi[k]
// (the same input elements at every position), or nil if the two differ by more than a channel
// permutation.
func channelPermutation(a, c []int, out flow.Shape) []int {
	plane := out.H * out.W
	pi := make([]int, out.C)
	for k := 0; k < out.C; k++ {
		pi[k] = -1
		for k2 := 0; k2 < out.C; k2++ {
			if slices.Equal(a[k*plane:(k+1)*plane], c[k2*plane:(k2+1)*plane]) {
				pi[k] = k2
			}
		}
		if pi[k] < 0 {
			return nil
		}
	}
	return pi
}

func absorbFacts(b *strings.Builder, names []string) error {
	b.WriteString("## 4. An invertible 1x1 convolution absorbs the squeeze's channel order\n\n")
	b.WriteString("Every pair of squeezes differs only by a permutation P of the output channels (the same input pixels in\n")
	b.WriteString("each channel, in a different channel order). So `invconv` after squeeze A with matrix W equals `invconv`\n")
	b.WriteString("after squeeze B with W' = W·P. Checked with the model's own layers: [squeeze A, InvConv] with W random\n")
	b.WriteString("(every LU parameter N(0, 0.3²)), [squeeze B, InvConv] with W·P set, float64, 4 random inputs:\n\n")
	b.WriteString("| input | squeeze A | squeeze B | channel permutation (A's ch k = B's ch P(k)) | max abs(out_A - out_B) | abs(ldj_A - ldj_B) |\n|---|---|---|---|---|---|\n")
	rng := rand.New(rand.NewPCG(7, 7))
	for _, st := range stages[:2] {
		in := st.in
		out := flow.Shape{C: 4 * in.C, H: in.H / 2, W: in.W / 2}
		for i, na := range names {
			for _, nb := range names[i+1:] {
				ta, tb := squeezer(na).Squeeze(in), squeezer(nb).Squeeze(in)
				pi := channelPermutation(ta, tb, out)
				if pi == nil {
					fmt.Fprintf(b, "| %s | %s | %s | none: not a channel permutation | | |\n", in, na, nb)
					continue
				}
				mk := func(name string) (*flow.Model, error) {
					return flow.New(flow.Arch{In: in, Layers: []flow.Layer{
						flow.SqueezeLayer("squeeze", in, squeezer(name)), flow.InvConv{Name: "invconv", Shape: out}}}, tensor.Float64, 3)
				}
				ma, err := mk(na)
				if err != nil {
					return err
				}
				ma.Randomize(rng, flow.RandomScale)
				w, err := ma.InvConvMatrix("invconv")
				if err != nil {
					return err
				}
				n := out.C
				wp := make([]float64, n*n) // (W·P)[i][j] = sum_k W[i][k] P[k][j], P[k][pi[k]] = 1
				for r := 0; r < n; r++ {
					for k := 0; k < n; k++ {
						wp[r*n+pi[k]] += w[r*n+k]
					}
				}
				mb, err := mk(nb)
				if err != nil {
					return err
				}
				if err := mb.SetInvConvMatrix("invconv", wp); err != nil {
					return err
				}
				xs := make([][]float64, 4)
				for r := range xs {
					for j := 0; j < in.Size(); j++ {
						xs[r] = append(xs[r], rng.NormFloat64())
					}
				}
				var outs [2][][]float64
				var ldjs [2][]float64
				for k, m := range []*flow.Model{ma, mb} {
					f, err := m.NewFlow(len(xs), false)
					if err != nil {
						return err
					}
					if outs[k], ldjs[k], err = f.Run(xs); err != nil {
						return err
					}
				}
				dOut, dLDJ := 0.0, 0.0
				for r := range xs {
					dOut = math.Max(dOut, maxAbsDiff(outs[0][r], outs[1][r]))
					dLDJ = math.Max(dLDJ, math.Abs(ldjs[0][r]-ldjs[1][r]))
				}
				fmt.Fprintf(b, "| %s | %s | %s | %v | %.2g | %.2g |\n", in, na, nb, pi, dOut, dLDJ)
			}
		}
	}
	b.WriteString("\nWith `mixing=invconv` the squeeze orders therefore span the same function class (they can differ only through\n")
	b.WriteString("initialisation and optimisation); without mixing they are different models. Where the coupling masks\n")
	b.WriteString("the channels, the permutation decides which pixels condition (section 2).\n\n")
	return nil
}

// ---- 5. parameters and FLOPs ----

func costFacts(b *strings.Builder, atlas []cellTrace) error {
	b.WriteString("## 5. Parameters and FLOPs per image of every cell\n\n")
	b.WriteString("Forward FLOPs (2 × multiply-adds of the convolutions and 1x1 convs) per 28x28 image, from `flow.Model.Describe`:\n\n")
	presets := []string{"tutorial", "small"}
	b.WriteString("| cell |")
	for _, p := range presets {
		fmt.Fprintf(b, " %s: parameters | %s: MFLOPs |", p, p)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|", len(presets)) + "\n")
	type cost struct {
		params int
		flops  int64
	}
	costs := map[string][]cost{}
	for _, ct := range atlas {
		fmt.Fprintf(b, "| %s |", ct.cell)
		for _, p := range presets {
			cfg, err := runner.Preset(p)
			if err != nil {
				return err
			}
			a, err := ct.cell.Arch(mnistShape, cfg.Sizes)
			if err != nil {
				return err
			}
			m, err := flow.New(a, tensor.Float32, 1)
			if err != nil {
				return err
			}
			costs[ct.cell.String()] = append(costs[ct.cell.String()], cost{m.NumParams(), m.FLOPs()})
			fmt.Fprintf(b, " %s | %.1f |", thousands(m.NumParams()), float64(m.FLOPs())/1e6)
		}
		b.WriteString("\n")
	}
	cw := variants.Cell{}.String()
	rw := variants.Cell{variants.Coupling: "rowwise"}.String()
	if c, ok := costs[cw]; ok {
		if r, ok := costs[rw]; ok {
			fmt.Fprintf(b, "\nRowwise vs channelwise (tutorial preset): %s vs %s parameters, %.1f vs %.1f MFLOPs per image (%.2fx):\n",
				thousands(r[0].params), thousands(c[0].params), float64(r[0].flops)/1e6, float64(c[0].flops)/1e6, float64(r[0].flops)/float64(c[0].flops))
			b.WriteString("the rowwise stage-2 nets have a 1-channel input and output (fewer parameters) but run at 28x28, four times\n")
			b.WriteString("the positions of the channelwise 14x14 nets.\n")
		}
	}
	return nil
}
