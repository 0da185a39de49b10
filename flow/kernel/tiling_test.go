package kernel

import (
	"fmt"
	"slices"
	"testing"
)

// coverOf is the rows of the tiles a tiling runs for m rows, walked as Run and runRows walk it.
func coverOf(rows []int, tl rowTiling, m int) []int {
	var tiles []int
	for i := 0; i < m; {
		r := rows[tl.tile(m-i)]
		tiles = append(tiles, r)
		i += r
	}
	return tiles
}

// greedyCover is the largest-first cover the GEMM walked before tilings.
func greedyCover(rows []int, m int) []int {
	var tiles []int
	for _, r := range rows {
		for ; m >= r; m -= r {
			tiles = append(tiles, r)
		}
	}
	return tiles
}

// eachTiling calls f with every panel kind's tile rows and tiling of the instruction sets here.
func eachTiling(t *testing.T, f func(t *testing.T, set string, rows []int, tl rowTiling, vectors int)) {
	for _, ks := range []*gemmKernels{avx512Gemm, avx2Gemm} {
		if ks == nil {
			continue
		}
		for fl := range 2 {
			for v := range 3 {
				if tiles := ks.panels[fl][v]; len(tiles) > 0 {
					t.Run(fmt.Sprintf("%s/panels/full=%d/vectors=%d", ks.name, fl, v+1), func(t *testing.T) {
						f(t, ks.name, tileRows(tiles), ks.panelTilings[fl][v], v+1)
					})
				}
				if tiles := ks.rowsPanels[fl][v]; len(tiles) > 0 {
					t.Run(fmt.Sprintf("%s/rows/full=%d/vectors=%d", ks.name, fl, v+1), func(t *testing.T) {
						f(t, ks.name, tileRows(tiles), ks.rowsTilings[fl][v], v+1)
					})
				}
			}
		}
	}
}

func TestRowTilingCoversEveryRowOnce(t *testing.T) {
	eachTiling(t, func(t *testing.T, _ string, rows []int, tl rowTiling, _ int) {
		for m := range 300 {
			sum := 0
			for _, r := range coverOf(rows, tl, m) {
				sum += r
			}
			if sum != m {
				t.Fatalf("m = %d: the tiles %v cover %d rows", m, coverOf(rows, tl, m), sum)
			}
		}
	})
}

// tilingCost is the model newRowTiling minimises.
func tilingCost(tiles []int, vectors int) int {
	cost := 0
	for _, r := range tiles {
		cost += max(r*vectors, fmaChains)
	}
	return cost
}

func TestRowTilingNeverCostsMoreThanGreedy(t *testing.T) {
	eachTiling(t, func(t *testing.T, set string, rows []int, tl rowTiling, vectors int) {
		for m := range 300 {
			got, greedy := coverOf(rows, tl, m), greedyCover(rows, m)
			if c, g := tilingCost(got, vectors), tilingCost(greedy, vectors); c > g {
				t.Errorf("m = %d: %v costs %d, greedy %v %d", m, got, c, greedy, g)
			}
			// Under the model greedy is already cheapest for the AVX-512 tiles; the tiling keeps it
			// there, so AVX-512 runs the tiles it was measured with.
			if set == "avx512" && !slices.Equal(got, greedy) {
				t.Errorf("m = %d: AVX-512 tiles %v, greedy %v", m, got, greedy)
			}
		}
	})
}

func TestRowTilingUnplannedPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("an unplanned tiling walked instead of panicking")
		}
	}()
	var tl rowTiling
	tl.tile(8)
}

func TestRowTilingAVX2EightRows(t *testing.T) {
	if avx2Gemm == nil {
		t.Skip("no AVX2 kernels on this architecture")
	}
	for _, c := range []struct {
		tiles []int
		tl    rowTiling
		m     int
		want  []int
	}{
		{tileRows(avx2Gemm.rowsPanels[1][1]), avx2Gemm.rowsTilings[1][1], 8, []int{4, 4}},     // 16 columns: not 6+2
		{tileRows(avx2Gemm.rowsPanels[1][1]), avx2Gemm.rowsTilings[1][1], 12, []int{6, 6}},    // greedy where it is cheapest
		{tileRows(avx2Gemm.rowsPanels[1][0]), avx2Gemm.rowsTilings[1][0], 16, []int{8, 8}},    // 8 columns: not 12+4
		{tileRows(avx2Gemm.panels[1][1]), avx2Gemm.panelTilings[1][1], 20, []int{6, 6, 4, 4}}, // not 6+6+6+2
	} {
		if got := coverOf(c.tiles, c.tl, c.m); !slices.Equal(got, c.want) {
			t.Errorf("tiles %v, m = %d: %v, want %v", c.tiles, c.m, got, c.want)
		}
	}
}
