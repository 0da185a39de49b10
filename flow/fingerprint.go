package flow

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Fingerprint identifies the model an Arch describes: a SHA-256 over the architecture as data (the
// input shape, and for every dequantization and flow layer, in order, its kind and every field: shapes,
// masks, index tables, hidden sizes). Parameter shapes and their initialisation follow from these, so
// two Archs with one fingerprint are the same function of the same parameters, initialised alike
// from one seed: trained with one seed they give bit-identical results (structural twins).
//
// Layer names are part of the data; they name parameters but do not change the function, and the
// multi-scale layout gives the same names to the same positions in every cell.
func (a Arch) Fingerprint() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	write := func(kind string, v any) {
		fmt.Fprintf(h, "%s\n", kind)
		if err := enc.Encode(v); err != nil {
			panic(fmt.Sprintf("flow: fingerprint of %s: %v", kind, err)) // layers are plain data
		}
	}
	write("in", a.In)
	for _, c := range a.VarDeq {
		write("vardeq", c)
	}
	for _, l := range a.Layers {
		write(fmt.Sprintf("%T", l), l)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ActivationUnits is the size of the model's hidden activations per image: the sum over every
// coupling (dequantization included) of its map's pixels times its network's hidden channels.
// A training step keeps a few such tensors per gated layer for the backward pass, so memory per
// image grows with ActivationUnits times (a + b·GatedLayers) (runner.MemoryEstimate).
func (a Arch) ActivationUnits() (units int64, gatedLayers int) {
	add := func(c Coupling) {
		units += int64(c.Shape.H) * int64(c.Shape.W) * int64(c.Hidden)
		gatedLayers = max(gatedLayers, c.GatedLayers)
	}
	for _, c := range a.VarDeq {
		add(c)
	}
	for _, l := range a.Layers {
		if c, ok := l.(Coupling); ok {
			add(c)
		}
	}
	return units, gatedLayers
}
