# mk/sanitizers.mk - `make test-asan` (alias `make asan`): the tests under ASan + UBSan, and
# the fuzz corpora replayed the same way (part of make test).

.PHONY: test-asan asan asan-replay

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
