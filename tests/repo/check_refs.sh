#!/bin/bash
# check_refs.sh [ROOT] - the documents a reader is sent to exist: every
# mention of WORKLOADS.md (the reference workloads, bench/WORKLOADS.md) in a
# tracked file, and every relative link of a tracked Markdown file
# ([text](path)), resolves to a tracked file or folder, from the repository's
# root or from the mentioning file's folder. Prints each that does not; exit
# status 1 if any.
set -u
root=${1:-.}
cd "$root" || exit 2
tracked=$(mktemp)
trap 'rm -f "$tracked"' EXIT
git ls-files > "$tracked"

exists() {   # exists <path as written> <folder of the mentioning file>
    local p
    for p in "$1" "$2/$1"; do
        p=$(realpath -m --relative-to=. "$p")
        grep -qxF -- "$p" "$tracked" || grep -q "^$p/" "$tracked" && return 0
    done
    return 1
}

bad=0; n=0
while IFS=: read -r file line ref; do
    n=$((n + 1))
    exists "$ref" "$(dirname "$file")" && continue
    echo "check_refs: $file:$line: $ref: no such file in the repository"
    bad=$((bad + 1))
done < <(git grep -noIE '[A-Za-z0-9_./-]*WORKLOADS\.md' -- ':!tests/repo/';
         git ls-files -z '*.md' | xargs -0 grep -noE '\]\([^)#: ]+(#[^)]*)?\)' /dev/null \
           | sed -E 's/\]\(([^)#]*)(#[^)]*)?\)$/\1/')
if [ $bad -gt 0 ]; then
    echo "check_refs: $bad of $n references above lead nowhere"
    exit 1
fi
echo "check_refs: $n references to WORKLOADS.md and relative Markdown links resolve inside the repository"
