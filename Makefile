# shoal — the two commands a user needs: `make run` and `make test`.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
DATA_DIR  ?= /var/lib/shoal
SOCKET    ?= /run/shoal/shoal.sock
JOBS      ?= $(shell nproc)

.PHONY: all deps configure build run test unit integration e2e bench bench-e2e asan format clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Single-node shoal in the foreground: embedded SQLite store, docker-compatible socket.
run: build
	mkdir -p $(dir $(SOCKET))
	mkdir -p -m 0700 $(DATA_DIR)
	exec $(BUILD_DIR)/shoal daemon --data-dir $(DATA_DIR) --socket $(SOCKET)

# Every test: unit tests in parallel, then integration and end-to-end tests one at a time.
test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e

unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

integration: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration

e2e: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e

bench: build
	./scripts/bench.sh $(BUILD_DIR)

# shoal, Docker Swarm and bare runc side by side (installs Debian's docker.io when absent;
# dockerd runs on its own data root and is removed afterwards). Writes docs/bench/.
bench-e2e: build
	command -v dockerd >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends docker.io && \
	  (systemctl disable --now docker.service docker.socket containerd.service || true))
	python3 bench/side_by_side.py --shoal $(BUILD_DIR)/shoal --out docs/bench

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSHOAL_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -L unit

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
