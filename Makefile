# Builds and installs libtcc the way C programs expect to find it:
#
#   make                     # cargo build --release, plus the tcc-cc-emails program
#   sudo make install        # into /usr/local (then run `sudo ldconfig`)
#   make install PREFIX=$HOME/.local
#   make install DESTDIR=/tmp/stage PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu   # packaging
#   sudo make uninstall      # same PREFIX/LIBDIR/... as for install
#
# Installed:
#   $(LIBDIR)/libtcc.so.X.Y.Z      the shared library, SONAME libtcc.so.$(SOVERSION)
#   $(LIBDIR)/libtcc.so.$(SOVERSION) -> libtcc.so.X.Y.Z   (what programs load)
#   $(LIBDIR)/libtcc.so        -> libtcc.so.$(SOVERSION)  (what `-ltcc` finds)
#   $(LIBDIR)/libtcc.a         the static library
#   $(INCLUDEDIR)/tcc.h, tcc.hpp
#   $(PKGCONFIGDIR)/tcc.pc     from tcc.pc.in
#   $(BINDIR)/tcc-cc-emails    the command-line front (linked with libtcc.a, so
#                              it runs whatever the loader's search path)
#
# SONAME policy: libtcc.so.MAJOR from 1.0 on; during 0.x, libtcc.so.0.MINOR.
# Cargo's semver treats 0.MINOR as the breaking part of a 0.x version, so a
# 0.x minor release may change the ABI and must not be loaded by programs
# built against the previous one; a patch release only adds functions and
# keeps the SONAME. (cargo-c names 0.x libraries the same way since
# lu-zero/cargo-c#345; Debian then packages libtcc0.1.) build.rs
# sets the SONAME at link time; this file computes the same name for the
# symlinks, and refuses to install a library whose SONAME differs.
#
# Why a Makefile rather than cargo-c (`cargo cinstall`): cargo-c is not
# shipped with Rust; every fresh machine, CI included, would first run a long
# `cargo install cargo-c` that compiles it (and its copy of cargo) from
# source. This file needs nothing beyond make, cargo, a C compiler and the
# coreutils `install`, and does the three things cargo-c would do here: a
# versioned shared library with a SONAME, the static library, a .pc file.
#
# Variables (set on the command line, e.g. `make install PREFIX=/opt/tcc`):
#   PREFIX=/usr/local  DESTDIR=  LIBDIR=$(PREFIX)/lib  INCLUDEDIR=$(PREFIX)/include
#   BINDIR=$(PREFIX)/bin  PKGCONFIGDIR=$(LIBDIR)/pkgconfig
#   PROFILE=release    cargo profile to build and install from (debug: the
#                      profile `cargo build`/`cargo test` use)
#   TARGET_DIR         cargo's target directory (default $CARGO_TARGET_DIR, else target)
#   CARGO=cargo  CC=cc  CFLAGS=-O2  LDFLAGS=  INSTALL=install
#
# Targets:
#   all (default)      build, then cli
#   build              cargo build -p tcc in $(PROFILE)
#   cli                $(BUILD_DIR)/tcc-cc-emails from examples-c/tcc_cc_emails.c
#   install            build, then install-prebuilt
#   install-prebuilt   install what is already built in $(BUILD_DIR), without
#                      running cargo (what the tests use: they must not rebuild
#                      the library other tests are loading)
#   uninstall          remove every file install puts in place
#   clean              remove the cli program (`cargo clean` for the rest)
#
# Linux (ELF) only; paths must not contain spaces.

PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PROFILE ?= release
CARGO ?= cargo
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
CFLAGS ?= -O2
INSTALL ?= install

# The version and description come from Cargo.toml's [package] section.
VERSION := $(shell sed -n '/^\[package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml)
DESCRIPTION := $(shell sed -n '/^\[package\]/,/^\[/ s/^description *= *"\([^"]*\)".*/\1/p' Cargo.toml)
MAJOR := $(word 1,$(subst ., ,$(VERSION)))
MINOR := $(word 2,$(subst ., ,$(VERSION)))
SOVERSION := $(if $(filter 0,$(MAJOR)),0.$(MINOR),$(MAJOR))
SONAME := libtcc.so.$(SOVERSION)
REALNAME := libtcc.so.$(VERSION)

# cargo's output directory for the profile ("dev" is built into "debug").
CARGO_PROFILE := $(if $(filter debug,$(PROFILE)),dev,$(PROFILE))
# (Overridable: the tests install from target/<profile>/deps, where `cargo test` leaves it.)
BUILD_DIR ?= $(TARGET_DIR)/$(if $(filter dev,$(PROFILE)),debug,$(PROFILE))

# The system libraries libtcc.a needs, kept in one place: tcc.pc.in.
STATIC_LIBS := $(shell sed -n 's/^static_libs=//p' tcc.pc.in)

# tcc.pc says ${prefix}/lib rather than /usr/local/lib when it can, so that
# pkg-config --define-prefix can relocate it.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

.PHONY: all build cli install install-prebuilt uninstall clean

all: build
	$(MAKE) --no-print-directory cli

build:
	$(CARGO) build --profile $(CARGO_PROFILE) -p tcc

cli: $(BUILD_DIR)/tcc-cc-emails

$(BUILD_DIR)/tcc-cc-emails: examples-c/tcc_cc_emails.c include/tcc.h $(BUILD_DIR)/libtcc.a tcc.pc.in
	$(CC) -std=c99 $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Iinclude examples-c/tcc_cc_emails.c \
	  $(BUILD_DIR)/libtcc.a $(STATIC_LIBS) -Wl,--gc-sections -o $@

$(BUILD_DIR)/libtcc.a $(BUILD_DIR)/libtcc.so:
	@echo "$@ is missing: run 'make build PROFILE=$(PROFILE)' first" >&2; exit 1

install: build
	$(MAKE) --no-print-directory install-prebuilt

install-prebuilt: $(BUILD_DIR)/libtcc.so $(BUILD_DIR)/libtcc.a cli
	@if command -v readelf >/dev/null 2>&1 && \
	    ! readelf -d $(BUILD_DIR)/libtcc.so | grep -q 'soname: \[$(SONAME)\]'; then \
	  echo "$(BUILD_DIR)/libtcc.so does not have the SONAME $(SONAME): see build.rs" >&2; exit 1; \
	fi
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(BUILD_DIR)/libtcc.so $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtcc.so
	$(INSTALL) -m 0644 $(BUILD_DIR)/libtcc.a $(DESTDIR)$(LIBDIR)/libtcc.a
	$(INSTALL) -m 0644 include/tcc.h include/tcc.hpp $(DESTDIR)$(INCLUDEDIR)/
	sed -e '/^#/d' \
	    -e 's|@PREFIX@|$(PREFIX)|' \
	    -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@DESCRIPTION@|$(DESCRIPTION)|' \
	    tcc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/tcc.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/tcc.pc
	$(INSTALL) -m 0755 $(BUILD_DIR)/tcc-cc-emails $(DESTDIR)$(BINDIR)/tcc-cc-emails
	@if [ -z "$(DESTDIR)" ]; then \
	  echo "Installed libtcc $(VERSION) in $(LIBDIR). If that directory is in /etc/ld.so.conf, run ldconfig (as root);"; \
	  echo "else run programs with LD_LIBRARY_PATH=$(LIBDIR) or link them with -Wl,-rpath,$(LIBDIR)."; \
	fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libtcc.so $(DESTDIR)$(LIBDIR)/libtcc.a \
	      $(DESTDIR)$(INCLUDEDIR)/tcc.h $(DESTDIR)$(INCLUDEDIR)/tcc.hpp \
	      $(DESTDIR)$(PKGCONFIGDIR)/tcc.pc $(DESTDIR)$(BINDIR)/tcc-cc-emails

clean:
	rm -f $(BUILD_DIR)/tcc-cc-emails
