# Makefile - the GAN course. `make help` lists what you can type.
#
# Layout of the build:
#   build/lib/libcommon.a          the shared library (common/)
#   build/tests/common             its Criterion tests
#   build/student/NN_topic/        a lesson built with YOUR exercise files
#   build/solutions/NN_topic/      the same lesson built with solutions/
# each lesson folder holds `lesson` (the program) and `test` (its tests).

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD ?= build
OPT   ?= -O3 -march=native
CC    := gcc

# BLIS has no pkg-config file on Debian; its header warns under -Wall, hence -isystem.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BLIS_INC  := /usr/include/$(MULTIARCH)/blis-openmp

CFLAGS  := -std=c11 -D_DEFAULT_SOURCE $(OPT) -g -Wall -Wextra -fopenmp \
           -Icommon -isystem $(BLIS_INC) -MMD -MP $(EXTRA_CFLAGS)
LDLIBS  := -lblis -lpng -lz -lm -fopenmp $(EXTRA_LDFLAGS)
TEST_LDLIBS := -lcriterion $(LDLIBS)

# Everything the course needs from Debian, installed by `make deps`.
DEBIAN_PACKAGES := gcc make libblis-dev libpng-dev zlib1g-dev libcriterion-dev \
                   gnuplot-nox dataset-fashion-mnist

# ---------------------------------------------------------------- set-up

.PHONY: deps
deps: $(BUILD)/.deps-ok

# Installs the missing Debian packages when run as root; otherwise prints the
# exact command and stops.
$(BUILD)/.deps-ok: Makefile
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	      || { echo "deps: apt-get failed; run: apt-get install -y$$missing" >&2; exit 1; }; \
	  else \
	    echo "deps: missing Debian packages:$$missing" >&2; \
	    echo "deps: install them with:  sudo apt-get install -y$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi
	@mkdir -p $(@D) && touch $@

# ---------------------------------------------------------------- the library

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
LIBCOMMON   := $(BUILD)/lib/libcommon.a

$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	ar rcs $@ $^

# ---------------------------------------------------------------- tests of the library

SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(BUILD)/obj/%.o)
COMMON_TEST_SRCS := $(wildcard tests/common/*.c)
COMMON_TEST_OBJS := $(COMMON_TEST_SRCS:%.c=$(BUILD)/obj/%.o)
COMMON_TEST_BIN  := $(BUILD)/tests/common

$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/support -DREF_DIR='"$(CURDIR)/tests/ref/data"'

# Test files are linked as objects: Criterion drops tests found in a static archive.
$(COMMON_TEST_BIN): $(COMMON_TEST_OBJS) $(SUPPORT_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS)

# ---------------------------------------------------------------- lessons

# A lesson is a folder lessons/NN_topic/. Its exercise files are the .c files
# that solutions/NN_topic/ also has; the student build compiles lessons/ as it
# is, the solutions build swaps the exercise files for solutions/'s.
LESSONS := $(notdir $(sort $(wildcard lessons/[0-9][0-9]_*)))

# $(call lesson_of,03) -> 03_dcgan
lesson_of = $(notdir $(firstword $(wildcard lessons/$(1)_*)))

# $(1) = lesson folder name, $(2) = student | solutions
define LESSON_RULES
$(2)_$(1)_SRCS := $$(wildcard lessons/$(1)/*.c)
$(2)_$(1)_OBJS := $$(patsubst lessons/$(1)/%.c,$(BUILD)/$(2)/$(1)/%.o,$$($(2)_$(1)_SRCS))
$(2)_$(1)_TEST_OBJS := $$(patsubst tests/$(1)/%.c,$(BUILD)/$(2)/$(1)/tests/%.o,$$(wildcard tests/$(1)/*.c))

$(BUILD)/$(2)/$(1)/%.o: CFLAGS += -Ilessons/$(1)
$(BUILD)/$(2)/$(1)/tests/%.o: CFLAGS += -Itests/support -DREF_DIR='"$(CURDIR)/tests/ref/data"'

$(BUILD)/$(2)/$(1)/tests/%.o: tests/$(1)/%.c | $(BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@

$(BUILD)/$(2)/$(1)/lesson: $$($(2)_$(1)_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) $$^ -o $$@ $(LDLIBS)

# exit() inside code under test becomes abort(): otherwise exit(0) would make
# a failing test pass.
$(BUILD)/$(2)/$(1)/test: $$($(2)_$(1)_TEST_OBJS) $$(filter-out %/main.o,$$($(2)_$(1)_OBJS)) \
                         $(SUPPORT_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) -Wl,--wrap=exit $$^ -o $$@ $(TEST_LDLIBS)
endef

# The solutions rule comes first: for an exercise file both rules match, and
# make takes the first.
define LESSON_SOURCES
$(BUILD)/solutions/$(1)/%.o: solutions/$(1)/%.c | $(BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
$(BUILD)/solutions/$(1)/%.o: lessons/$(1)/%.c | $(BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
$(BUILD)/student/$(1)/%.o: lessons/$(1)/%.c | $(BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
endef

$(foreach L,$(LESSONS),$(eval $(call LESSON_SOURCES,$(L))))
$(foreach L,$(LESSONS),$(foreach I,student solutions,$(eval $(call LESSON_RULES,$(L),$(I)))))

ALL_LESSON_BINS := $(foreach L,$(LESSONS),$(foreach I,student solutions,\
                     $(BUILD)/$(I)/$(L)/lesson $(BUILD)/$(I)/$(L)/test))

# ---------------------------------------------------------------- commands

IMPL := $(if $(SOLUTIONS),solutions,student)

.PHONY: help all test test-common test-lessons asan debug refdata clean

help:
	@echo "make test                 build everything and run every test (the maintainers' check)"
	@echo "make refdata              regenerate tests/ref/data with PyTorch (python3-torch)"
	@echo "make asan                 the library's tests under AddressSanitizer + UBSan"
	@echo "make debug                the library's tests built -O0 -g"
	@echo "make clean                remove build/"

all: $(COMMON_TEST_BIN) $(ALL_LESSON_BINS)

# Criterion writes its closing "Synthesis:" line to stderr; it stays visible.
# Its --timeout flag is ignored, so every test binary runs under coreutils timeout.
test: all
	@mkdir -p $(BUILD)/reports
	timeout 900 $(COMMON_TEST_BIN) -j2 --xml=$(BUILD)/reports/common.xml

test-common: $(COMMON_TEST_BIN)
	timeout 900 $(COMMON_TEST_BIN) -j2

asan:
	$(MAKE) --no-print-directory BUILD=build/asan \
	  OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test-common

debug:
	$(MAKE) --no-print-directory BUILD=build/debug OPT="-O0" test-common

# Regenerates the committed reference data. Python runs here only, never in tests.
refdata:
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-torch; \
	  else echo "refdata: needs Debian's python3-torch: sudo apt-get install -y python3-torch" >&2; exit 1; fi; }
	@mkdir -p tests/ref/data
	@for g in tests/ref/gen_*.py; do echo "refdata: $$g"; \
	  (cd tests/ref && /usr/bin/python3 $$(basename $$g)) || exit 1; done

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
