# shoal — the two commands a user needs: `make run` and `make test`.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
FUZZ_TIME ?= 15
DATA_DIR  ?= /var/lib/shoal
SOCKET    ?= /run/shoal/shoal.sock
JOBS      ?= $(shell nproc)
PREFIX    ?= /usr/local

.PHONY: all deps configure build run install uninstall check test unit integration e2e bench bench-e2e asan fuzz format clean

all: build

deps:
	@./scripts/deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Single-node shoal in the foreground: embedded SQLite store, docker-compatible socket.
# Builds only the two programs it runs (the tests come with make build / make test).
run: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target shoal shoal-monitor
	mkdir -p $(dir $(SOCKET))
	mkdir -p -m 0700 $(DATA_DIR)
	exec $(BUILD_DIR)/shoal daemon --data-dir $(DATA_DIR) --socket $(SOCKET)

# shoal as a service of this host: the binaries (stripped), a systemd unit, and
# /etc/shoal/shoal.conf (kept when it exists). Then: systemctl enable --now shoal.
install: build
	install -D -s -m 0755 $(BUILD_DIR)/shoal $(DESTDIR)$(PREFIX)/bin/shoal
	install -D -s -m 0755 $(BUILD_DIR)/shoal-monitor $(DESTDIR)$(PREFIX)/bin/shoal-monitor
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/shoal/README.md
	mkdir -p $(DESTDIR)/etc/systemd/system
	sed 's|/usr/local|$(PREFIX)|g' packaging/shoal.service > $(DESTDIR)/etc/systemd/system/shoal.service
	chmod 0644 $(DESTDIR)/etc/systemd/system/shoal.service
	[ -e $(DESTDIR)/etc/shoal/shoal.conf ] || install -D -m 0600 packaging/shoal.conf $(DESTDIR)/etc/shoal/shoal.conf
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# Removes what install put in place, except /etc/shoal/shoal.conf and the data dir.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/shoal $(DESTDIR)$(PREFIX)/bin/shoal-monitor
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/shoal
	rm -f $(DESTDIR)/etc/systemd/system/shoal.service
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# What the build compiler does not check: the module graph (manager, agent and rpc
# independent of each other; the http server on common/ alone), Clang's thread-safety
# analysis of the lock annotations (common/mutex.h) over src/, and the code's format
# (.clang-format; `make format` fixes it). It also builds the benchmarks, so they compile.
check: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
	python3 scripts/module_graph.py
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format --dry-run -Werror
	python3 scripts/thread_safety.py $(BUILD_DIR)

# Every test: the checks, unit tests in parallel, then integration and end-to-end tests one
# at a time, then a short run of every fuzz target from its seeds.
test: check
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e
	$(MAKE) fuzz FUZZ_TIME=10

unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

integration: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration

e2e: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e

bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
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

# The request decoders under libFuzzer (tests/fuzz/, clang, ASan + UBSan): each target runs
# FUZZ_TIME seconds from its seeds in tests/fuzz/corpus/<target>/; inputs it finds go to
# $(FUZZ_DIR)/corpus/<target>/, a crashing input to $(FUZZ_DIR)/crashes/ (and the run fails).
fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_COMPILER=clang++ -DSHOAL_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	mkdir -p $(FUZZ_DIR)/crashes
	set -e; for seeds in tests/fuzz/corpus/*/; do \
	  t=$$(basename $$seeds); mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  $(FUZZ_DIR)/tests/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_TIME) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- $(FUZZ_DIR)/corpus/$$t $$seeds; \
	done

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
