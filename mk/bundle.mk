# mk/bundle.mk - `make gradescope`: the Gradescope autograder bundle.

.PHONY: gradescope

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
