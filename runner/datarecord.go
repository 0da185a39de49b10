package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"squeezebench/dataset"
)

// DataFile, in a results directory, records the data set its runs were trained on.
const DataFile = "data.json"

// DataRecord is data.json: the identity of the data and, for the reader, whether its files were
// the known ones.
type DataRecord struct {
	ID       dataset.ID `json:"id"`
	Known    bool       `json:"known"` // the content is the known data set's of that name
	Training int        `json:"training_images"`
	Val      int        `json:"validation_images"`
	Test     int        `json:"test_images"`
}

// RecordData writes data.json into the results directory dir for the loaded data, or, when dir
// already has one, checks that it is of the same data: one results directory holds runs of one
// data set, so a resumed ablation pointed at other files is refused before it trains anything.
func RecordData(dir string, s *dataset.Splits) error {
	rec := DataRecord{ID: s.ID(), Known: s.ID().Known(), Training: s.Train.N, Val: s.Val.N, Test: s.Test.N}
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
	return WriteFileAtomic(filepath.Join(dir, DataFile), append(b, '\n'))
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
