#!/bin/bash
# test_check_sync.sh - check_sync.sh must pass when a lesson file and its
# solution differ only between the exercise markers, and fail when they
# differ outside them, when an exercise is missing on one side and when a
# marker is unbalanced. Each case runs on a small tree in a temporary folder.
. "$(dirname "$0")/lib.sh"

pair() {  # pair <case> <lesson text> <solution text>
    mkdir -p "$work/$1/lessons/01_x" "$work/$1/solutions/01_x"
    printf '%b' "$2" > "$work/$1/lessons/01_x/ex.c"
    printf '%b' "$3" > "$work/$1/solutions/01_x/ex.c"
}
expect() {  # expect <pass|fail> <case> <text the output must contain>
    out=$("$check" "$work/$2" 2>&1); st=$?
    if [ "$1" = pass ] && [ $st -ne 0 ] || [ "$1" = fail ] && [ $st -eq 0 ]; then
        echo "test_check_sync FAIL $2: expected the check to $1:"; echo "$out"; fail=1
    elif ! grep -qF -- "$3" <<< "$out"; then
        echo "test_check_sync FAIL $2: expected the output to contain '$3', found:"; echo "$out"; fail=1
    fi
}

B='/* BEGIN EXERCISE 1.1 */'; E='/* END EXERCISE 1.1 */'
pair inside "int f(void) {\n    $B\n    TODO();\n    $E\n}\n" "int f(void) {\n    $B\n    return 1;\n    $E\n}\n"
expect pass inside "1 exercise files equal their solutions"
pair outside "int f(void) {\n    $B\n    TODO();\n    $E\n}\n" "#include <string.h>\nint f(void) {\n    $B\n    return 1;\n    $E\n}\n"
expect fail outside "lessons/01_x/ex.c differs from solutions/01_x/ex.c outside the exercise markers"
pair missing "int f(void) {\n    return 0;\n}\n" "int f(void) {\n    $B\n    return 1;\n    $E\n}\n"
expect fail missing "differs from solutions/01_x/ex.c"
pair unbalanced "int f(void) {\n    $B\n    TODO();\n}\n" "int f(void) {\n    $B\n    return 1;\n}\n"
expect fail unbalanced "exercise 1.1 has no END EXERCISE marker"

[ $fail = 0 ] && echo "test_check_sync: the check fails on a difference outside the markers, a missing exercise and an open marker, and passes otherwise"
exit $fail
