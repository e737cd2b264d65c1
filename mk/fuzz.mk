# mk/fuzz.mk - `make fuzz` (libFuzzer on every reader), `make fuzz-replay` (the corpora
# through every reader, part of make test) and `make fuzz-seeds`.

.PHONY: fuzz fuzz-replay fuzz-seeds

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
