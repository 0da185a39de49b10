package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

// The real MNIST files have the known identity, whether read gzipped (the module's) or
// decompressed; other data has another identity, named custom.
func TestIDOfRealMNIST(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want, err := KnownID("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.ID(); got != want || !got.Known() {
		t.Fatalf("ID of the module's MNIST = %+v (known %t), want %+v", got, got.Known(), want)
	}
	// The same contents decompressed into another directory: the same identity.
	dir := t.TempDir()
	for _, f := range s.Info.Files {
		data, err := gunzipFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, roleOf(f.Path)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plain, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if plain.ID() != want {
		t.Errorf("decompressed copy: ID %+v, want %+v", plain.ID(), want)
	}
	// One pixel changed: another data set.
	img := filepath.Join(dir, trainImagesName)
	data, _ := os.ReadFile(img)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(img, data, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if id := other.ID(); id.Name != Custom || id.SHA256 == want.SHA256 || id.Known() {
		t.Errorf("one pixel changed: ID %+v (known %t), want a custom identity", id, id.Known())
	}
	if _, err := KnownID("imagenet"); err == nil {
		t.Error("KnownID(imagenet): no error")
	}
}

func gunzipFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return gunzip(raw)
}
