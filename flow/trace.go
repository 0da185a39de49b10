package flow

// TracedLayer is one layer of an Arch seen from the input image: for every element of the layer's
// input, the image elements (flat indices of Arch.In) that element is a copy or, after channel
// mixing, a linear mix of. Couplings and ActNorms do not change what an element is (they
// re-parameterise it in place), permutations and splits move elements, and an InvConv makes each
// element at pixel (h, w) a mix of every channel at (h, w).
type TracedLayer struct {
	Layer   Layer
	Sources [][]int // per input element of the layer, sorted image indices
}

// Trace follows the image through the layers of a.
func Trace(a Arch) []TracedLayer {
	cur := make([][]int, a.In.Size())
	for i := range cur {
		cur[i] = []int{i}
	}
	var out []TracedLayer
	for _, l := range a.Layers {
		out = append(out, TracedLayer{Layer: l, Sources: cur})
		cur = l.trace(cur)
	}
	return out
}

func gatherSources(cur [][]int, index []int) [][]int {
	out := make([][]int, len(index))
	for i, j := range index {
		out[i] = cur[j]
	}
	return out
}

func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// Roles of an image element in one layer, as ImageRoles reports them.
const (
	RoleGone          = '.' // no input element of the layer comes from it: factored out earlier
	RoleConditions    = 'C' // coupling: every element it feeds conditions
	RoleTransformed   = 'T' // coupling: every element it feeds is transformed
	RoleKept          = 'K' // split: kept
	RoleFactored      = 'F' // split: factored out to the prior
	RoleMixed         = 'M' // it feeds elements of both kinds (after channel mixing)
	RolePassedThrough = '=' // a permutation, mixing or normalising layer: the element passes through
)

// ImageRoles is, for every image element (row-major over the image), its role in the layer:
// one of the Role constants.
func (t TracedLayer) ImageRoles(image Shape) []byte {
	roles := make([]byte, image.Size())
	for i := range roles {
		roles[i] = RoleGone
	}
	mark := func(src []int, r byte) {
		for _, p := range src {
			switch roles[p] {
			case RoleGone:
				roles[p] = r
			case r:
			default:
				roles[p] = RoleMixed
			}
		}
	}
	t.Layer.roles(t.Sources, mark)
	return roles
}

// passThrough marks every input element as passing through: the role of every element in a
// layer that moves or mixes elements without choosing between them.
func passThrough(sources [][]int, mark func([]int, byte)) {
	for _, src := range sources {
		mark(src, RolePassedThrough)
	}
}

// Kind is a short name of a layer's kind: "coupling", "squeeze" (a Permute that is a 2x2
// space-to-depth; "permute" for any other), "split", "invconv" or "actnorm".
func Kind(l Layer) string { return l.kind() }
