# mk/refdata.mk - `make refdata`: the reference data of tests/ref/data, regenerated with
# PyTorch (python3-torch). Python runs here only, never in tests.

.PHONY: refdata

refdata:
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-torch; \
	  else echo "refdata: needs Debian's python3-torch: sudo apt-get install -y python3-torch" >&2; exit 1; fi; }
	@mkdir -p tests/ref/data
	@for g in tests/ref/gen_*.py; do echo "refdata: $$g"; \
	  (cd tests/ref && /usr/bin/python3 $$(basename $$g)) || exit 1; done
