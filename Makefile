# Thin wrapper over scripts/ and CMake: `make run` and `make test` are the two set-up commands.
BUILD ?= build
JOBS ?= 2

.PHONY: deps build run test bench release clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./$(BUILD)/drsim run experiments/quickstart.toml

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/bench-vs-anchors.sh

# build-release/drsim, GCC profile-guided (scripts/build-release.sh; installs deps itself).
release:
	@JOBS=$(JOBS) bash scripts/build-release.sh

clean:
	rm -rf $(BUILD) build-sanitize build-release results
