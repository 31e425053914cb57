# kbridge - an interactive course on Rust and C inside the Linux kernel.
#
#   make run     install what is missing, build kbridge, start it
#   make test    install, build, prepare the course kernel, run every test
#   make bench   benchmarks (medians over repeated runs)
#   make bench-first  from nothing to the first verdict: a fresh clone built, a fresh
#                KBRIDGE_HOME set up, orientation checked (minutes: a whole kernel build)
#   make install PREFIX=/usr/local

PREFIX ?= /usr/local
VERSION := 0.1.0
CC ?= cc
PKGS := libgit2 lua5.4 ncursesw md4c libcjson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -DKB_LOCALEDIR='"$(PREFIX)/share/locale"' -Isrc -std=c11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror=implicit-function-declaration -MMD -MP -DKB_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS) -lgettextpo

OBJDIR := obj
# src/ is in layers, one folder each (src/README.md): base, sys, kernel, store, engine,
# ui, cli. Every #include names its folder ("base/util.h") and points down a layer or
# stays in its own: scripts/check-layers.sh proves it in `make test`.
LAYERS := base sys kernel store engine ui cli
SRCS := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
OBJS := $(SRCS:src/%.c=$(OBJDIR)/%.o)
LIB_OBJS := $(filter-out $(OBJDIR)/cli/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(OBJDIR)/tests/%)
# kbridge's own words in other languages (src/base/intl.h): assets/po/LANG.po compiled to
# obj/locale, where kbridge looks first when it runs from this tree.
LINGUAS := $(basename $(notdir $(wildcard assets/po/*.po)))
MOS := $(LINGUAS:%=$(OBJDIR)/locale/%/LC_MESSAGES/kbridge.mo)
# kbridge itself compiles on every core (6 s instead of 12 s on 2): part of the wait
# before a new learner's first verdict
NPROC := $(shell nproc 2>/dev/null || echo 1)
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(OBJDIR)/bench/%)

.PHONY: all deps run test unit-tests bench bench-first install clean pot
all: kbridge $(MOS)

# Debian packages: scripts/install-deps.sh says what it installs and why.
deps:
	@scripts/install-deps.sh

kbridge: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJDIR)/locale/%/LC_MESSAGES/kbridge.mo: assets/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# the template from the sources, merged into every catalog (a translator's next step)
pot:
	@scripts/po.sh pot

$(OBJDIR)/%.o: src/%.c | $(OBJDIR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJDIR):
	@mkdir -p $(OBJDIR)/tests

$(OBJDIR)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OBJDIR)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

unit-tests: $(UNIT_BINS)

$(OBJDIR)/bench/%: tests/bench/%.c $(LIB_OBJS) | $(OBJDIR)
	@mkdir -p $(OBJDIR)/bench
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	./kbridge

test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all unit-tests
	@scripts/run-tests.sh

bench: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all $(BENCH_BINS)
	@scripts/bench.sh

bench-first: deps
	@scripts/bench-first-verdict.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kbridge
	install -m 755 kbridge $(DESTDIR)$(PREFIX)/bin/kbridge
	cp -R assets scripts lessons $(DESTDIR)$(PREFIX)/share/kbridge/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/kbridge.1 $(DESTDIR)$(PREFIX)/share/man/man1/kbridge.1
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES && \
		install -m 644 $(OBJDIR)/locale/$$l/LC_MESSAGES/kbridge.mo $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/; \
	done

clean:
	rm -rf $(OBJDIR) kbridge

-include $(OBJS:.o=.d)
