package atlas

import (
	"encoding/json"
	"regexp"

	"squeezebench/flow"
)

// The schema of patterns.json.
type (
	jsonAtlas struct {
		Image    flow.Shape               `json:"image"`
		Roles    map[string]string        `json:"roles"`
		Squeezes map[string][]jsonSqueeze `json:"squeezes"`
		Splits   []jsonSplit              `json:"splits"`
		Mixings  map[string]string        `json:"mixings"`
		Cells    []jsonCell               `json:"cells"`
	}
	jsonSqueeze struct {
		In      flow.Shape `json:"in"`
		Out     flow.Shape `json:"out"`
		InToOut [][6]int   `json:"in_to_out"` // (c, h, w) of the input -> (c, h, w) of the output
	}
	jsonSplit struct {
		Split    string     `json:"split"`
		Squeeze  string     `json:"squeeze"`
		In       flow.Shape `json:"in"`
		Kept     flow.Shape `json:"kept"`
		InToKept [][6]int   `json:"in_to_kept"`   // (c, h, w) of the input -> (c, h, w) of the kept tensor
		Factored [][4]int   `json:"in_to_factor"` // (c, h, w) of the input -> position in the factored vector
	}
	jsonLayer struct {
		Name  string     `json:"name"`
		Kind  string     `json:"kind"`
		In    flow.Shape `json:"in"`
		Out   flow.Shape `json:"out"`
		Image []string   `json:"image_roles,omitempty"` // one string per image row, one role letter per pixel
	}
	jsonCell struct {
		Cell   string      `json:"cell"`
		Slug   string      `json:"slug"`
		Figure string      `json:"figure"`
		Layers []jsonLayer `json:"layers"`
	}
)

// mixingNote follows a mixing's doc in patterns.json: why it has no element map.
const mixingNote = " (no element map: a 1x1 convolution makes every channel at a pixel a learnt linear mix of all channels there)"

// JSON renders the atlas as patterns.json: every squeeze's and split's element map and every
// layer's image-space roles, with the number arrays on one line each.
func JSON(a Atlas) ([]byte, error) {
	doc := jsonAtlas{Image: a.Image, Roles: map[string]string{}, Squeezes: map[string][]jsonSqueeze{}, Mixings: map[string]string{}}
	for _, rn := range roleNames {
		doc.Roles[string(rn.role)] = rn.name
	}
	doc.Roles[string(flow.RolePassedThrough)] = "passes through"
	for _, s := range a.Squeezes {
		for _, t := range s.Tables {
			doc.Squeezes[s.Name] = append(doc.Squeezes[s.Name], squeezeJSON(t))
		}
	}
	for _, s := range a.Splits {
		doc.Splits = append(doc.Splits, splitJSON(s))
	}
	for _, m := range a.Mixings {
		doc.Mixings[m.Name] = m.Doc + mixingNote
	}
	for _, cp := range a.Cells {
		doc.Cells = append(doc.Cells, cellJSON(cp, a.Image))
	}
	js, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, err
	}
	// one line per array of numbers: the index maps stay readable and the file small
	return numberArray.ReplaceAllFunc(js, func(b []byte) []byte { return space.ReplaceAll(b, nil) }), nil
}

var (
	numberArray = regexp.MustCompile(`\[(\s*-?[0-9]+,)*\s*-?[0-9]+\s*\]`)
	space       = regexp.MustCompile(`\s+`)
)

func squeezeJSON(t SqueezeTable) jsonSqueeze {
	m := jsonSqueeze{In: t.In, Out: t.Out, InToOut: make([][6]int, t.In.Size())}
	for o, i := range t.Index {
		m.InToOut[i] = cat6(coord(t.In, i), coord(t.Out, o))
	}
	return m
}

func splitJSON(s SplitTable) jsonSplit {
	sj := jsonSplit{Split: s.Split, Squeeze: s.Squeeze, In: s.In, Kept: s.Kept}
	for k, i := range s.Keep {
		sj.InToKept = append(sj.InToKept, cat6(coord(s.In, i), coord(s.Kept, k)))
	}
	for f, i := range s.Factor {
		ci := coord(s.In, i)
		sj.Factored = append(sj.Factored, [4]int{ci[0], ci[1], ci[2], f})
	}
	return sj
}

func cellJSON(cp CellPattern, img flow.Shape) jsonCell {
	cj := jsonCell{Cell: cp.Cell.String(), Slug: cp.Cell.Slug(), Figure: CellFigurePath(cp.Cell)}
	for _, l := range cp.Layers {
		jl := jsonLayer{Name: l.Name, Kind: l.Kind, In: l.In, Out: l.Out}
		for h := 0; l.Roles != nil && h < img.H; h++ {
			jl.Image = append(jl.Image, string(l.Roles[h*img.W:(h+1)*img.W]))
		}
		cj.Layers = append(cj.Layers, jl)
	}
	return cj
}

// coord is the (c, h, w) of flat index i of shape s.
func coord(s flow.Shape, i int) [3]int { return [3]int{i / (s.H * s.W), i / s.W % s.H, i % s.W} }

func cat6(a, b [3]int) [6]int { return [6]int{a[0], a[1], a[2], b[0], b[1], b[2]} }
