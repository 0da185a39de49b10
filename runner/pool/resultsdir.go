package pool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"squeezebench/dataset"
	"squeezebench/runner"
)

// The files of a results directory besides runs/: what the runs were trained on and with.
const (
	DataFile        = "data.json"       // DataRecord: the data set, by content
	CodeVersionFile = "code-version"    // the git version of the code that trained the runs
	ExperimentFile  = "experiment.toml" // the experiment file, as given to ablate
)

// DataRecord is data.json: the identity of the data and, for the reader, whether its files were
// the known ones.
type DataRecord struct {
	ID       dataset.ID `json:"id"`
	Known    bool       `json:"known"` // the content is the known data set's of that name
	Training int        `json:"training_images"`
	Val      int        `json:"validation_images"`
	Test     int        `json:"test_images"`
	// More lists the other data sets of a grid that varies the data set (all known ones).
	More []DataRecord `json:"more,omitempty"`
}

func recordOf(s *dataset.Splits) DataRecord {
	return DataRecord{ID: s.ID(), Known: s.ID().Known(), Training: s.Train.N, Val: s.Val.N, Test: s.Test.N}
}

// RecordData writes data.json into the results directory dir for the loaded data (s, and more
// when the grid varies the data set), or, when dir already has one, checks that it is of the
// same data: a results directory's runs are of their recorded data, so a resumed ablation pointed
// at other files is refused before it trains anything.
func RecordData(dir string, s *dataset.Splits, more ...*dataset.Splits) error {
	rec := recordOf(s)
	for _, m := range more {
		rec.More = append(rec.More, recordOf(m))
	}
	old, err := ReadDataRecord(dir)
	switch {
	case err == nil && old.ID != rec.ID:
		return fmt.Errorf("%s: the runs there were trained on %s, but the data loaded now (%s) is %s: use another -results directory, or the same data",
			filepath.Join(dir, DataFile), old.ID, s.Source, rec.ID)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return runner.WriteFileAtomic(filepath.Join(dir, DataFile), append(b, '\n'))
}

// ReadDataRecord reads dir's data.json.
func ReadDataRecord(dir string) (*DataRecord, error) {
	path := filepath.Join(dir, DataFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r DataRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.ID.SHA256 == "" {
		return nil, fmt.Errorf("%s: no data identity (id.sha256)", path)
	}
	return &r, nil
}

// WriteExperiment writes the experiment file's copy into dir (the report reads it as the truth
// about what was expected) and the code version (`git rev-parse --short HEAD`, "-dirty" with
// uncommitted changes; nothing without git).
func WriteExperiment(dir string, source []byte) error {
	if err := runner.WriteFileAtomic(filepath.Join(dir, ExperimentFile), source); err != nil {
		return err
	}
	if v := runner.CodeVersion(); v != "" {
		return runner.WriteFileAtomic(filepath.Join(dir, CodeVersionFile), []byte(v+"\n"))
	}
	return nil
}

// CodeVersion is the code version recorded in dir, or "" when none is.
func CodeVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, CodeVersionFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
