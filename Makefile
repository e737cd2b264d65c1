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
#
# This file holds what every rule shares (the folders, the compiler and its
# flags, the Debian packages), `make help` and `make all`; the rules
# themselves are in mk/, one file per concern, included below in the order
# their variables need.

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
# LAPACKE: the symmetric eigensolver behind FCD's matrix square roots (common/eval/frechet.c).
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

# ---------------------------------------------------------------- the rules, by concern
include mk/build.mk       # make deps, the library, its tests' objects
include mk/harness.mk     # the grading tools (tests/harness/)
include mk/lessons.mk     # every lesson, built with lessons/ and with solutions/
include mk/tests.mk       # make test and its stages, make debug
include mk/student.mk     # make check, make run
include mk/grading.mk     # make grade (TESTS_DIR: private tests)
include mk/bundle.mk      # make gradescope
include mk/sanitizers.mk  # make test-asan
include mk/fuzz.mk        # make fuzz, fuzz-replay, fuzz-seeds
include mk/bench.mk       # make bench, bench-kernels
include mk/evaluator.mk   # make evaluator
include mk/datasets.mk    # make datasets, and the data make run needs
include mk/refdata.mk     # make refdata

.PHONY: help all clean

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
	@echo "                            crash safety (tests/reliability), the fuzz corpora under ASan + UBSan,"
	@echo "                            the repository's rules (tests/repo: layers, lesson = solution outside the"
	@echo "                            markers, no machine paths, links that resolve)"
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

# Everything make test builds (mk/datasets.mk adds the tools).
all: $(COMMON_TEST_BIN) $(ALL_LESSON_BINS) $(HARNESS_TOOLS) $(HARNESS_TEST_BIN)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
