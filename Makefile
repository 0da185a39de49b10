# squeezebench: `make test` runs every test; `make train` trains one cell (see README).
GO      ?= go
BIN     ?= bin/squeezebench
OUT     ?= results/train
PRESET  ?= small
SEED    ?= 1
CELL    ?= -squeeze tutorial -split channel -coupling channelwise

.PHONY: build test vet race check describe train clean

build:
	$(GO) build -o $(BIN) ./cmd/squeezebench

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

# All tests, then the race detector over the packages that run goroutines or share state.
test: vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./variants/... ./dataset/ ./flow/...

check: build
	$(BIN) check

describe: build
	$(BIN) describe -preset tutorial

train: build
	$(BIN) train $(CELL) -preset $(PRESET) -seed $(SEED) -out $(OUT)

clean:
	rm -rf bin
