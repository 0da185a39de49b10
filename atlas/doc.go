// Package atlas computes what every variant cell does to the image, and the structural facts that
// follow, as values; renderers turn the values into the files of results/patterns.
//
// # The atlas
//
// A Selection names the variants per axis (Select fills an axis left out with every registered
// variant, its default first). Build lays out every cell of the selection's grid on the image
// with small nets (the patterns do not depend on the nets' sizes), traces the image through each
// model's layers with flow.Trace, and records per layer the role of every image pixel: which
// pixels condition a coupling and which it transforms, which a split keeps and which it factors
// out, and which feed both after channel mixing (LayerPattern.Roles, the flow.Role letters). It
// also tabulates every selected squeeze on the model's two squeeze inputs and the spec's worked
// examples, and every selected split after every selected squeeze. Cells are keyed by
// variants.Cell (String, Slug and Values, which leave an implicit axis at its default out), so a
// new axis gives new cells their own names and figures.
//
// # The facts
//
// ComputeFacts derives the facts of facts.md from an Atlas, without I/O:
//
//   - SqueezeFacts: the squeezes grouped by identical permutations at each input, whether the
//     tutorial squeeze equals tf-style (at C=1 yes, at C=2 no) and tf-ordered, and the source of
//     every output channel on the worked examples;
//   - PartitionFacts: the cells grouped by identical pixel roles per layer, named by References,
//     and the findings the question is about (the tutorial channel mask after the first squeeze is
//     the row-stripe partition of rowwise; tf-ordered with the channel split keeps the
//     checkerboard split's pixels and is the same model);
//   - IdentityExperiment: the question's identity-network experiment, with its pointwise network
//     (both flows exactly the identity) and with the model's own stage 2 and random GatedConvNets
//     (different outputs and log-dets);
//   - Absorption: that an invertible 1x1 convolution after squeeze A with matrix W is the one
//     after squeeze B with W·P, P the channel permutation between them, measured with the model's
//     own layers in float64;
//   - CostTable: parameters and forward FLOPs per image of every cell at the tutorial and small
//     presets.
//
// A fact about a named variant (tutorial, tf-style, tf-ordered, channel, checkerboard,
// channelwise, rowwise) looks the name up in the registry and fails if it is not registered; when
// the selection leaves the variant out, its Finding is not Known and facts.md omits it.
//
// # Renderers
//
// Each file format has one renderer, taking the values: Markdown (facts.md), JSON (patterns.json),
// CellFigure, AtlasFigure and SqueezeFigure (the PNGs, encoded by EncodePNG). Files renders the
// whole directory as paths and bytes for the caller to write; `squeezebench patterns` does, and
// the committed results/patterns regenerate from it byte for byte.
package atlas
