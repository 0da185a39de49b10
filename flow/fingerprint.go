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
