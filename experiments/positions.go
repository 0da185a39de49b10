package experiments

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// place is where a key (or an array element, "seeds[2]") is written in the file.
type place struct {
	line, col int
	table     bool // a [table] header
}

// positions maps every dotted key of a document to where it is written: the key itself for a
// key/value, the header for a table, the element for a scalar in an array ("grid.squeeze[1]").
// It is only called on documents that decoded without error.
type positions map[string]place

func index(data []byte) positions {
	pos := positions{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, at := keyOf(&p, e)
			table = parts
			at.table = true
			pos.add(table, at, true)
		case unstable.KeyValue:
			pos.keyValue(&p, table, e)
		}
	}
	return pos
}

func (pos positions) keyValue(p *unstable.Parser, table []string, kv *unstable.Node) {
	parts, at := keyOf(p, kv)
	full := append(append([]string{}, table...), parts...)
	pos.add(full, at, false)
	pos.value(p, strings.Join(full, "."), full, kv.Value())
}

// value records the inline tables and array elements inside a value.
func (pos positions) value(p *unstable.Parser, name string, path []string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				pos.keyValue(p, path, c)
			}
		}
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); i++ {
			c := it.Node()
			el := name + "[" + strconv.Itoa(i) + "]"
			if c.Raw.Length > 0 {
				s := p.Shape(c.Raw).Start
				pos[el] = place{line: s.Line, col: s.Column}
			}
			pos.value(p, el, path, c)
		}
	}
}

// add records path and, for a dotted key, each of its prefixes not seen yet.
func (pos positions) add(path []string, at place, table bool) {
	for i := 1; i <= len(path); i++ {
		k := strings.Join(path[:i], ".")
		if _, seen := pos[k]; !seen || (i == len(path) && table) {
			pos[k] = at
		}
	}
}

func keyOf(p *unstable.Parser, n *unstable.Node) ([]string, place) {
	var parts []string
	var at place
	for it := n.Key(); it.Next(); {
		k := it.Node()
		if len(parts) == 0 && k.Raw.Length > 0 {
			s := p.Shape(k.Raw).Start
			at = place{line: s.Line, col: s.Column}
		}
		parts = append(parts, string(k.Data))
	}
	return parts, at
}

// of is where key is written, else where its nearest enclosing table is, else nowhere (0, 0).
func (pos positions) of(key string) place {
	for k := key; k != ""; {
		if at, ok := pos[k]; ok {
			return at
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return place{}
}

// order sorts keys (below prefix, e.g. "grid.") by where they are written, the file's order.
func (pos positions) order(prefix string, keys []string) []string {
	out := append([]string(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := pos.of(prefix+out[i]), pos.of(prefix+out[j])
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	return out
}
