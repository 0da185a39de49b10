package runner

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteOutcome writes result.json, metrics.csv and samples.png into dir, each atomically, so a
// reader never sees half a file and a crash never leaves one.
func WriteOutcome(dir string, o *Outcome, imgH, imgW int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := writeResult(dir, o.Result); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, "metrics.csv"), metricsCSV(o.Metrics)); err != nil {
		return err
	}
	if len(o.Samples) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, SampleGrid(o.Samples, imgH, imgW)); err != nil {
		return fmt.Errorf("encoding samples.png: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, "samples.png"), buf.Bytes())
}

// writeResult writes result.json into dir atomically.
func writeResult(dir string, r Result) error {
	res, err := json.MarshalIndent(jsonSafe(r), "", "  ")
	if err != nil {
		return fmt.Errorf("encoding result: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, "result.json"), append(res, '\n'))
}

// jsonSafe replaces values JSON cannot hold (NaN, ±Inf of a failed run) by zero; the status and
// error say why.
func jsonSafe(r Result) Result {
	for _, f := range []*float64{&r.TrainBPD, &r.ValBPD, &r.TestBPD, &r.MinibatchBPD, &r.MsPerStep} {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
	}
	return r
}

// WriteFileAtomic writes data to a temporary file beside path, syncs it and renames it over path.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	// CreateTemp makes the file 0600: results are for others to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func metricsCSV(ms []Metric) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(metricsHeader)
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, m := range ms {
		w.Write([]string{strconv.Itoa(m.Step), num(m.Epoch), num(m.LR), num(m.MinibatchBPD), num(m.GradNorm), num(m.TrainEvalBPD), num(m.ValBPD), num(m.Elapsed)})
	}
	w.Flush()
	return buf.Bytes()
}

// SampleGrid lays images (h×w bytes each) out in a square-ish grid, 2× enlarged, with 2-pixel gaps.
func SampleGrid(pixels []uint8, h, w int) image.Image {
	n := len(pixels) / (h * w)
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	const scale, gap = 2, 2
	img := image.NewGray(image.Rect(0, 0, cols*(w*scale+gap)+gap, rows*(h*scale+gap)+gap))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	for k := 0; k < n; k++ {
		ox, oy := gap+(k%cols)*(w*scale+gap), gap+(k/cols)*(h*scale+gap)
		for y := 0; y < h*scale; y++ {
			for x := 0; x < w*scale; x++ {
				img.SetGray(ox+x, oy+y, color.Gray{Y: pixels[k*h*w+(y/scale)*w+x/scale]})
			}
		}
	}
	return img
}

// metricsHeader is metrics.csv's first row; ReadMetrics reads the columns by these names.
var metricsHeader = []string{"step", "epoch", "lr", "minibatch_bpd", "grad_norm", "train_eval_bpd", "val_bpd", "elapsed_s"}

// ReadMetrics reads a run's metrics.csv (written by WriteOutcome), by column name; empty cells are NaN.
func ReadMetrics(path string) ([]Metric, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty, want the header %s", path, strings.Join(metricsHeader, ","))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range metricsHeader {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("%s: no column %q (want the header %s)", path, name, strings.Join(metricsHeader, ","))
		}
	}
	var out []Metric
	for i, row := range rows[1:] {
		num := func(name string) (float64, error) {
			s := row[col[name]]
			if s == "" {
				return math.NaN(), nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: row %d, column %s: %w", path, i+2, name, err)
			}
			return v, nil
		}
		step, err := strconv.Atoi(row[col["step"]])
		if err != nil {
			return nil, fmt.Errorf("%s: row %d, column step: %w", path, i+2, err)
		}
		m := Metric{Step: step}
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"epoch", &m.Epoch}, {"lr", &m.LR}, {"minibatch_bpd", &m.MinibatchBPD}, {"grad_norm", &m.GradNorm},
			{"train_eval_bpd", &m.TrainEvalBPD}, {"val_bpd", &m.ValBPD}, {"elapsed_s", &m.Elapsed}} {
			if *f.dst, err = num(f.name); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// CheckWritableDir makes sure dir is (or can be made) a directory this process can write in, by
// creating it and writing and removing a probe file: outputs are checked before work starts.
func CheckWritableDir(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-probe*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// ReadResult reads a run's result.json and validates it (Result.Validate): a file that does not
// parse, or whose values cannot be those of a finished run, is an error wrapping ErrImplausible.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrImplausible, err)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}
