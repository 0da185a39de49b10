package kernel

// fmaChains is how many independent FMA chains keep both FMA units busy: two units, four cycles
// of latency (Skylake-X, Sapphire Rapids and Zen 3 alike). A tile with fewer accumulators than
// this waits on its own sums, so it costs as much as one with fmaChains.
const fmaChains = 8

// rowTiling says how the row tiles of one column panel cover m rows of C: the largest tile
// while at least twice its rows remain, then the cheapest cover of the rest, one tile at a time
// (tile). Greedy largest-first is not always cheapest: on AVX2 a 16-column panel of 8 rows as 6+2
// costs 6+4 tile-rows of FMA time (the 2-row tile has 4 accumulators, half of fmaChains), as 4+4
// only 8.
type rowTiling struct {
	first []int8 // by remaining rows below 2·big (big: the largest tile's rows): the tile to run first
}

// tile is the index of the tile that covers the next rows when left rows remain (left > 0).
// Run and runRows walk C's rows with it: i += rows of tile(m - i) until i == m.
func (tl *rowTiling) tile(left int) int {
	if left < len(tl.first) {
		return int(tl.first[left])
	}
	if len(tl.first) == 0 {
		panic("kernel: GEMM tiles not planned (gemmKernels.plan)")
	}
	return 0
}

// newRowTiling plans the tiles of the given rows (most rows first, ending in a 1-row tile) for a
// panel of the given vectors. A tile's cost is its FMAs per k step, at least fmaChains; among
// covers of equal cost the one with fewer tiles (fewer calls) wins, then the one starting with
// the larger tile. A cover's first tile followed by the cheapest cover of what it leaves is the
// cheapest cover, so walking tile by tile gives the whole plan.
func newRowTiling(rows []int, vectors int) rowTiling {
	if len(rows) == 0 || rows[len(rows)-1] != 1 {
		panic("kernel: a row tiling needs tiles ending in a 1-row tile")
	}
	big := rows[0]
	type cover struct{ cost, tiles, first int }
	best := make([]cover, 2*big)
	for r := 1; r < 2*big; r++ {
		best[r] = cover{cost: -1}
		for t, rt := range rows {
			if rt > r {
				continue
			}
			c := cover{best[r-rt].cost + max(rt*vectors, fmaChains), best[r-rt].tiles + 1, t}
			if b := best[r]; b.cost < 0 || c.cost < b.cost || c.cost == b.cost && c.tiles < b.tiles {
				best[r] = c
			}
		}
	}
	first := make([]int8, 2*big)
	for r := range first {
		first[r] = int8(best[r].first)
	}
	return rowTiling{first: first}
}

// tileRows lists the rows of each tile.
func tileRows[T interface{ tileRows() int }](tiles []T) []int {
	rows := make([]int, len(tiles))
	for i, t := range tiles {
		rows[i] = t.tileRows()
	}
	return rows
}

func (k rowKernel) tileRows() int  { return k.rows }
func (k rowsKernel) tileRows() int { return k.rows }

// plan fills in the tilings of every panel kind's tiles.
func (ks *gemmKernels) plan() {
	for f := range ks.panels {
		for v := range ks.panels[f] {
			if len(ks.panels[f][v]) > 0 {
				ks.panelTilings[f][v] = newRowTiling(tileRows(ks.panels[f][v]), v+1)
			}
			if len(ks.rowsPanels[f][v]) > 0 {
				ks.rowsTilings[f][v] = newRowTiling(tileRows(ks.rowsPanels[f][v]), v+1)
			}
		}
	}
}
