# mk/harness.mk - the grading tools (tests/harness/): grade, tally, jsoncheck, their unit
# tests, and the exit() wrappers every lesson test binary links.

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
