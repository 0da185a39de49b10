package atlas

import (
	"fmt"
	"strings"

	"squeezebench/internal/numfmt"
	"squeezebench/variants"
)

// Markdown renders the facts as facts.md: the computed values with the prose that explains them.
func Markdown(f Facts) []byte {
	var b strings.Builder
	b.WriteString("# Structural facts, computed\n\n")
	b.WriteString("Written by `squeezebench patterns`; every value below is computed from the registered variants\n")
	fmt.Fprintf(&b, "(index tables, masks, and small float64 models), not typed in. Image: %s (MNIST).\n\n", f.Image)
	writeSqueezes(&b, f.Squeezes)
	writePartitions(&b, f.Partitions)
	writeIdentity(&b, f.Identity)
	writeAbsorption(&b, f.Absorption)
	writeCosts(&b, f.Costs)
	return []byte(b.String())
}

// shortName is a cell in the partition tables: its variant names joined by "/".
func shortName(c variants.Cell) string { return strings.Join(c.Values(), "/") }

func shortNames(cells []variants.Cell) []string {
	var out []string
	for _, c := range cells {
		out = append(out, shortName(c))
	}
	return out
}

func writeSqueezes(b *strings.Builder, f SqueezeFacts) {
	b.WriteString("## 1. Which squeezes are the same permutation\n\n")
	b.WriteString("Squeeze variants grouped by identical index tables, at each input the model squeezes:\n\n")
	b.WriteString("| where | input | classes of identical permutations |\n|---|---|---|\n")
	for _, sc := range f.Classes {
		var parts []string
		for _, g := range sc.Classes {
			parts = append(parts, "{"+strings.Join(g, " = ")+"}")
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", sc.Input.Where, sc.Input.In, strings.Join(parts, ", "))
	}
	if f.TutorialIsTFStyleC1.Known {
		fmt.Fprintf(b, "\n- `tutorial` and `tf-style` (the spatial-major order the question attributed to TF) are the same permutation at C=1: **%v**; at C=2: **%v**.\n",
			f.TutorialIsTFStyleC1.Holds, f.TutorialIsTFStyleC2.Holds)
		b.WriteString("  So on MNIST they differ only in the second squeeze. TF RealNVP's real `squeeze_2x2` is `tutorial` (channel-major, see the spec).\n")
	}
	if f.TutorialIsTFOrderedC1.Known {
		fmt.Fprintf(b, "- `tf-ordered` (`squeeze_2x2_ordered`) equals `tutorial` at C=1: **%v** (it differs already at the first squeeze).\n",
			f.TutorialIsTFOrderedC1.Holds)
	}
	b.WriteString("\nThe channel order of every squeeze on the labelled examples is drawn in [squeezes.png](squeezes.png):\n\n")
	for _, co := range f.ChannelOrders {
		fmt.Fprintf(b, "| %s: out channel |", co.In)
		for _, n := range co.Squeezes {
			fmt.Fprintf(b, " %s |", n)
		}
		b.WriteString("\n|---|" + strings.Repeat("---|", len(co.Squeezes)) + "\n")
		for k, row := range co.Sources {
			fmt.Fprintf(b, "| %d |", k)
			for _, s := range row {
				fmt.Fprintf(b, " c%d (%d,%d) |", s.C, s.DH, s.DW)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("(entry: input channel and block position (dh,dw) that the output channel holds.)\n\n")
}

func writePartitions(b *strings.Builder, f PartitionFacts) {
	b.WriteString("## 2. Which cells induce the same pixel partition\n\n")
	b.WriteString("For each coupling and the split, the cells grouped by the identical role of every image pixel\n")
	b.WriteString("(which pixels condition and which are transformed; which are kept and which factored out), with the\n")
	b.WriteString("pattern's name when it is a simple one. Cells without channel mixing; cell names: squeeze/split/coupling.\n\n")
	b.WriteString("| layer | pattern in image space | cells |\n|---|---|---|\n")
	for _, r := range f.Rows {
		fmt.Fprintf(b, "| %s | %s | %s |\n", r.Layer, r.Pattern, strings.Join(shortNames(r.Cells), ", "))
	}
	if m := f.Mixed; len(m.Cells) > 0 {
		fmt.Fprintf(b, "\nIn the %d cells with channel mixing (%s), %d coupling and split layers act on variables that are each a\n",
			len(m.Cells), strings.Join(shortNames(m.Cells), ", "), m.MixedLayers)
		b.WriteString("learnt mix of several pixels (every remaining pixel feeds both conditioning and transformed variables): there\n")
		b.WriteString("the mask no longer partitions pixels, and the squeeze order stops mattering (section 4).\n")
	}
	b.WriteString("\n")
	claim := func(text string, c Finding) {
		if c.Known {
			fmt.Fprintf(b, "- %s: **%v**\n", text, c.Holds)
		}
	}
	claim("the tutorial channel mask after the C=1 tutorial squeeze partitions the image into even/odd row stripes (stage2.coupling0: even rows condition)", f.TutorialMaskIsRowStripes)
	claim("... the same partition as the rowwise stage-2 coupling (`tutorial/channel/channelwise` = `tutorial/channel/rowwise` at stage2.coupling0 and stage2.coupling1)", f.TutorialMaskIsRowwise)
	claim("with `tf-ordered`, the same channel mask partitions the image as a checkerboard instead ((h+w) even conditions)", f.TFOrderedMaskCheckerboard)
	claim("`tf-ordered` squeeze + `channel` split keeps exactly the pixels of the `checkerboard` split ((h+w) even)", f.TFOrderedSplitCheckerboard)
	claim("... and the two cells `tf-ordered/channel/*` and `tf-ordered/checkerboard/*` are the identical model (every layer's tables equal)", f.TFOrderedSplitTwins)
	claim("the tutorial's channel split after the C=1 tutorial squeeze keeps the even rows", f.TutorialSplitKeepsEvenRows)
	b.WriteString("\nFigures: [atlas.png](atlas.png) (every cell), `cells/<cell>.png` (one cell, larger).\n\n")
}

func writeIdentity(b *strings.Builder, e IdentityExperiment) {
	p, r := e.Pointwise, e.Random
	b.WriteString("## 3. The identity-network experiment, both ways\n\n")
	b.WriteString("**As in the question**: the coupling network is pointwise, `hstack((x, x))`, and sees only the masked input.\n")
	fmt.Fprintf(b, "Squeeze (`tutorial`) + %d channel-mask couplings + unsqueeze vs %d row-mask couplings, on one random 1x28x28 input:\n\n",
		e.PointwiseCouplings, e.PointwiseCouplings)
	b.WriteString("| | max abs(y - x) | log-det |\n|---|---|---|\n")
	fmt.Fprintf(b, "| channelwise (squeeze, %d couplings, unsqueeze) | %.3g | %.3g |\n", e.PointwiseCouplings, p.Channelwise.MaxChange, p.Channelwise.LogDet)
	fmt.Fprintf(b, "| rowwise (%d couplings) | %.3g | %.3g |\n\n", e.PointwiseCouplings, p.Rowwise.MaxChange, p.Rowwise.LogDet)
	fmt.Fprintf(b, "max abs(channelwise - rowwise) = %.3g. Both flows are exactly the identity: the network sees z·mask, which is 0 on\n", p.Difference)
	b.WriteString("every transformed position, and a pointwise network maps 0 to s = t = 0 there. The equality proves nothing.\n\n")

	b.WriteString("**Non-vacuous version**: the model's own stage 2 (`channelwise`: squeeze + 2 channel-mask couplings on\n")
	fmt.Fprintf(b, "4x14x14; `rowwise`: 2 row-mask couplings on 1x28x28 + squeeze), GatedConvNets with %d hidden channels and\n", e.Net.Hidden)
	fmt.Fprintf(b, "%d gated layer, float64, every weight random (N(0, %.1f²), seed %d, including the zero-initialised output\n", e.Net.GatedLayers, e.WeightScale, e.WeightSeed)
	b.WriteString("convs), on the same input; both outputs are in the same 4x14x14 layout:\n\n")
	b.WriteString("| stage 2 | max abs(y - x) | log-det |\n|---|---|---|\n")
	fmt.Fprintf(b, "| channelwise | %.4g | %.6g |\n", r.Channelwise.MaxChange, r.Channelwise.LogDet)
	fmt.Fprintf(b, "| rowwise | %.4g | %.6g |\n\n", r.Rowwise.MaxChange, r.Rowwise.LogDet)
	fmt.Fprintf(b, "max abs(channelwise - rowwise) = **%.4g**, log-dets differ by **%.4g**: the same pixel partition (section 2),\n", r.Difference, r.LogDetDifference())
	b.WriteString("different functions. The networks see a 4x14x14 map in one case and a 1x28x28 map in the other (a different\n")
	b.WriteString("architecture, parameter count and receptive field), so the squeeze is not redundant.\n\n")
}

func writeAbsorption(b *strings.Builder, abs []Absorption) {
	b.WriteString("## 4. An invertible 1x1 convolution absorbs the squeeze's channel order\n\n")
	b.WriteString("Every pair of squeezes differs only by a permutation P of the output channels (the same input pixels in\n")
	b.WriteString("each channel, in a different channel order). So `invconv` after squeeze A with matrix W equals `invconv`\n")
	b.WriteString("after squeeze B with W' = W·P. Checked with the model's own layers: [squeeze A, InvConv] with W random\n")
	fmt.Fprintf(b, "(every LU parameter N(0, 0.3²)), [squeeze B, InvConv] with W·P set, float64, %d random inputs:\n\n", AbsorptionInputs)
	b.WriteString("| input | squeeze A | squeeze B | channel permutation (A's ch k = B's ch P(k)) | max abs(out_A - out_B) | abs(ldj_A - ldj_B) |\n|---|---|---|---|---|---|\n")
	for _, a := range abs {
		if a.Permutation == nil {
			fmt.Fprintf(b, "| %s | %s | %s | none: not a channel permutation | | |\n", a.In, a.A, a.B)
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %v | %.2g | %.2g |\n", a.In, a.A, a.B, a.Permutation, a.MaxOutputDiff, a.MaxLogDetDiff)
	}
	b.WriteString("\nWith `mixing=invconv` the squeeze orders therefore span the same function class (they can differ only through\n")
	b.WriteString("initialisation and optimisation); without mixing they are different models. Where the coupling masks\n")
	b.WriteString("the channels, the permutation decides which pixels condition (section 2).\n\n")
}

func writeCosts(b *strings.Builder, t CostTable) {
	b.WriteString("## 5. Parameters and FLOPs per image of every cell\n\n")
	b.WriteString("Forward FLOPs (2 × multiply-adds of the convolutions and 1x1 convs) per 28x28 image, from `flow.Model.Describe`:\n\n")
	b.WriteString("| cell |")
	for _, p := range t.Presets {
		fmt.Fprintf(b, " %s: parameters | %s: MFLOPs |", p, p)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|", len(t.Presets)) + "\n")
	for _, r := range t.Rows {
		fmt.Fprintf(b, "| %s |", r.Cell)
		for _, c := range r.Costs {
			fmt.Fprintf(b, " %s | %.1f |", numfmt.Thousands(int64(c.Params)), mega(c.FLOPs))
		}
		b.WriteString("\n")
	}
	if c := t.RowwiseVsChannelwise; c.Known {
		fmt.Fprintf(b, "\nRowwise vs channelwise (%s preset): %s vs %s parameters, %.1f vs %.1f MFLOPs per image (%.2fx):\n", c.Preset,
			numfmt.Thousands(int64(c.Rowwise.Params)), numfmt.Thousands(int64(c.Channelwise.Params)), mega(c.Rowwise.FLOPs), mega(c.Channelwise.FLOPs), c.FLOPsRatio())
		b.WriteString("the rowwise stage-2 nets have a 1-channel input and output (fewer parameters) but run at 28x28, four times\n")
		b.WriteString("the positions of the channelwise 14x14 nets.\n")
	}
}

func mega(flops int64) float64 { return float64(flops) / 1e6 }
