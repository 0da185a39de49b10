package runner

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"squeezebench/flow"
)

// Memory per image of a training step, in bytes per activation unit (flow.Arch.ActivationUnits):
// memoryPerUnit + memoryPerUnitLayer per gated layer. Fitted to the peak RSS `squeezebench bench`
// measured (workers 1): small preset 134/221/660 MB at batch 16/64/256 (2.2 MB per image, 1 gated
// layer), tutorial preset 788/2,624 MB at batch 32/128 (19 MB per image, 3 gated layers), with
// about 20% added. The evaluation and sampling graphs hold their own buffers, sized alike.
const (
	memoryPerUnit      = 4 * 8.5
	memoryPerUnitLayer = 4 * 12.0
	memoryBase         = 100 << 20 // the data sets, the runtime and the code
)

// Memory is the estimated peak memory of one run, in bytes, by part.
type Memory struct {
	Total int64
	Parts map[string]int64 // setting -> bytes it accounts for
}

// MemoryEstimate estimates the peak memory of one run of cfg on images of shape in.
func MemoryEstimate(cfg Config, in flow.Shape) (Memory, error) {
	arch, err := cfg.Cell.Arch(in, cfg.Sizes)
	if err != nil {
		return Memory{}, err
	}
	units, layers := arch.ActivationUnits()
	perImage := float64(units) * (memoryPerUnit + memoryPerUnitLayer*float64(layers))
	params := float64(0)
	for _, c := range arch.VarDeq {
		params += couplingParams(c)
	}
	for _, l := range arch.Layers {
		if c, ok := l.(flow.Coupling); ok {
			params += couplingParams(c)
		}
	}
	m := Memory{Parts: map[string]int64{
		"training.batch":           int64(perImage * float64(cfg.Batch)),
		"evaluation.eval_batch":    int64(perImage * float64(cfg.EvalBatch)),
		"evaluation.sample_images": int64(perImage * float64(cfg.SampleImages)),
		// weights, gradients and Adam's two moments, float32
		"model.stage / model.vardeq / model.gated_layers (parameters)": int64(16 * params),
	}}
	m.Total = memoryBase
	for _, b := range m.Parts {
		m.Total += b
	}
	return m, nil
}

// couplingParams approximates a coupling network's parameter count: its 3x3 convolutions
// (input, two per gated layer, output) of Hidden channels.
func couplingParams(c flow.Coupling) float64 {
	h, cin := float64(c.Hidden), float64(c.Shape.C+c.CondChannels)
	return 9 * (2*cin*h + float64(c.GatedLayers)*(2*h*2*h+2*h*2*h) + 2*h*2*cin)
}

// Largest is the part of the estimate that takes the most memory.
func (m Memory) Largest() string {
	keys := make([]string, 0, len(m.Parts))
	for k := range m.Parts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return m.Parts[keys[i]] > m.Parts[keys[j]] || m.Parts[keys[i]] == m.Parts[keys[j]] && keys[i] < keys[j]
	})
	return keys[0]
}

// MachineMemory is the memory of this machine in bytes (MemTotal of /proc/meminfo); 0 when it
// cannot be read.
func MachineMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// CheckMemory refuses a configuration whose parallel runs would not fit in 90% of the machine's
// memory, naming the setting that takes the most. Without a known machine memory it passes.
func (c Config) CheckMemory(in flow.Shape, parallel int, machine int64) error {
	if machine <= 0 {
		return nil
	}
	m, err := MemoryEstimate(c, in)
	if err != nil {
		return err
	}
	need := m.Total * int64(max(parallel, 1))
	if float64(need) <= 0.9*float64(machine) {
		return nil
	}
	big := m.Largest()
	return fmt.Errorf("a run needs about %s (%s of it for %s)%s, more than the 90%% of this machine's %s it may use: lower %s%s",
		gib(m.Total), gib(m.Parts[big]), big, atOnce(parallel, need), gib(machine), big, orParallel(parallel))
}

func atOnce(parallel int, need int64) string {
	if parallel <= 1 {
		return ""
	}
	return fmt.Sprintf(", %d at once %s", parallel, gib(need))
}

func orParallel(parallel int) string {
	if parallel <= 1 {
		return ""
	}
	return " or compute.parallel"
}

func gib(b int64) string { return fmt.Sprintf("%.1f GB", float64(b)/(1<<30)) }
