package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"strings"
	"sync"
)

// IDX magic numbers: unsigned bytes, 3 dimensions (images) or 1 (labels).
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// NumClasses is the number of classes; every label must be below it.
const NumClasses = 10

// maxDecompressed bounds the size of a decompressed file (2 GiB), so a
// corrupt or hostile gzip stream cannot exhaust memory.
const maxDecompressed = 1 << 31

// Set is a set of equally sized grey-scale images with their labels.
type Set struct {
	Images  []uint8 // N*H*W pixels, image after image, each row-major; values 0..255
	Labels  []uint8 // N labels, each below NumClasses
	N, H, W int     // number of images, image height and width in pixels
}

// Image returns the H*W pixels of image i, row-major. The returned slice
// shares memory with s.Images. Image panics if i is out of range.
func (s *Set) Image(i int) []uint8 {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("dataset: image index %d out of range [0, %d)", i, s.N))
	}
	sz := s.H * s.W
	return s.Images[i*sz : (i+1)*sz : (i+1)*sz]
}

// Subset returns a new Set holding copies of the images and labels at the
// given indices, in that order. Subset panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	sz := s.H * s.W
	out := &Set{
		Images: make([]uint8, len(idx)*sz),
		Labels: make([]uint8, len(idx)),
		N:      len(idx),
		H:      s.H,
		W:      s.W,
	}
	for k, i := range idx {
		copy(out.Images[k*sz:(k+1)*sz], s.Image(i))
		out.Labels[k] = s.Labels[i]
	}
	return out
}

// LoadIDX reads an IDX images file (magic 0x00000803) and the matching IDX
// labels file (magic 0x00000801). Either file may be gzipped; gzip is
// recognised by a ".gz" suffix or by its magic bytes. It checks the headers,
// that the file sizes match them exactly, that both files hold the same
// number of items and that every label is below NumClasses.
// No checksum is verified.
func LoadIDX(imagesPath, labelsPath string) (*Set, error) {
	files, err := readFiles([]string{imagesPath, labelsPath}, nil)
	if err != nil {
		return nil, err
	}
	return makeSet(files[0], files[1])
}

// file is one IDX file read into memory.
type file struct {
	data []byte // decompressed contents
	info FileInfo
}

// readFiles reads the files concurrently. If roles is not nil, roles[i] is the
// standard MNIST name of paths[i] and its checksum is computed and compared.
// The first error in the order of paths is returned.
func readFiles(paths, roles []string) ([]file, error) {
	files := make([]file, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() {
			role := ""
			if roles != nil {
				role = roles[i]
			}
			files[i], errs[i] = readFile(p, role)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// readFile reads path, decompressing it if it is gzipped. If role is not
// empty, the file's SHA-256 is compared with the known MNIST file role.
func readFile(path, role string) (file, error) {
	f := file{info: FileInfo{Path: path}}
	raw, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return f, fmt.Errorf("dataset: %s: cannot read file: %w", path, err)
	}
	f.data = raw
	if strings.HasSuffix(path, ".gz") || bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		f.info.Gzip = true
		if f.data, err = gunzip(raw); err != nil {
			return f, fmt.Errorf("dataset: %s: bad gzip data: %w", path, err)
		}
	}
	if role != "" {
		sum := sha256.Sum256(raw)
		f.info.SHA256 = hex.EncodeToString(sum[:])
		content := sum
		if f.info.Gzip {
			content = sha256.Sum256(f.data)
		}
		f.info.ContentSHA256 = hex.EncodeToString(content[:])
		for _, k := range knownSets {
			if want, ok := k.files[role]; ok && want.rawSHA256 == f.info.ContentSHA256 {
				f.info.Verified, f.info.Set = true, k.name
			}
		}
	}
	return f, nil
}

// gunzip decompresses raw, a complete gzip file (possibly multi-member).
func gunzip(raw []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	// The buffer is sized by the IDX header inside the stream (its dimensions give the exact
	// size), never by the gzip trailer, which in a truncated file is four arbitrary bytes.
	head := make([]byte, 4, 16)
	if _, err := io.ReadFull(zr, head); err != nil {
		return nil, err
	}
	size := -1
	if dims := int(head[3]); head[0] == 0 && head[1] == 0 && head[2] == 0x08 && dims >= 1 && dims <= 3 {
		dh := make([]byte, 4*dims)
		if _, err := io.ReadFull(zr, dh); err != nil {
			return nil, err
		}
		head = append(head, dh...)
		n := uint64(1)
		for i := 0; i < dims; i++ {
			n *= uint64(binary.BigEndian.Uint32(dh[4*i:]))
			if n > maxDecompressed {
				break
			}
		}
		if total := uint64(len(head)) + n; total > maxDecompressed || total > 1032*uint64(len(raw))+1024 {
			return nil, fmt.Errorf("the IDX header declares %d bytes of contents, more than %d compressed bytes can hold", total, len(raw))
		} else {
			size = int(total)
		}
	}
	limit := int64(maxDecompressed) + 1 // total bytes read at most: one more than allowed shows excess
	var buf bytes.Buffer
	if size >= 0 {
		buf.Grow(size + 1)
		limit = int64(size) + 1
	}
	buf.Write(head)
	if _, err := buf.ReadFrom(io.LimitReader(zr, limit-int64(len(head)))); err != nil {
		return nil, err
	}
	if buf.Len() > maxDecompressed {
		return nil, fmt.Errorf("decompressed size exceeds %d bytes", maxDecompressed)
	}
	return buf.Bytes(), nil
}

// makeSet parses and cross-checks an images file and a labels file.
func makeSet(img, lbl file) (*Set, error) {
	n, h, w, pix, err := parseImages(img.data)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", img.info.Path, err)
	}
	labels, err := parseLabels(lbl.data)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", lbl.info.Path, err)
	}
	if len(labels) != n {
		return nil, fmt.Errorf("dataset: count mismatch: %s holds %d images but %s holds %d labels",
			img.info.Path, n, lbl.info.Path, len(labels))
	}
	return &Set{Images: pix, Labels: labels, N: n, H: h, W: w}, nil
}

// parseImages parses an IDX3 unsigned-byte file.
func parseImages(data []byte) (n, h, w int, pix []byte, err error) {
	const header = 16
	if len(data) < 4 {
		return 0, 0, 0, nil, fmt.Errorf("truncated: %d bytes, too short for an IDX magic number", len(data))
	}
	if m := binary.BigEndian.Uint32(data); m != imagesMagic {
		return 0, 0, 0, nil, fmt.Errorf("bad magic number 0x%08x, want 0x%08x (IDX images)%s", m, imagesMagic, magicHint(m))
	}
	if len(data) < header {
		return 0, 0, 0, nil, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte IDX images header", len(data), header)
	}
	n64 := uint64(binary.BigEndian.Uint32(data[4:]))
	h64 := uint64(binary.BigEndian.Uint32(data[8:]))
	w64 := uint64(binary.BigEndian.Uint32(data[12:]))
	if n64 == 0 || h64 == 0 || w64 == 0 {
		return 0, 0, 0, nil, fmt.Errorf("empty: header gives %d images of %dx%d pixels", n64, h64, w64)
	}
	have := uint64(len(data) - header)
	// h64*w64 < 2^64 since both are below 2^32.
	hi, want := bits.Mul64(n64, h64*w64)
	if hi != 0 || want > have {
		return 0, 0, 0, nil, fmt.Errorf("truncated: header promises %d images of %dx%d pixels but only %d pixel bytes follow",
			n64, h64, w64, have)
	}
	if want < have {
		return 0, 0, 0, nil, fmt.Errorf("trailing garbage: %d extra bytes after %d images of %dx%d pixels",
			have-want, n64, h64, w64)
	}
	return int(n64), int(h64), int(w64), data[header:], nil
}

// parseLabels parses an IDX1 unsigned-byte file and checks the label range.
func parseLabels(data []byte) ([]uint8, error) {
	const header = 8
	if len(data) < 4 {
		return nil, fmt.Errorf("truncated: %d bytes, too short for an IDX magic number", len(data))
	}
	if m := binary.BigEndian.Uint32(data); m != labelsMagic {
		return nil, fmt.Errorf("bad magic number 0x%08x, want 0x%08x (IDX labels)%s", m, labelsMagic, magicHint(m))
	}
	if len(data) < header {
		return nil, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte IDX labels header", len(data), header)
	}
	n := uint64(binary.BigEndian.Uint32(data[4:]))
	if n == 0 {
		return nil, errors.New("empty: header gives 0 labels")
	}
	have := uint64(len(data) - header)
	if n > have {
		return nil, fmt.Errorf("truncated: header promises %d labels but only %d bytes follow", n, have)
	}
	if n < have {
		return nil, fmt.Errorf("trailing garbage: %d extra bytes after %d labels", have-n, n)
	}
	labels := data[header:]
	for i, l := range labels {
		if l >= NumClasses {
			return nil, fmt.Errorf("label %d at index %d out of range: labels must be below %d", l, i, NumClasses)
		}
	}
	return labels, nil
}

// magicHint explains a few recognisable wrong magic numbers.
func magicHint(m uint32) string {
	switch m {
	case imagesMagic:
		return "; this is an images file"
	case labelsMagic:
		return "; this is a labels file"
	}
	return ""
}
