# Octopus: make run | make test | make build | make bench | make install
# Bun is pinned. A `bun` on PATH is used only if it is exactly that version;
# otherwise the `bun` npm package (which ships the binary) goes into .tools/.

BUN_VERSION := 1.4.5
TOOLS       := .tools
BUN_LOCAL   := $(TOOLS)/node_modules/bun/bin/bun.exe
SYSTEM_BUN  := $(shell v=$$(bun --version 2>/dev/null); [ "$$v" = "$(BUN_VERSION)" ] && command -v bun)
BUN         := $(if $(SYSTEM_BUN),$(SYSTEM_BUN),$(abspath $(BUN_LOCAL)))
BIN         := node_modules/.bin

CONFIG_FILE ?= config/config.yaml
TARGET      ?=
OUT         ?= dist/octopus
VERSION     := $(shell sed -n 's/^  "version": "\(.*\)",/\1/p' package.json)
COMMIT      := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

PREFIX      ?= /usr/local
DESTDIR     ?=

.PHONY: help deps test test-systemd typecheck lint format run console build dist bench screenshots install uninstall clean
BINARY      ?= dist/octopus
DIST_TARGETS ?= bun-linux-x64 bun-linux-arm64 bun-linux-x64-baseline

help:
	@echo "make run       start the bot from source with $(CONFIG_FILE) (no token: local console)"
	@echo "make test      install deps, type-check, lint, run the tests with coverage"
	@echo "make test-systemd  install the release tarball in a booted Debian container and check the unit (root)"
	@echo "make build     compile dist/octopus (TARGET=bun-linux-arm64 to cross-compile)"
	@echo "make bench     run the benchmarks in scripts/bench/"
	@echo "make screenshots  the dashboard's pages in headless Chromium, saved as docs/web-*.png"
	@echo "make install   install the binary and the systemd unit (PREFIX, DESTDIR honoured)"
	@echo "make uninstall remove the unit and the binary (keeps /etc/octopus and the state)"
	@echo "make dist      a tarball per target in dist/ (DIST_TARGETS)"

$(BUN_LOCAL):
	@echo "bun $(BUN_VERSION) not on PATH: installing the bun npm package into $(TOOLS)/"
	npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)
	@$(BUN_LOCAL) --version >/dev/null 2>&1 || (cd $(TOOLS)/node_modules/bun && node install.js)
	@test "$$($(BUN_LOCAL) --version)" = "$(BUN_VERSION)"

bun-tool: $(if $(SYSTEM_BUN),,$(BUN_LOCAL))
.PHONY: bun-tool

node_modules/.installed: package.json bun.lock scripts/patches/* | bun-tool
	$(BUN) install --frozen-lockfile
	@touch $@

deps: node_modules/.installed

typecheck: deps
	$(BIN)/tsc --noEmit -p tsconfig.json

lint: deps
	$(BIN)/biome check .

format: deps
	$(BIN)/biome check --write .

test: typecheck lint
	$(BUN) test --coverage --timeout 30000

# The release tarball under a real systemd (systemd-nspawn); the Debian root is cached in .cache/.
test-systemd: deps
	$(MAKE) --no-print-directory dist
	$(BUN) run scripts/systemd-test/harness.ts

run: deps
	CONFIG_FILE=$(CONFIG_FILE) $(BUN) run src/main.ts run

console: deps
	CONFIG_FILE=$(CONFIG_FILE) $(BUN) run src/main.ts console

build: deps
	@mkdir -p $(dir $(OUT))
	@# Not plain --minify: it renames functions, and stack traces then read "at o (lib.ts:2)".
	@# Syntax and whitespace minification keep the names; the sourcemap is embedded.
	@# --splitting: each subcommand's code is its own chunk, loaded by its import() only
	@# (without it --version pays for the whole bundle's bytecode: 39 against 34 MiB).
	$(BUN) build src/main.ts --compile --splitting --minify-syntax --minify-whitespace --sourcemap --format=esm --bytecode \
		$(if $(TARGET),--target=$(TARGET),) \
		--define OCTOPUS_VERSION='"$(VERSION)"' --define OCTOPUS_COMMIT='"$(COMMIT)"' \
		--outfile $(OUT)

bench: deps build
	$(BUN) run scripts/bench/run-all.ts

# The browser test of the dashboard, saving each page it visits (the pictures in docs/).
screenshots: deps
	OCTOPUS_SCREENSHOTS=$(abspath docs) $(BUN) test --timeout 120000 test/features/web/browser.e2e.test.ts

# The binary is built only when missing, so `sudo make install` after `make build` needs no bun.
$(BINARY):
	$(MAKE) build OUT=$(BINARY)

install: $(BINARY)
	BINARY=$(abspath $(BINARY)) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) sh scripts/install.sh

uninstall:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) sh scripts/uninstall.sh

dist: deps
	@set -e; for t in $(DIST_TARGETS); do \
	  d=dist/octopus-$(VERSION)-$${t#bun-}; rm -rf $$d; mkdir -p $$d/scripts; \
	  $(MAKE) --no-print-directory build TARGET=$$t OUT=$$d/octopus; rm -f $$d/*.map; \
	  cp config/config.example.yaml config/config.install.yaml scripts/dist/INSTALL.txt scripts/install.sh scripts/uninstall.sh $$d/; \
	  cp scripts/systemd/octopus.service.in $$d/; cp config/scripts/* $$d/scripts/; \
	  mkdir -p $$d/doc; cp README.md docs/OPERATIONS.md docs/PLUME.md $$d/doc/; \
	  tar -C dist -czf $$d.tar.gz $$(basename $$d); rm -rf $$d; echo "dist: $$d.tar.gz"; \
	done
clean:
	rm -rf dist coverage
