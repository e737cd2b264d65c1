# Makefile - the GAN course. `make help` lists what you can type.
#
# Layout of the build:
#   build/lib/libcommon.a          the shared library (common/)
#   build/tests/common             its Criterion tests
#   build/student/NN_topic/        a lesson built with YOUR exercise files
#   build/solutions/NN_topic/      the same lesson built with solutions/
# each lesson folder holds `lesson` (the program) and `test` (its tests).
#   build/harness/                 the grading tools (tests/harness/)
#   build/grade/                   `make grade`: results.json, junit.xml, logs
#   build/reports/                 `make test`: Criterion's reports, the checks' counts

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD ?= build
# Where the library and the grading tools are built. The harness self-test
# grades its fixture lessons in BUILD folders of their own that share these.
LIB_BUILD ?= $(BUILD)
# Where lessons are found. The harness self-test points these at
# tests/harness/fixtures/ to grade its fixture lessons through this Makefile.
LESSONS_DIR   ?= lessons
SOLUTIONS_DIR ?= solutions
LESSON_TESTS  ?= tests

OPT   ?= -O3 -march=native
CC    := gcc

# BLIS has no pkg-config file on Debian; its header warns under -Wall, hence -isystem.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BLIS_INC  := /usr/include/$(MULTIARCH)/blis-openmp

# -fno-math-errno: nothing here reads errno after sqrtf/expf, and a loop that
# may set errno cannot be vectorised (Adam's update was scalar because of it).
# The results do not change: each element is computed the same way.
CFLAGS  := -std=c11 -D_DEFAULT_SOURCE $(OPT) -g -Wall -Wextra -fopenmp -fno-math-errno \
           -Icommon -isystem $(BLIS_INC) -MMD -MP $(EXTRA_CFLAGS)
# LAPACKE: the symmetric eigensolver behind FCD's matrix square roots (common/frechet.c).
LDLIBS  := -lblis -llapacke -lpng -ljpeg -lz -lm -fopenmp $(EXTRA_LDFLAGS)
TEST_LDLIBS := -lcriterion $(LDLIBS)

# Everything the course needs from Debian, installed by `make deps` (patch: make
# test applies the mistakes of tests/harness/fixtures/mistakes/).
DEBIAN_PACKAGES := gcc make libblis-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev \
                   libcriterion-dev gnuplot-nox dataset-fashion-mnist liblapacke-dev patch
# What grading needs (the Gradescope image installs these): no data, no plots.
GRADE_PACKAGES  := gcc make libblis-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev libcriterion-dev zip liblapacke-dev

# SOLUTIONS=1 (or yes/true) builds and runs the reference exercise files.
truthy = $(filter 1 yes true,$(1))
IMPL   := $(if $(call truthy,$(SOLUTIONS)),solutions,student)

# ---------------------------------------------------------------- set-up

.PHONY: deps
deps: $(LIB_BUILD)/.deps-ok

# Installs the missing Debian packages when run as root; otherwise prints the
# exact command and stops.
$(LIB_BUILD)/.deps-ok: Makefile tools/install_packages.sh
	@sh tools/install_packages.sh deps "what the course builds and runs with" $(DEBIAN_PACKAGES)
	@mkdir -p $(@D) && touch $@

# ---------------------------------------------------------------- the library

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
LIBCOMMON   := $(LIB_BUILD)/lib/libcommon.a

$(LIB_BUILD)/obj/%.o: %.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	ar rcs $@ $^

# ---------------------------------------------------------------- tests of the library

SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
COMMON_TEST_SRCS := $(wildcard tests/common/*.c)
COMMON_TEST_OBJS := $(COMMON_TEST_SRCS:%.c=$(LIB_BUILD)/obj/%.o)
COMMON_TEST_BIN  := $(LIB_BUILD)/tests/common

$(LIB_BUILD)/obj/tests/%.o: CFLAGS += -Itests/support -DREF_DIR='"$(CURDIR)/tests/ref/data"'

# Test files are linked as objects: Criterion drops tests found in a static archive.
$(COMMON_TEST_BIN): $(COMMON_TEST_OBJS) $(SUPPORT_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(TEST_LDLIBS)

# ---------------------------------------------------------------- the grading tools

HARNESS     := $(LIB_BUILD)/harness
GRADE_TOOL  := $(HARNESS)/grade
TALLY_TOOL  := $(HARNESS)/tally
JSON_CHECK  := $(HARNESS)/jsoncheck
HARNESS_TEST_BIN := $(HARNESS)/test
HARNESS_LIB := $(addprefix $(LIB_BUILD)/obj/tests/harness/,junit.o json.o points.o proc.o)
HARNESS_TOOLS := $(GRADE_TOOL) $(TALLY_TOOL) $(JSON_CHECK)

# A student's exit(), _exit(), _Exit() or quick_exit() would end Criterion's
# worker with status 0, which it counts as a pass: each becomes abort().
WRAP_EXIT    := -Wl,--wrap=exit,--wrap=_exit,--wrap=_Exit,--wrap=quick_exit
WRAP_OBJS    := $(LIB_BUILD)/obj/tests/harness/wrap_exits.o

# Kept: make would delete them as intermediates of the pattern rule below.
.SECONDARY: $(HARNESS_TOOLS:$(HARNESS)/%=$(LIB_BUILD)/obj/tests/harness/%.o)

$(HARNESS)/%: $(LIB_BUILD)/obj/tests/harness/%.o $(HARNESS_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@

$(HARNESS_TEST_BIN): $(LIB_BUILD)/obj/tests/harness/test_harness.o $(HARNESS_LIB) \
                     $(SUPPORT_OBJS) $(WRAP_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WRAP_EXIT) $^ -o $@ $(TEST_LDLIBS)

# ---------------------------------------------------------------- lessons

# A lesson is a folder lessons/NN_topic/. Its exercise files are the .c files
# that solutions/NN_topic/ also has; the student build compiles lessons/ as it
# is, the solutions build swaps the exercise files for solutions/'s.
LESSONS := $(notdir $(sort $(wildcard $(LESSONS_DIR)/[0-9][0-9]_*)))

# $(call lesson_of,03) -> 03_dcgan (3 and 03_dcgan work too)
two_digits = $(if $(filter 0 1 2 3 4 5 6 7 8 9,$(1)),0$(1),$(1))
lesson_of  = $(notdir $(firstword $(wildcard $(LESSONS_DIR)/$(call two_digits,$(firstword $(subst _, ,$(1))))_*)))

# The lesson `make run` trains when no LESSON is given: the most advanced of
# the ones that have a program.
DEFAULT_RUN_LESSON := $(firstword $(foreach N,03 02 01,$(if $(wildcard $(LESSONS_DIR)/$(N)_*/main.c),$(N))))

# A lesson's extra programs: lessons/NN_topic/cmd_<name>.c holds the main of
# a program build/<impl>/NN_topic/<name> (an inference tool, a comparison),
# linked with the lesson's other .c files except main.c. The solutions build
# also finds cmd_<name>.c files that only solutions/NN_topic/ has.
#
# $(1) = lesson folder name, $(2) = student | solutions
define LESSON_RULES
$(2)_$(1)_SRCS := $$(sort $$(wildcard $(LESSONS_DIR)/$(1)/*.c) \
                    $$(if $$(filter solutions,$(2)),$$(patsubst $(SOLUTIONS_DIR)/%,$(LESSONS_DIR)/%,\
                      $$(wildcard $(SOLUTIONS_DIR)/$(1)/cmd_*.c))))
$(2)_$(1)_OBJS := $$(patsubst $(LESSONS_DIR)/$(1)/%.c,$(BUILD)/$(2)/$(1)/%.o,$$($(2)_$(1)_SRCS))
$(2)_$(1)_CMDS := $$(patsubst cmd_%.c,%,$$(filter cmd_%.c,$$(notdir $$($(2)_$(1)_SRCS))))
# Everything but the programs' mains: what main.c, each cmd_<name>.c and the tests link with.
$(2)_$(1)_LIB_OBJS := $$(filter-out %/main.o $(BUILD)/$(2)/$(1)/cmd_%.o,$$($(2)_$(1)_OBJS))
$(2)_$(1)_TEST_OBJS := $$(patsubst $(LESSON_TESTS)/$(1)/%.c,$(BUILD)/$(2)/$(1)/tests/%.o,$$(wildcard $(LESSON_TESTS)/$(1)/*.c))
$(2)_$(1)_ISOLATED := $$(patsubst $(LESSON_TESTS)/$(1)/isolate_%.h,$(BUILD)/$(2)/$(1)/tests/isolated_%.o,$$(wildcard $(LESSON_TESTS)/$(1)/isolate_*.h))

$(BUILD)/$(2)/$(1)/%.o: CFLAGS += -I$(LESSONS_DIR)/$(1)
$(BUILD)/$(2)/$(1)/tests/%.o: CFLAGS += -Itests/support -DREF_DIR='"$(CURDIR)/tests/ref/data"'

$(BUILD)/$(2)/$(1)/tests/%.o: $(LESSON_TESTS)/$(1)/%.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@

$(BUILD)/$(2)/$(1)/lesson: $(BUILD)/$(2)/$(1)/main.o $$($(2)_$(1)_LIB_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) $$^ -o $$@ $(LDLIBS)

$$(patsubst %,$(BUILD)/$(2)/$(1)/%,$$($(2)_$(1)_CMDS)): $(BUILD)/$(2)/$(1)/%: \
    $(BUILD)/$(2)/$(1)/cmd_%.o $$($(2)_$(1)_LIB_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) $$^ -o $$@ $(LDLIBS)

# Test objects are linked as objects (Criterion drops tests found in an archive).
$(BUILD)/$(2)/$(1)/test: $$($(2)_$(1)_TEST_OBJS) $$($(2)_$(1)_LIB_OBJS) $$($(2)_$(1)_ISOLATED) \
                         $(SUPPORT_OBJS) $(WRAP_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) $(WRAP_EXIT) $$^ -o $$@ $(TEST_LDLIBS)
endef

# Isolated copies: so that an exercise's tests do not charge it for another
# exercise it calls, tests/NN_topic/isolate_F.h asks for a second copy of the
# exercise file F.c in the test binary, in which the calls an exercise makes
# go to the tests' or the library's references. Before each
# "BEGIN EXERCISE n.m" marker the copy re-includes the header with EXERCISE_AT
# = n * 100 + m (tests/support/isolate.awk writes the copy; the header renames
# from there on); first it is included before everything with EXERCISE_AT
# undefined (it renames the copy's own functions, e.g. l04_d_step ->
# l04_d_step_isolated). Only the *_isolated names stay global, so the
# student's own helpers do not clash.
# $(1) = lesson, $(2) = student | solutions, $(3) = F
define ISOLATED_RULE
$(BUILD)/$(2)/$(1)/tests/isolated_$(3).o: $(if $(filter solutions,$(2)),$(SOLUTIONS_DIR),$(LESSONS_DIR))/$(1)/$(3).c \
        $(LESSON_TESTS)/$(1)/isolate_$(3).h tests/support/isolate.h tests/support/isolate.awk \
        | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	awk -v src=$$< -v header=isolate_$(3).h -f tests/support/isolate.awk $$< > $$(@:.o=.c)
	$(CC) $$(CFLAGS) -w -I$(LESSONS_DIR)/$(1) -I$(LESSON_TESTS)/$(1) -Itests/support \
	  -include isolate_$(3).h -c $$(@:.o=.c) -o $$(@:.o=.tmp.o)
	objcopy --wildcard --keep-global-symbol='*_isolated' $$(@:.o=.tmp.o) $$@
endef

# The solutions rule comes first: for an exercise file both rules match, and
# make takes the first.
define LESSON_SOURCES
$(BUILD)/solutions/$(1)/%.o: $(SOLUTIONS_DIR)/$(1)/%.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
$(BUILD)/solutions/$(1)/%.o: $(LESSONS_DIR)/$(1)/%.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
$(BUILD)/student/$(1)/%.o: $(LESSONS_DIR)/$(1)/%.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
endef

$(foreach L,$(LESSONS),$(eval $(call LESSON_SOURCES,$(L))))
$(foreach L,$(LESSONS),$(foreach I,student solutions,$(eval $(call LESSON_RULES,$(L),$(I)))))
$(foreach L,$(LESSONS),$(foreach I,student solutions,$(foreach F,\
  $(patsubst $(LESSON_TESTS)/$(L)/isolate_%.h,%,$(wildcard $(LESSON_TESTS)/$(L)/isolate_*.h)),\
  $(eval $(call ISOLATED_RULE,$(L),$(I),$(F))))))

ALL_LESSON_BINS := $(foreach L,$(LESSONS),$(foreach I,student solutions,\
                     $(BUILD)/$(I)/$(L)/lesson $(BUILD)/$(I)/$(L)/test \
                     $(patsubst %,$(BUILD)/$(I)/$(L)/%,$($(I)_$(L)_CMDS))))

# Private tests (make grade TESTS_DIR=path): path/NN_topic/test_*.c and
# points.tsv, linked with the lesson as it is graded (student or solutions).
ifdef TESTS_DIR
PRIVATE_VISIBILITY ?= hidden
PRIVATE_LESSONS := $(foreach L,$(LESSONS),$(if $(wildcard $(TESTS_DIR)/$(L)/points.tsv),$(L)))
define PRIVATE_RULES
$(BUILD)/private-$(IMPL)/$(1)/%.o: CFLAGS += -I$(LESSONS_DIR)/$(1) -Itests/support \
                                             -DREF_DIR='"$(CURDIR)/tests/ref/data"'
$(BUILD)/private-$(IMPL)/$(1)/%.o: $(TESTS_DIR)/$(1)/%.c | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	$(CC) $$(CFLAGS) -c $$< -o $$@
$(BUILD)/private-$(IMPL)/$(1)/test: $$(patsubst $(TESTS_DIR)/$(1)/%.c,$(BUILD)/private-$(IMPL)/$(1)/%.o,\
                                       $$(wildcard $(TESTS_DIR)/$(1)/*.c)) \
                                    $$($(IMPL)_$(1)_LIB_OBJS) \
                                    $(SUPPORT_OBJS) $(WRAP_OBJS) $(LIBCOMMON)
	$(CC) $$(CFLAGS) $(WRAP_EXIT) $$^ -o $$@ $(TEST_LDLIBS)
endef
$(foreach L,$(PRIVATE_LESSONS),$(eval $(call PRIVATE_RULES,$(L))))
endif

# ---------------------------------------------------------------- commands

.PHONY: help all test test-common test-lessons stub-check lint-tests test-harness \
        check run grade gradescope asan debug refdata clean

help:
	@echo "student:"
	@echo "  make check LESSON=NN       build your lesson NN and run its tests: PASS/FAIL per exercise, score"
	@echo "  make run [LESSON=NN]       train lesson NN with your exercise code (SOLUTIONS=1: the reference)"
	@echo "                             no LESSON: lesson $(DEFAULT_RUN_LESSON) with the reference; ARGS=\"--steps 100\" passes flags"
	@echo "instructor:"
	@echo "  make grade [LESSON=NN]     grade the exercise files in lessons/: table, build/grade/results.json"
	@echo "                             (Gradescope) and junit.xml; TESTS_DIR=path adds private tests"
	@echo "  make gradescope            build/gradescope/autograder.zip (setup.sh, run_autograder)"
	@echo "maintainer:"
	@echo "  make test                  library tests, every lesson on solutions/, the stub check, the harness,"
	@echo "                            crash safety (tests/reliability), the fuzz corpora under ASan + UBSan"
	@echo "  make refdata               regenerate tests/ref/data with PyTorch (python3-torch)"
	@echo "  make test-asan             library tests, lesson tests on solutions/, fuzz corpora under ASan + UBSan (CI)"
	@echo "  make fuzz                  libFuzzer on every reader, FUZZ_SECONDS (120) each; crashes in build/fuzz/work/"
	@echo "  make debug                 the library's tests built -O0 -g"
	@echo "  make datasets              both data sets below"
	@echo "  make datasets-emoji        lessons 05, 06: the emoji sets (npm): lesson 05's pairs, lesson 06's unpaired sets"
	@echo "  make datasets-adain        lesson 07: content and style images from Debian packages"
	@echo "  make bench [PROFILE=1]     the reference workloads: ms/step of the library (and PyTorch's, with the ratio); PROFILE=1: time per op"
	@echo "  make bench-kernels         the course's GEMM shapes under each of BLIS's kernel sets this CPU runs (GAN_GEMM_KERNELS picks one)"
	@echo "  make evaluator             train (once) the classifier behind FCD; print its accuracy and the FCD floor"
	@echo "  make clean                 remove build/"

all: $(COMMON_TEST_BIN) $(ALL_LESSON_BINS) $(HARNESS_TOOLS) $(HARNESS_TEST_BIN)

REPORTS := $(BUILD)/reports
# make test builds in parallel unless make was given -j.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Outer wall-clock limit on every test binary: Criterion ignores its own --timeout flag.
TEST_TIMEOUT ?= 900

# The maintainers' check. Every stage runs even when an earlier one fails, so
# the last line counts everything: "N passed, N failed" (CI reads it), and the
# exit status is non-zero if anything failed. Criterion prints its closing
# "Synthesis:" line for each test binary on stderr.
test:
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@$(MAKE) --no-print-directory -k $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS)) all \
	  || echo "0 1 the build (see the compiler's messages above)" > $(REPORTS)/build.count
	@$(MAKE) --no-print-directory $(TALLY_TOOL) >/dev/null
	@echo "== the library's tests"
	-timeout $(TEST_TIMEOUT) $(COMMON_TEST_BIN) -j2 --xml=$(REPORTS)/common.xml
	@$(MAKE) --no-print-directory -k test-lessons stub-check lint-tests test-harness || true
	@$(MAKE) --no-print-directory -k test-reliability test-resume-06 asan-replay || true
	@echo "== summary"
	@$(TALLY_TOOL) $(if $(wildcard $(REPORTS)/build.count),--counts $(REPORTS)/build.count) \
	  --xml $(REPORTS)/common.xml \
	  $(foreach L,$(LESSONS),--xml $(REPORTS)/$(L).xml) \
	  $(if $(LESSONS),--counts $(REPORTS)/solutions.count --counts $(REPORTS)/stubs.count) \
	  --counts $(REPORTS)/lint.count \
	  --xml $(REPORTS)/harness.xml --counts $(REPORTS)/selftest.count \
	  --counts $(REPORTS)/mistakes.count \
	  --counts $(REPORTS)/reliability.count --counts $(REPORTS)/fuzz-replay.count \
	  $(if $(call lesson_of,06),--counts $(REPORTS)/resume06.count)

test-common: $(COMMON_TEST_BIN)
	timeout $(TEST_TIMEOUT) $(COMMON_TEST_BIN) -j2

# Every lesson's tests on solutions/: all must pass, and every test that
# points.tsv grades must exist.
test-lessons: $(foreach L,$(LESSONS),$(BUILD)/solutions/$(L)/test) $(GRADE_TOOL)
	@mkdir -p $(REPORTS)
	@for L in $(LESSONS); do \
	  echo "== $$L on solutions/"; \
	  echo "timeout $(TEST_TIMEOUT) $(BUILD)/solutions/$$L/test -j2 --xml=$(REPORTS)/$$L.xml"; \
	  timeout $(TEST_TIMEOUT) $(BUILD)/solutions/$$L/test -j2 --xml=$(REPORTS)/$$L.xml; \
	done; \
	args=""; missing=0; \
	for L in $(LESSONS); do \
	  if [ -f $(LESSON_TESTS)/$$L/points.tsv ]; then \
	    args="$$args --lesson $$L --points $(LESSON_TESTS)/$$L/points.tsv --xml-in $(REPORTS)/$$L.xml"; \
	  else echo "solution-check FAIL $$L: $(LESSON_TESTS)/$$L/points.tsv is missing: nothing is graded"; missing=$$((missing+1)); fi; \
	done; \
	if [ -n "$$args" ]; then $(GRADE_TOOL) --mode solutions --counts $(REPORTS)/solutions.count $$args; st=$$?; \
	else echo "0 0 graded tests exist and pass on solutions/" > $(REPORTS)/solutions.count; st=0; fi; \
	if [ $$missing != 0 ]; then read p f rest < $(REPORTS)/solutions.count; \
	  echo "$$p $$((f+missing)) $$rest" > $(REPORTS)/solutions.count; st=1; fi; \
	exit $$st

# Honesty: every graded test must FAIL on the untouched stubs in lessons/, and
# every BEGIN EXERCISE marker must have a graded test.
stub-check: $(foreach L,$(LESSONS),$(BUILD)/student/$(L)/test) $(GRADE_TOOL)
	@echo "== stub check: every graded test must fail on the untouched exercise stubs"
	@args=""; \
	for L in $(LESSONS); do \
	  [ -f $(LESSON_TESTS)/$$L/points.tsv ] || continue; \
	  args="$$args --lesson $$L --points $(LESSON_TESTS)/$$L/points.tsv --bin $(BUILD)/student/$$L/test"; \
	  for f in $(SOLUTIONS_DIR)/$$L/*.c; do [ -f "$$f" ] && args="$$args --src $(LESSONS_DIR)/$$L/$$(basename $$f)"; done; \
	done; \
	if [ -z "$$args" ]; then echo "0 0 stub check (no lesson has points.tsv)" > $(REPORTS)/stubs.count; exit 0; fi; \
	$(GRADE_TOOL) --mode stubs --out $(BUILD)/stub-check --timeout $(TEST_TIMEOUT) \
	  --counts $(REPORTS)/stubs.count $$args

# Criterion 2.4.1's gt() is true for equal values: no test may use it.
LINT_FILES ?= $(wildcard tests/*/*.c tests/*/*.h)
lint-tests:
	@mkdir -p $(REPORTS)
	@bad=$$(awk '{ code = $$0; sub(/\/\/.*/, "", code) } \
	  code ~ /(^|[^[:alnum:]_])gt[[:space:]]*\(/ && $$0 !~ /lint: allow gt/ { print FILENAME ":" FNR ": " $$0 }' \
	  $(LINT_FILES) /dev/null); \
	n=$$(echo $(LINT_FILES) | wc -w); \
	if [ -n "$$bad" ]; then \
	  echo "$$bad"; \
	  echo "lint FAIL: Criterion 2.4.1's gt() is true for equal values; write not(le(...)) or lt() with the arguments swapped"; \
	  echo "0 1 lint: no gt() in $$n test files" > $(REPORTS)/lint.count; exit 1; \
	fi; \
	echo "lint: no gt() in $$n test files"; echo "1 0 lint: no gt() in $$n test files" > $(REPORTS)/lint.count

# The grading tools' unit tests, then the end-to-end self-test on the fixture lessons.
test-harness: $(HARNESS_TEST_BIN) $(HARNESS_TOOLS) $(LIBCOMMON) $(SUPPORT_OBJS) $(WRAP_OBJS)
	@mkdir -p $(REPORTS)
	@echo "== the grading harness"
	-timeout 300 $(HARNESS_TEST_BIN) -j2 --xml=$(REPORTS)/harness.xml
	+@tests/harness/selftest.sh "$(LIB_BUILD)" "$(REPORTS)/selftest.count"
	@echo "== real mistakes: each costs points in its own exercise only"
	+@tests/harness/mistakes.sh "$(LIB_BUILD)" "$(REPORTS)/mistakes.count"

# ---------------------------------------------------------------- student and instructor

# Checks that LESSON names an existing lesson; sets L.
define NEED_LESSON
L=$(call lesson_of,$(LESSON)); \
if [ -z "$(LESSON)" ] || [ -z "$$L" ]; then \
  echo "usage: make $@ LESSON=NN   (lessons: $(LESSONS))" >&2; exit 2; fi
endef

# The student's view: builds the lesson with your exercise files (the
# compiler's messages are shown), runs its tests, one line per exercise.
check: $(GRADE_TOOL)
	@$(NEED_LESSON); \
	out=$(BUILD)/check/$(IMPL); mkdir -p $$out; \
	$(MAKE) --no-print-directory $(BUILD)/$(IMPL)/$$L/test > $$out/$$L.build.log 2>&1; st=$$?; \
	if [ $$st != 0 ] || grep -q 'warning:' $$out/$$L.build.log; then grep -v '^mkdir\|^ar ' $$out/$$L.build.log; fi; \
	echo "checking $(if $(call truthy,$(SOLUTIONS)),the reference $(SOLUTIONS_DIR)/$$L,your exercise files in $(LESSONS_DIR)/$$L)"; \
	$(GRADE_TOOL) --mode check --out $$out --timeout $(TEST_TIMEOUT) --lesson $$L \
	  --points $(LESSON_TESTS)/$$L/points.tsv --bin $(BUILD)/$(IMPL)/$$L/test \
	  --build-status $$st --build-log $$out/$$L.build.log

# `make run` alone: the default lesson with the reference code, so the first
# command a newcomer types trains something. With LESSON: your code, unless SOLUTIONS=1.
# PROGRAM=<name> runs the lesson's program cmd_<name>.c instead of its main.c.
RUN_LESSON := $(or $(LESSON),$(DEFAULT_RUN_LESSON))
PROGRAM    ?= lesson
RUN_IMPL   := $(if $(LESSON),$(IMPL),$(if $(filter-out undefined,$(origin SOLUTIONS)),$(IMPL),solutions))
run: deps
	@L=$(call lesson_of,$(RUN_LESSON)); \
	if [ -z "$$L" ]; then echo "run: no lesson $(RUN_LESSON) (lessons: $(LESSONS))" >&2; exit 2; fi; \
	$(MAKE) --no-print-directory $(BUILD)/$(RUN_IMPL)/$$L/$(PROGRAM) || exit 1; \
	echo "run: $$L with $(if $(filter solutions,$(RUN_IMPL)),the reference solutions,your exercise files)"; \
	echo "$(BUILD)/$(RUN_IMPL)/$$L/$(PROGRAM) $(ARGS)"; \
	$(BUILD)/$(RUN_IMPL)/$$L/$(PROGRAM) $(ARGS)

GRADE_DIR     ?= $(BUILD)/grade
GRADE_TIMEOUT ?= 600
GRADE_LESSONS := $(if $(LESSON),$(call lesson_of,$(LESSON)),\
                   $(foreach L,$(LESSONS),$(if $(wildcard $(LESSON_TESTS)/$(L)/points.tsv $(if $(TESTS_DIR),$(TESTS_DIR)/$(L)/points.tsv)),$(L))))

# Grades every lesson (or LESSON) on the exercise files in lessons/ (SOLUTIONS=1:
# solutions/). Each lesson is built by its own make with its output captured,
# so a lesson that does not compile scores 0 (with the compiler's output in
# results.json) and the others are still graded. Exits 0 whatever the score;
# non-zero only when grading itself broke, e.g. a TESTS_DIR that is not a
# folder of NN_topic/points.tsv (private tests must never be skipped silently).
grade: $(GRADE_TOOL)
	@if [ -n "$(LESSON)" ] && [ -z "$(GRADE_LESSONS)" ]; then echo "grade: no lesson $(LESSON)" >&2; exit 2; fi
	@if [ -n "$(TESTS_DIR)" ] && [ ! -d "$(TESTS_DIR)" ]; then \
	  echo "grade: TESTS_DIR=$(TESTS_DIR): no such folder; its private tests cannot be graded" >&2; exit 2; fi
	@if [ -n "$(TESTS_DIR)" ] && [ -z "$(strip $(PRIVATE_LESSONS))" ]; then \
	  echo "grade: TESTS_DIR=$(TESTS_DIR): expected <lesson>/points.tsv for one of $(LESSONS), found none" >&2; exit 2; fi
	@rm -rf $(GRADE_DIR) && mkdir -p $(GRADE_DIR)/build
	@args=""; \
	for L in $(GRADE_LESSONS); do \
	  if [ -f $(LESSON_TESTS)/$$L/points.tsv ]; then \
	    echo "grade: building $$L ($(IMPL))"; \
	    $(MAKE) --no-print-directory $(BUILD)/$(IMPL)/$$L/test > $(GRADE_DIR)/build/$$L.log 2>&1; st=$$?; \
	    args="$$args --lesson $$L --points $(LESSON_TESTS)/$$L/points.tsv --bin $(BUILD)/$(IMPL)/$$L/test --build-status $$st --build-log $(GRADE_DIR)/build/$$L.log"; \
	  fi; \
	  if [ -n "$(TESTS_DIR)" ] && [ -f "$(TESTS_DIR)/$$L/points.tsv" ]; then \
	    echo "grade: building $$L's private tests from $(TESTS_DIR)/$$L"; \
	    $(MAKE) --no-print-directory $(BUILD)/private-$(IMPL)/$$L/test > $(GRADE_DIR)/build/$$L-private.log 2>&1; st=$$?; \
	    args="$$args --lesson $$L --private --visibility $(PRIVATE_VISIBILITY) --points $(TESTS_DIR)/$$L/points.tsv --bin $(BUILD)/private-$(IMPL)/$$L/test --build-status $$st --build-log $(GRADE_DIR)/build/$$L-private.log"; \
	  fi; \
	done; \
	$(GRADE_TOOL) --mode grade --out $(GRADE_DIR) --timeout $(GRADE_TIMEOUT) $$args

# The Gradescope autograder: the course without solutions/, setup.sh and
# run_autograder (see CURRICULUM.md, "For instructors").
GRADESCOPE := $(BUILD)/gradescope
gradescope:
	@rm -rf $(GRADESCOPE) && mkdir -p $(GRADESCOPE)/zip/course
	@git ls-files --cached --others --exclude-standard -z \
	  | grep -zv '^$(SOLUTIONS_DIR)/' | grep -zv '^build/' \
	  | xargs -0 -I{} cp --parents {} $(GRADESCOPE)/zip/course/ 2>/dev/null; \
	  ls $(GRADESCOPE)/zip/course/Makefile >/dev/null || { echo "gradescope: could not copy the course" >&2; exit 1; }
	@if [ -n "$(TESTS_DIR)" ]; then cp -r $(TESTS_DIR) $(GRADESCOPE)/zip/course/private_tests; fi
	@for L in $(LESSONS); do for f in $(SOLUTIONS_DIR)/$$L/*.c; do \
	  [ -f "$$f" ] && echo "$(LESSONS_DIR)/$$L/$$(basename $$f)"; done; done > $(GRADESCOPE)/zip/course/EXERCISE_FILES
	@for f in setup.sh run_autograder; do \
	  sed -e 's|@GRADE_PACKAGES@|$(GRADE_PACKAGES)|' tests/harness/gradescope/$$f > $(GRADESCOPE)/zip/$$f; done
	@chmod +x $(GRADESCOPE)/zip/setup.sh $(GRADESCOPE)/zip/run_autograder
	@cd $(GRADESCOPE)/zip && zip -qr ../autograder.zip setup.sh run_autograder course
	@echo "gradescope: wrote $(GRADESCOPE)/autograder.zip ($$(du -h $(GRADESCOPE)/autograder.zip | cut -f1)); upload it as the autograder"

# ---------------------------------------------------------------- reliability

# Crash safety of a training run (tests/reliability/run.sh), on the real
# lesson 02 program (its ring part) built from solutions/: killed with SIGKILL
# at random moments it resumes to the uninterrupted run's log and final
# checkpoint byte for byte; SIGINT/SIGTERM, NaN and divergence, the folder
# lock, damaged checkpoints, unwritable folders and full disks.
RELIABILITY_LESSON := $(BUILD)/solutions/$(call lesson_of,02)/lesson
RELIABILITY_VERIFY := $(LIB_BUILD)/reliability/ckpt_verify

$(RELIABILITY_VERIFY): tests/reliability/ckpt_verify.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

test-reliability: $(RELIABILITY_LESSON) $(RELIABILITY_VERIFY)
	@mkdir -p $(REPORTS)
	@echo "== crash safety of lesson 02's program: kill -9 and resume, signals, divergence, lock, disk"
	@tests/reliability/run.sh $(RELIABILITY_LESSON) $(RELIABILITY_VERIFY) $(REPORTS)/reliability.count $(LIB_BUILD)/reliability/work

# Lesson 06's program stopped by SIGINT and resumed writes the uninterrupted
# run's loss.csv, test.csv and checkpoint byte for byte (its image pools and
# their random stream are in the checkpoint).
RESUME_06_LESSON := $(BUILD)/solutions/$(call lesson_of,06)/lesson

test-resume-06: $(RESUME_06_LESSON)
	@mkdir -p $(REPORTS)
	@echo "== lesson 06: stopped by SIGINT and resumed, the same run (image pools included)"
	@tests/06_cyclegan/resume_check.sh $(RESUME_06_LESSON) $(LIB_BUILD)/resume06 $(REPORTS)/resume06.count

# Sanitizers: the library's tests, every lesson's tests on solutions/ and the
# fuzz corpora (below), built with gcc's AddressSanitizer + UBSan in
# $(BUILD)/asan. It takes about as long as the rest of make test, so make test
# only replays the fuzz corpora this way and CI (.ci/run) runs make test-asan
# too. Criterion's runner leaks a little under LeakSanitizer when it runs tests
# in parallel: tests/reliability/lsan_criterion.supp suppresses libcriterion's
# own leaks only. A test that leaks still passes in Criterion, so the logs are
# searched for sanitizer reports, each of which counts as a failure.
SAN_BUILD := $(BUILD)/asan
SAN_OPT   := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_MAKE  := $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) LIB_BUILD=$(SAN_BUILD) \
             REPORTS=$(REPORTS) OPT="$(SAN_OPT)" EXTRA_LDFLAGS="-fsanitize=address,undefined"
SAN_BINS  := $(SAN_BUILD)/tests/common $(foreach L,$(LESSONS),$(SAN_BUILD)/solutions/$(L)/test)
SAN_ENV   := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/reliability/lsan_criterion.supp:print_suppressions=0

# The fuzz corpora through the readers built with ASan + UBSan (make test).
asan-replay:
	@mkdir -p $(REPORTS)
	@echo "== the fuzz corpora (tests/fuzz) through the readers built with ASan + UBSan"
	@$(SAN_MAKE) $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS)) fuzz-replay

test-asan:
	@rm -rf $(REPORTS)/asan && mkdir -p $(REPORTS)/asan
	@$(MAKE) --no-print-directory $(TALLY_TOOL) >/dev/null
	@echo "== sanitizers (ASan + UBSan): the library's tests, the lessons' on solutions/"
	@$(SAN_MAKE) -k $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS)) $(SAN_BINS) || true
	-@for t in $(SAN_BINS); do \
	  name=$$(echo $${t#$(SAN_BUILD)/} | tr / -); \
	  echo "$$t -j2 --xml=$(REPORTS)/asan/$$name.xml"; \
	  $(SAN_ENV) timeout $(TEST_TIMEOUT) $$t -j2 --xml=$(REPORTS)/asan/$$name.xml 2>&1 \
	    | tee $(REPORTS)/asan/$$name.log | grep -e 'Synthesis' -e 'Sanitizer' -e 'runtime error' -e '^\[FAIL'; \
	done
	-@$(MAKE) --no-print-directory REPORTS=$(REPORTS)/asan asan-replay
	@n=$$(cat $(REPORTS)/asan/*.log /dev/null | grep -c -e 'ERROR: [A-Za-z]*Sanitizer' -e 'runtime error:'); \
	  echo "$$((n == 0)) $$n no sanitizer report in the test logs ($(REPORTS)/asan/*.log)" > $(REPORTS)/asan/reports.count
	@echo "== summary (sanitizers)"
	@$(TALLY_TOOL) $(foreach t,$(SAN_BINS),--xml $(REPORTS)/asan/$(subst /,-,$(t:$(SAN_BUILD)/%=%)).xml) \
	  --counts $(REPORTS)/asan/reports.count --counts $(REPORTS)/asan/fuzz-replay.count

asan: test-asan

# Fuzzing. One target per reader in tests/fuzz/fuzz_<reader>.c, a seed
# corpus of valid files in tests/fuzz/corpus/<reader>/, and the inputs that
# once crashed a reader in tests/fuzz/regressions/<reader>/.
FUZZ_TARGETS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS  ?= 120
FUZZ_MAX_LEN  ?= 16384
FUZZ_BUILD    := $(LIB_BUILD)/fuzz
FUZZ_PACKAGES := clang libclang-rt-14-dev libomp-14-dev
# libFuzzer needs clang: the library is rebuilt with coverage, ASan and UBSan.
FUZZ_CFLAGS   := -std=c11 -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer -fopenmp -Icommon \
                 -isystem $(BLIS_INC) -MMD -MP -fsanitize=fuzzer-no-link,address,undefined \
                 -fno-sanitize-recover=undefined

$(FUZZ_BUILD)/.deps-ok: tools/install_packages.sh
	@sh tools/install_packages.sh fuzz "clang's libFuzzer" $(FUZZ_PACKAGES)
	@mkdir -p $(@D) && touch $@

$(FUZZ_BUILD)/obj/%.o: %.c | $(LIB_BUILD)/.deps-ok $(FUZZ_BUILD)/.deps-ok
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libcommon.a: $(COMMON_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libcommon.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

# The replay driver: the same targets with gcc (+ the sanitizer flags when
# built by asan-replay) and a plain main() instead of libFuzzer.
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(LIB_BUILD)/fuzz-replay/%)

$(LIB_BUILD)/fuzz-replay/%: $(LIB_BUILD)/obj/tests/fuzz/fuzz_%.o $(LIB_BUILD)/obj/tests/fuzz/replay.o \
                            $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o) \
            $(FUZZ_TARGETS:%=$(LIB_BUILD)/obj/tests/fuzz/fuzz_%.o) $(LIB_BUILD)/obj/tests/fuzz/replay.o

# Every seed and every regression input through every reader; one count per reader.
fuzz-replay: $(FUZZ_REPLAY_BINS)
	@mkdir -p $(REPORTS)
	@p=0; f=0; \
	for t in $(FUZZ_TARGETS); do \
	  dirs=tests/fuzz/corpus/$$t; [ -d tests/fuzz/regressions/$$t ] && dirs="$$dirs tests/fuzz/regressions/$$t"; \
	  if timeout 600 $(LIB_BUILD)/fuzz-replay/$$t $$dirs; then p=$$((p+1)); \
	  else f=$$((f+1)); echo "fuzz-replay FAIL $$t: an input above crashed the reader"; fi; \
	done; \
	echo "$$p $$f fuzz corpora replayed"  > $(REPORTS)/fuzz-replay.count; exit $$((f > 0))

# Each target for FUZZ_SECONDS, one after the other (one core); new inputs
# go to $(FUZZ_BUILD)/work/<reader>/corpus, crashes to .../crashes. The
# targets write each input to a file: in memory (/dev/shm) that is 10x faster.
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@crashed=0; if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi; \
	for t in $(FUZZ_TARGETS); do \
	  work=$(FUZZ_BUILD)/work/$$t; mkdir -p $$work/corpus $$work/crashes; \
	  dirs=tests/fuzz/corpus/$$t; [ -d tests/fuzz/regressions/$$t ] && dirs="$$dirs tests/fuzz/regressions/$$t"; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s (log: $$work/log)"; \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$$work/crashes/ \
	    $$work/corpus $$dirs > $$work/log 2>&1; st=$$?; \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$work/log); \
	  if [ $$st = 0 ]; then echo "fuzz $$t: $$runs executions, no crash"; \
	  else crashed=$$((crashed + 1)); \
	    echo "fuzz $$t: CRASH after $$runs executions (exit $$st): $$(ls $$work/crashes)"; \
	    grep -m 3 -e 'ERROR' -e 'contract broken' -e 'runtime error' $$work/log; \
	    echo "  fix it, then add the input: cp $$work/crashes/* tests/fuzz/regressions/$$t/"; fi; \
	done; exit $$crashed

# Rewrites the seed corpora (tests/fuzz/make_seeds.py and the checkpoint seed).
$(LIB_BUILD)/fuzz-seeds/seed_checkpoint: tests/fuzz/seed_checkpoint.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

fuzz-seeds: $(LIB_BUILD)/fuzz-seeds/seed_checkpoint
	cd tests/fuzz && python3 make_seeds.py
	@mkdir -p tests/fuzz/corpus/checkpoint
	$< tests/fuzz/corpus/checkpoint/valid_v2.ckpt
	@mkdir -p tests/fuzz/corpus/jpeg
	cp tests/data/{rgb,gray,progressive,arith_restart,cmyk}_13x7.jpg tests/fuzz/corpus/jpeg/

.PHONY: test-reliability test-resume-06 asan-replay test-asan fuzz fuzz-replay fuzz-seeds

# ---------------------------------------------------------------- variants

debug:
	$(MAKE) --no-print-directory BUILD=build/debug OPT="-O0" test-common

# Regenerates the committed reference data. Python runs here only, never in tests.
# ---------------------------------------------------------------- speed

BENCH_BIN       := $(BUILD)/bench/bench
BENCH_WORKLOADS ?= W1,W2,W3,W4,W4S
BENCH_THREADS   ?= 1,2
BENCH_STEPS     ?= 5
# PROFILE=1: also where each step's time goes, per op (bench --profile).
BENCH_FLAGS     := $(if $(call truthy,$(PROFILE)),--profile)
# PyTorch's side of the comparison: Debian's torch, on OpenBLAS at one
# thread as issue 8's figures are; torch_workloads.py loads OpenBLAS for
# torch alone (LD_LIBRARY_PATH). Installing it makes OpenBLAS Debian's
# libblas.so.3 and liblapack.so.3: the course links BLIS by name, and
# LAPACKE then runs on OpenBLAS's LAPACK.
BENCH_PACKAGES  := python3-torch libopenblas0-pthread

BENCH_KERNELS_BIN := $(BUILD)/bench/gemm_kernels

# -MMD makes the program depend on the headers it includes: link only the .c and the library.
$(BENCH_BIN): bench/bench.c bench/fma_peak.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench $(filter %.c %.a,$^) -o $@ $(LDLIBS)

$(BENCH_KERNELS_BIN): bench/gemm_kernels.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# The course's GEMM shapes under each of BLIS's kernel sets this CPU runs
# (skx, haswell, zen3): the measurement behind the library's choice
# (common/blas_kernels.h). BENCH_ROUNDS rounds, the sets taking turns.
BENCH_ROUNDS ?= 3
.PHONY: bench-kernels
bench-kernels: $(BENCH_KERNELS_BIN)
	$(BENCH_KERNELS_BIN) --rounds $(BENCH_ROUNDS)

# Run as root: installs what is missing of BENCH_PACKAGES, so that a first
# `make bench` compares with PyTorch. As another user: prints the exact
# command, and the bench goes on with the library's side alone.
.PHONY: bench-deps
bench-deps:
	@sh tools/install_packages.sh bench "PyTorch's side of the comparison" $(BENCH_PACKAGES) \
	  || echo "bench: going on without PyTorch's side (no ratios)"

# The reference workloads of bench/README.md: ms/step, images/s, GFLOP/s and
# peak memory of the library; with python3-torch installed, PyTorch's on the
# same shapes first, and the ratio. Measure on an idle machine.
.PHONY: bench
bench: $(BENCH_BIN) bench-deps
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
	  /usr/bin/python3 bench/torch_workloads.py --workloads $(BENCH_WORKLOADS) \
	    --threads $(BENCH_THREADS) --steps $(BENCH_STEPS) | tee $(BUILD)/bench/torch.txt; \
	else echo "# bench: no python3-torch, so no PyTorch comparison"; : > $(BUILD)/bench/torch.txt; fi
	@$(BENCH_BIN) --machine | sed 's/^W1 /# /'
	@for w in $$(echo $(BENCH_WORKLOADS) | tr , ' '); do \
	  for n in $$(echo $(BENCH_THREADS) | tr , ' '); do \
	    $(BENCH_BIN) --workload $$w --threads $$n --steps $(BENCH_STEPS) $(BENCH_FLAGS) \
	      --torch $(BUILD)/bench/torch.txt | grep -v -e ' params ' -e ' flops ' -e ' machine ' \
	      || exit 1; \
	  done; done

# ---------------------------------------------------------------- the evaluator

EVALUATOR_BIN := $(BUILD)/tools/evaluator

# -MMD makes the program depend on the headers it includes: link only the .c and the library.
$(EVALUATOR_BIN): tools/evaluator.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# The classifier behind FCD (common/evaluator.h): trains it once into
# build/evaluator/ (lesson programs do the same when it is missing), then
# prints its test accuracy and the FCD floor. ARGS="--retrain" trains again.
.PHONY: evaluator
evaluator: deps $(EVALUATOR_BIN)
	$(EVALUATOR_BIN) $(ARGS)

# ---------------------------------------------------------------- data sets

# The emoji sets of lessons 05 (Pix2Pix) and 06 (CycleGAN), each made once
# (git-ignored; see datasets/README.md): datasets/emoji/ (lesson 05's pairs),
# then lesson 06's unpaired sets datasets/fluent/, google2twitter_unpaired/ and
# sketch2colour_unpaired/ (the last two cut from lesson 05's pairs). Each
# stamp is newer than everything that shapes its data, so a second
# `make datasets` does nothing.
EDGES_BIN        := $(BUILD)/tools/edges
EMOJI_PAIRS_BIN  := $(BUILD)/tools/emoji_pairs
UNPAIRED_SET_BIN := $(BUILD)/tools/unpaired_set
DOMAIN_GAP_BIN   := $(BUILD)/tools/domain_gap
DATA_TOOLS       := $(EDGES_BIN) $(EMOJI_PAIRS_BIN) $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
EMOJI_STAMP      := datasets/emoji/.complete
UNPAIRED_STAMPS  := datasets/fluent/.complete datasets/google2twitter_unpaired/.complete \
                    datasets/sketch2colour_unpaired/.complete
# rsvg-convert rasterises the flat Fluent SVGs, dwebp decodes the 3-D WebPs,
# emoji-test.txt gives the CLDR names the flat files are named by.
FLUENT_PACKAGES  := librsvg2-bin webp unicode-data

# Lesson 07's content photographs and style images (paintings, wallpapers,
# textures) from five Debian packages, scaled to a short side of 256 px into
# datasets/adain/ (git-ignored). common/image.c shapes this data too (its
# resize and PNG writer) but is not a prerequisite: most of its changes do
# not, and a rebuild downloads 220 MB.
ADAIN_IMAGES_BIN := $(BUILD)/tools/adain_images
RCC_EXTRACT_BIN  := $(BUILD)/tools/rcc_extract
JIGSAW_BIN       := $(BUILD)/tools/jigsaw
ADAIN_TOOLS      := $(ADAIN_IMAGES_BIN) $(RCC_EXTRACT_BIN) $(JIGSAW_BIN)
ADAIN_STAMP      := datasets/adain/.complete

$(DATA_TOOLS) $(ADAIN_TOOLS): $(BUILD)/tools/%: datasets/tools/%.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# make test builds the tools too, so a change that breaks them fails there.
all: $(DATA_TOOLS) $(ADAIN_TOOLS) $(EVALUATOR_BIN) $(BENCH_BIN)

.PHONY: datasets datasets-emoji datasets-adain
datasets: datasets-emoji datasets-adain
datasets-emoji: $(EMOJI_STAMP) $(UNPAIRED_STAMPS)
datasets-adain: $(ADAIN_STAMP)

$(EMOJI_STAMP): datasets/fetch_emoji.sh datasets/npm_fetch.sh datasets/emoji_manifest.js \
                datasets/LICENSES.md datasets/tools/emoji_pairs.c common/edges.c common/edges.h \
                common/paired.c
	+@$(MAKE) --no-print-directory $(EMOJI_PAIRS_BIN) $(EDGES_BIN)
	datasets/fetch_emoji.sh $(EMOJI_PAIRS_BIN)

UNPAIRED_DEPS := datasets/check_unpaired.sh datasets/tools/unpaired_set.c \
                 datasets/tools/domain_gap.c datasets/LICENSES.md common/image.c common/paired.c \
                 common/edges.c

datasets/fluent/.complete: datasets/fetch_fluent.sh datasets/fluent_manifest.js \
                           datasets/emoji_manifest.js datasets/npm_fetch.sh $(UNPAIRED_DEPS)
	@sh tools/install_packages.sh datasets "the Fluent emoji: SVG and WebP decoders, emoji names" \
	  $(FLUENT_PACKAGES)
	+@$(MAKE) --no-print-directory $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
	datasets/fetch_fluent.sh $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)

datasets/%_unpaired/.complete: $(EMOJI_STAMP) datasets/make_unpaired.sh $(UNPAIRED_DEPS)
	+@$(MAKE) --no-print-directory $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)
	datasets/make_unpaired.sh $* $(UNPAIRED_SET_BIN) $(DOMAIN_GAP_BIN)

$(ADAIN_STAMP): datasets/fetch_adain.sh datasets/adain_manifest.tsv datasets/LICENSES.md \
                datasets/tools/adain_images.c datasets/tools/rcc_extract.c datasets/tools/jigsaw.c
	+@$(MAKE) --no-print-directory $(ADAIN_TOOLS)
	datasets/fetch_adain.sh $(ADAIN_TOOLS)

# `make run LESSON=NN` makes the lesson's data first when it is missing
# (DATA_NN: what lesson NN trains on).
DATA_05 := $(EMOJI_STAMP)
DATA_06 := $(UNPAIRED_STAMPS)
DATA_07 := $(ADAIN_STAMP)
run: $(DATA_$(call two_digits,$(firstword $(subst _, ,$(RUN_LESSON)))))

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
