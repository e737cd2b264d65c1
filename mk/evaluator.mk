# mk/evaluator.mk - `make evaluator`: the classifier behind FCD.

EVALUATOR_BIN := $(BUILD)/tools/evaluator

# -MMD makes the program depend on the headers it includes: link only the .c and the library.
$(EVALUATOR_BIN): tools/evaluator.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# The classifier behind FCD (common/eval/evaluator.h): trains it once into
# build/evaluator/ (lesson programs do the same when it is missing), then
# prints its test accuracy and the FCD floor. ARGS="--retrain" trains again.
.PHONY: evaluator
evaluator: deps $(EVALUATOR_BIN)
	$(EVALUATOR_BIN) $(ARGS)
