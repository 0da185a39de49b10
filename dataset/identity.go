package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// ID identifies a data set by content: a name and one SHA-256 over the decompressed contents of its
// four IDX files. A run's configuration includes it, so results of other data never pass for
// MNIST's, whatever directory the files were read from.
type ID struct {
	Name   string `json:"name"`   // a known set's name ("mnist", "fashion-mnist"); "custom" for any other set
	SHA256 string `json:"sha256"` // hex SHA-256 of the four files' content SHA-256s, one per line, in role order
}

// Custom names a data set that is not a known one.
const Custom = "custom"

func (id ID) String() string {
	short := id.SHA256
	if len(short) > 12 {
		short = short[:12]
	}
	if id.Name == Custom {
		return fmt.Sprintf("custom data set (not a known one; content SHA-256 %s…)", short)
	}
	return fmt.Sprintf("%s (content SHA-256 %s…)", id.Name, short)
}

// Known reports whether id is a known data set (its content is the one the name promises).
func (id ID) Known() bool {
	k, err := KnownID(id.Name)
	return err == nil && k == id
}

// KnownNames lists the data sets whose files squeezebench knows by checksum.
func KnownNames() []string {
	var out []string
	for _, k := range knownSets {
		out = append(out, k.name)
	}
	return out
}

// KnownID is the identity of a known data set by name, from its files' known checksums.
func KnownID(name string) (ID, error) {
	k := setNamed(name)
	if k == nil {
		return ID{}, fmt.Errorf("unknown data set %q (known: %s)", name, strings.Join(KnownNames(), ", "))
	}
	var sums []string
	for _, role := range roles {
		sums = append(sums, k.files[role].rawSHA256)
	}
	return ID{Name: name, SHA256: combine(sums)}, nil
}

// ID is the identity of the loaded files: the known set's name when all four are its files,
// else Custom.
func (s *Splits) ID() ID {
	var sums []string
	for _, f := range s.Info.Files {
		sums = append(sums, f.ContentSHA256)
	}
	id := ID{Name: Custom, SHA256: combine(sums)}
	if s.Verified {
		id.Name = s.Known
	}
	return id
}

// combine is the SHA-256 of the files' content sums, one per line.
func combine(sums []string) string {
	h := sha256.Sum256([]byte(strings.Join(sums, "\n") + "\n"))
	return hex.EncodeToString(h[:])
}

// Sizes are the image counts of a data set's splits.
type Sizes struct{ Train, Val, Test int }

// KnownSizes is the split of a known data set: its training file's images split by ValSize into
// training and validation images, and its test file.
func KnownSizes(name string) (Sizes, error) {
	if _, err := KnownID(name); err != nil {
		return Sizes{}, err
	}
	const trainFile, testFile = 60000, 10000 // the four known files' headers
	return Sizes{Train: trainFile - ValSize(trainFile), Val: ValSize(trainFile), Test: testFile}, nil
}
