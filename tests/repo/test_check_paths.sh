#!/bin/bash
# test_check_paths.sh - check_paths.sh must flag a machine path in a tracked
# file (each of the four roots) and must not flag what only looks like one:
# an mkstemp template, a folder of that name inside a relative path, a URL,
# an untracked file. Runs on a small git repository in a temporary folder.
. "$(dirname "$0")/lib.sh"
git -C "$work" init -q

ok() {  # ok <file> <text>: the check passes with this tracked file
    printf '%s\n' "$2" > "$work/$1"; git -C "$work" add "$1"
    if ! out=$("$check" "$work" 2>&1); then
        echo "test_check_paths FAIL: '$2' was flagged:"; echo "$out"; fail=1; fi
}
flagged() {  # flagged <file> <text>: the check fails and names the file
    printf '%s\n' "$2" > "$work/$1"; git -C "$work" add "$1"
    if out=$("$check" "$work" 2>&1) || ! grep -q "^$1:1:" <<< "$out"; then
        echo "test_check_paths FAIL: '$2' was not flagged:"; echo "$out"; fail=1; fi
    git -C "$work" rm -q --cached "$1"; rm "$work/$1"
}

ok template.c 'char path[] = "/tmp/test_x_XXXXXX";'
ok tmpdir.c 'snprintf(p, n, "%s/f.XXXXXX", tmp ? tmp : "/tmp");'
ok inside.mk 'crashes in build/fuzz/work/ and tests/harness/tmp/'
ok url.md 'see https://example.org/home/index.html'
printf 'cd /%s/x\n' work > "$work/untracked.txt"
ok plain.txt 'nothing here'
for root in work root home tmp; do
    flagged "code_$root.c" "const char *p = \"/$root/someone/build\";"
done
flagged doc.md "run cd /$(echo work) && make"
flagged script.sh "ls /$(echo home)"

[ $fail = 0 ] && echo "test_check_paths: machine paths are flagged; templates, inner folders, URLs and untracked files are not"
exit $fail
