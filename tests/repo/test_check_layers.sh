#!/bin/bash
# test_check_layers.sh - check_layers.sh must fail on a deliberate upward
# include (a kernel including a training utility), on an include that names
# no layer and on a source file at common/'s top level, and pass on the same
# tree without them. Each case runs on a small tree in a temporary folder.
. "$(dirname "$0")/lib.sh"

tree() {   # a clean two-layer tree in $work/$1
    mkdir -p "$work/$1/common/kernels" "$work/$1/common/train"
    printf '#include "kernels/gemm.h"\n' > "$work/$1/common/train/run.h"
    printf '#include <stdio.h>\n' > "$work/$1/common/kernels/gemm.h"
    printf '#include "kernels/gemm.h"\n' > "$work/$1/common/kernels/gemm.c"
}

expect() {  # expect <pass|fail> <case> <text the output must contain>
    out=$("$check" "$work/$2" 2>&1); st=$?
    if [ "$1" = pass ] && [ $st -ne 0 ]; then
        echo "test_check_layers FAIL $2: expected the check to pass, it failed:"; echo "$out"; fail=1
    elif [ "$1" = fail ] && [ $st -eq 0 ]; then
        echo "test_check_layers FAIL $2: expected the check to fail, it passed:"; echo "$out"; fail=1
    elif ! grep -qF -- "$3" <<< "$out"; then
        echo "test_check_layers FAIL $2: expected the output to contain '$3', found:"; echo "$out"; fail=1
    fi
}

tree clean
expect pass clean "include only from their own layer or below"

tree upward
printf '#include "kernels/gemm.h"\n#include "train/run.h"\n' > "$work/upward/common/kernels/gemm.c"
expect fail upward 'common/kernels/gemm.c:2: includes "train/run.h" from layer train, above its own layer kernels'

tree bare
printf '#include "gemm.h"\n' > "$work/bare/common/train/run.h"
expect fail bare 'common/train/run.h:1: includes "gemm.h" without its layer'

tree top
printf 'int x;\n' > "$work/top/common/stray.c"
expect fail top "common/stray.c: a source file at common/'s top level"

tree missing
printf '#include "kernels/nothing.h"\n' > "$work/missing/common/train/run.h"
expect fail missing 'includes "kernels/nothing.h": no such header in common/'

[ $fail = 0 ] && echo "test_check_layers: the check fails on an upward include, a bare include, a top-level file and a missing header, and passes without them"
exit $fail
