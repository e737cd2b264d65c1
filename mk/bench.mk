# mk/bench.mk - `make bench` (the reference workloads of bench/WORKLOADS.md, ours and
# PyTorch's) and `make bench-kernels` (BLIS's kernel sets).

BENCH_BIN       := $(BUILD)/bench/bench
BENCH_WORKLOADS ?= W1,W2,W3,W4,W4S
BENCH_THREADS   ?= 1,2
BENCH_STEPS     ?= 5
# PROFILE=1: also where each step's time goes, per op (bench --profile).
BENCH_FLAGS     := $(if $(call truthy,$(PROFILE)),--profile)
# PyTorch's side of the comparison: Debian's torch, on OpenBLAS at one
# thread as issue 8's figures are; torch_workloads.py loads OpenBLAS for
# torch alone (LD_LIBRARY_PATH). Installing it makes OpenBLAS Debian's
# libblas.so.3 and liblapack.so.3: the course links BLIS by name, and
# LAPACKE then runs on OpenBLAS's LAPACK.
BENCH_PACKAGES  := python3-torch libopenblas0-pthread

BENCH_KERNELS_BIN := $(BUILD)/bench/gemm_kernels

# -MMD makes the program depend on the headers it includes: link only the .c and the library.
$(BENCH_BIN): bench/bench.c bench/fma_peak.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench $(filter %.c %.a,$^) -o $@ $(LDLIBS)

$(BENCH_KERNELS_BIN): bench/gemm_kernels.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(filter %.c %.a,$^) -o $@ $(LDLIBS)

# The course's GEMM shapes under each of BLIS's kernel sets this CPU runs
# (skx, haswell, zen3): the measurement behind the library's choice
# (common/kernels/blas_kernels.h). BENCH_ROUNDS rounds, the sets taking turns.
BENCH_ROUNDS ?= 3
.PHONY: bench-kernels
bench-kernels: $(BENCH_KERNELS_BIN)
	$(BENCH_KERNELS_BIN) --rounds $(BENCH_ROUNDS)

# Run as root: installs what is missing of BENCH_PACKAGES, so that a first
# `make bench` compares with PyTorch. As another user: prints the exact
# command, and the bench goes on with the library's side alone.
.PHONY: bench-deps
bench-deps:
	@sh tools/install_packages.sh bench "PyTorch's side of the comparison" $(BENCH_PACKAGES) \
	  || echo "bench: going on without PyTorch's side (no ratios)"

# The reference workloads of bench/README.md: ms/step, images/s, GFLOP/s and
# peak memory of the library; with python3-torch installed, PyTorch's on the
# same shapes first, and the ratio. Measure on an idle machine.
.PHONY: bench
bench: $(BENCH_BIN) bench-deps
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
	  /usr/bin/python3 bench/torch_workloads.py --workloads $(BENCH_WORKLOADS) \
	    --threads $(BENCH_THREADS) --steps $(BENCH_STEPS) | tee $(BUILD)/bench/torch.txt; \
	else echo "# bench: no python3-torch, so no PyTorch comparison"; : > $(BUILD)/bench/torch.txt; fi
	@$(BENCH_BIN) --machine | sed 's/^W1 /# /'
	@for w in $$(echo $(BENCH_WORKLOADS) | tr , ' '); do \
	  for n in $$(echo $(BENCH_THREADS) | tr , ' '); do \
	    $(BENCH_BIN) --workload $$w --threads $$n --steps $(BENCH_STEPS) $(BENCH_FLAGS) \
	      --torch $(BUILD)/bench/torch.txt | grep -v -e ' params ' -e ' flops ' -e ' machine ' \
	      || exit 1; \
	  done; done
