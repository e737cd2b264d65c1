# mk/tests.mk - the maintainers' check, `make test`, and its stages: the library's
# tests, every lesson on solutions/, the stub check, the lint, the
# repository's rules, the harness, crash safety; `make debug`.

.PHONY: test test-common test-lessons stub-check lint-tests test-repo test-harness test-reliability test-resume-06 debug

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
	@$(MAKE) --no-print-directory -k test-lessons stub-check lint-tests test-repo test-harness || true
	@$(MAKE) --no-print-directory -k test-reliability test-resume-06 asan-replay || true
	@echo "== summary"
	@$(TALLY_TOOL) $(if $(wildcard $(REPORTS)/build.count),--counts $(REPORTS)/build.count) \
	  --xml $(REPORTS)/common.xml \
	  $(foreach L,$(LESSONS),--xml $(REPORTS)/$(L).xml) \
	  $(if $(LESSONS),--counts $(REPORTS)/solutions.count --counts $(REPORTS)/stubs.count) \
	  --counts $(REPORTS)/lint.count --counts $(REPORTS)/repo.count \
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

# The repository's own rules (tests/repo): the include rule of common/'s
# layers; every lesson file equal to its solution outside the exercise
# markers; no absolute path of a machine in a tracked file; every mention of
# bench/WORKLOADS.md and every Markdown link resolving inside the repository. Each
# check has a test_*.sh that shows it failing when its rule is broken.
test-repo:
	@mkdir -p $(REPORTS)
	@echo "== the repository's rules (tests/repo)"
	@tests/repo/run.sh $(REPORTS)/repo.count

# The grading tools' unit tests, then the end-to-end self-test on the fixture lessons.
test-harness: $(HARNESS_TEST_BIN) $(HARNESS_TOOLS) $(LIBCOMMON) $(SUPPORT_OBJS) $(WRAP_OBJS)
	@mkdir -p $(REPORTS)
	@echo "== the grading harness"
	-timeout 300 $(HARNESS_TEST_BIN) -j2 --xml=$(REPORTS)/harness.xml
	+@tests/harness/selftest.sh "$(LIB_BUILD)" "$(REPORTS)/selftest.count"
	@echo "== real mistakes: each costs points in its own exercise only"
	+@tests/harness/mistakes.sh "$(LIB_BUILD)" "$(REPORTS)/mistakes.count"



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

# Lessons 03-05's programs (and lesson 05's infer) for their own checks.
RELIABILITY_MORE := $(foreach N,03 04 05,$(BUILD)/solutions/$(call lesson_of,$(N))/lesson) \
                    $(BUILD)/solutions/$(call lesson_of,05)/infer

test-reliability: $(RELIABILITY_LESSON) $(RELIABILITY_VERIFY) $(RELIABILITY_MORE)
	@mkdir -p $(REPORTS)
	@echo "== crash safety of lesson 02's program: kill -9 and resume, signals, divergence, lock, disk; lessons 03-05's checks"
	@tests/reliability/run.sh $(RELIABILITY_LESSON) $(RELIABILITY_VERIFY) $(REPORTS)/reliability.count $(LIB_BUILD)/reliability/work $(BUILD)/solutions

# Lesson 06's program stopped by SIGINT and resumed writes the uninterrupted
# run's loss.csv, test.csv and checkpoint byte for byte (its image pools and
# their random stream are in the checkpoint).
RESUME_06_LESSON := $(BUILD)/solutions/$(call lesson_of,06)/lesson

test-resume-06: $(RESUME_06_LESSON)
	@mkdir -p $(REPORTS)
	@echo "== lesson 06: stopped by SIGINT and resumed, the same run (image pools included)"
	@tests/06_cyclegan/resume_check.sh $(RESUME_06_LESSON) $(LIB_BUILD)/resume06 $(REPORTS)/resume06.count



debug:
	$(MAKE) --no-print-directory BUILD=build/debug OPT="-O0" test-common
