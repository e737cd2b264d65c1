# mk/student.mk - what a student types: `make check LESSON=NN`, `make run [LESSON=NN]`.

.PHONY: check run

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
