# composec: the front door for people.  CMake does the real work; this file
# only names the usual steps.
#
#   make / make build   release build in build/ (RelWithDebInfo)
#   make deps           check the Debian packages the build needs; install them as root
#   make tools          the same for everything the tests need (tests/tools.sh)
#   make demo           build, then compile examples/compose.yaml into out/
#   make test           the test tools (as root), a sanitizer build in build-san/,
#                       then every test through ctest (TESTS=REGEX, LABEL=NAME: a subset)
#   make lint           shellcheck on the project's own shell scripts
#   make fuzz           libFuzzer targets (clang) in build-fuzz/, each run FUZZ_SECONDS
#   make fuzz-smoke     the same, FUZZ_SMOKE_SECONDS (20) per target (CI)
#   make bench          build, then bench/run.sh: medians against the libfyaml floors and the other tools
#   make install        build, then install under PREFIX (default /usr/local; DESTDIR honoured)
#   make package        the Debian package build-deb/composec_<version>_<arch>.deb (DEB_BUILD=DIR: elsewhere)
#   make clean          remove build/, build-san/, build-fuzz/, build-deb/ and out/
#
# Every recipe runs under /bin/sh (dash on Debian); keep it POSIX.

# Subcommands the demo tries after `config`.
DEMO_TARGETS := systemd quadlet sh k8s plan
DEMO_FILE := examples/compose.yaml
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest

# make fuzz: seconds per target (fuzz/run.sh says where seeds, corpora and
# findings live).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := fuzz_frontend fuzz_interp fuzz_dotenv fuzz_backends fuzz_yamldiff

.PHONY: all build deps tools demo test lint clean fuzz fuzz-smoke fuzz-build bench install package

all: build

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build build -j $(JOBS)

# What the build needs comes from the one list in tests/tools.sh: missing
# Debian packages are installed when we are root; otherwise the one command
# to run is printed and make stops.
deps:
	@sh tests/tools.sh install build

# What the tests need on top of the build (the consumers: systemd, podman,
# Quadlet, shellcheck, the npm checkers, ...), from the same list: installed
# when we are root; otherwise the command is printed and the tests that lack
# a tool are reported by CTest as skipped.
tools:
	@sh tests/tools.sh install all

# A subcommand that exits 2 with "not built yet" is reported as skipped; any
# other failure fails the demo.  Multi-file targets write a directory, sh and
# plan write one file.
demo: build
	@rm -rf out && mkdir -p out
	build/composec config -f $(DEMO_FILE) -o out/config.yaml
	@for t in $(DEMO_TARGETS); do \
	  case $$t in \
	    sh) o=out/up.sh ;; \
	    plan) o=out/demo.plan.json ;; \
	    *) o=out/$$t; mkdir -p "$$o" ;; \
	  esac; \
	  echo "build/composec $$t -f $(DEMO_FILE) -o $$o"; \
	  rc=0; build/composec "$$t" -f $(DEMO_FILE) -o "$$o" 2>out/.stderr || rc=$$?; \
	  if [ "$$rc" -eq 2 ]; then \
	    echo "  skipped: $$(head -n 1 out/.stderr)"; \
	    rmdir "$$o" 2>/dev/null || true; \
	  elif [ "$$rc" -ne 0 ]; then \
	    cat out/.stderr >&2; rm -f out/.stderr; \
	    echo "make demo: composec $$t failed (exit $$rc)" >&2; exit 1; \
	  else \
	    cat out/.stderr >&2; \
	  fi; \
	done; \
	rm -f out/.stderr
	@echo; echo "== files written under out/"; find out -type f | sort
	@echo; echo "== out/config.yaml"; cat out/config.yaml

# TESTS=REGEX runs the tests whose names match (ctest -R), LABEL=NAME those
# of one label (unit, golden, cli, consumer: ctest -L).
TESTS ?=
LABEL ?=
test: deps
	@sh tests/tools.sh ensure all
	$(CMAKE) -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DCOMPOSEC_SANITIZE=ON
	$(CMAKE) --build build-san -j $(JOBS)
	$(CTEST) --test-dir build-san --output-on-failure -j2 \
	  $(if $(TESTS),-R '$(TESTS)') $(if $(LABEL),-L '$(LABEL)')

# libFuzzer needs clang; the targets are built with ASan and UBSan (fuzz/).
fuzz-build: deps
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCOMPOSEC_FUZZ=ON -DCOMPOSEC_TESTS=OFF
	$(CMAKE) --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)

fuzz: fuzz-build
	sh fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

FUZZ_SMOKE_SECONDS ?= 20
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# README "Performance": the table, in build/bench/results.md too.
bench: build
	sh bench/run.sh build

PREFIX ?= /usr/local
install: build
	$(CMAKE) --install build --prefix $(PREFIX)

# Debian's build flags (hardening included), /usr, stripped as dh_strip
# does; CPack's DEB generator, its Depends: from dpkg-shlibdeps.  Checked by
# tests/cli/test_package.sh (lintian, and an install on a fresh Debian 12).
DEB_BUILD ?= build-deb
package: deps
	DEB_BUILD_MAINT_OPTIONS=hardening=+all; export DEB_BUILD_MAINT_OPTIONS; \
	CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	$(CMAKE) -S . -B $(DEB_BUILD) -DCMAKE_BUILD_TYPE=None -DCOMPOSEC_TESTS=OFF -DCMAKE_STRIP=$(CURDIR)/dist/deb-strip
	$(CMAKE) --build $(DEB_BUILD) -j $(JOBS)
	cd $(DEB_BUILD) && cpack
	@ls $(DEB_BUILD)/composec_*.deb

# The project's own scripts (generated scripts are checked by their tests).
lint:
	shellcheck -s sh tests/tools.sh tests/golden.sh tests/update-golden.sh tests/fresh-machine.sh fuzz/run.sh \
	  tests/cli/*.sh tests/validate/*.sh tests/reference/*.sh tests/e2e/systemd-run.sh tests/e2e/dockerd.sh tests/e2e/lib.sh tests/e2e/recorder tests/e2e/bookworm-root.sh tests/e2e/debroot.sh bench/run.sh dist/deb-strip
	shellcheck -s bash .ci/run dist/composec.bash

clean:
	rm -rf build build-san build-fuzz build-deb out
