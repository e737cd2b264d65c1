# mk/lessons.mk - the rules that build every lesson twice, with the student's exercise
# files (build/student/) and with solutions/' (build/solutions/).

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
# student's own helpers do not clash. -MT names the final object in the
# dependency file (the compiler writes the .tmp.o), so a changed header rebuilds it.
# $(1) = lesson, $(2) = student | solutions, $(3) = F
define ISOLATED_RULE
$(BUILD)/$(2)/$(1)/tests/isolated_$(3).o: $(if $(filter solutions,$(2)),$(SOLUTIONS_DIR),$(LESSONS_DIR))/$(1)/$(3).c \
        $(LESSON_TESTS)/$(1)/isolate_$(3).h tests/support/isolate.h tests/support/isolate.awk \
        | $(LIB_BUILD)/.deps-ok
	@mkdir -p $$(@D)
	awk -v src=$$< -v header=isolate_$(3).h -f tests/support/isolate.awk $$< > $$(@:.o=.c)
	$(CC) $$(CFLAGS) -w -I$(LESSONS_DIR)/$(1) -I$(LESSON_TESTS)/$(1) -Itests/support \
	  -MT $$@ -include isolate_$(3).h -c $$(@:.o=.c) -o $$(@:.o=.tmp.o)
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
