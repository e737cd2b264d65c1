# mk/grading.mk - what an instructor types: `make grade` (and private tests with
# TESTS_DIR=path).

.PHONY: grade

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
