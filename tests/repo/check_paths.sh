#!/bin/bash
# check_paths.sh [ROOT] - no tracked text file names a folder of the machine it
# was written on: no absolute path into the folders work, root, home or tmp at
# the root of the file system. A path of the repository is written relative to
# its root; a temporary file is made with mkstemp/mkdtemp, whose templates
# ("/tmp/name_XXXXXX", or "/tmp" as the fallback of $TMPDIR in a line that
# builds one) are the one allowed form. Not counted: such words inside a
# longer path (build/fuzz/work/, tests/harness/tmp/), URLs, binary files.
# Prints each hit; exit status 1 if there is any.
set -u
root=${1:-.}
cd "$root" || exit 2
# One pattern for all four, kept apart from its own text by the brackets.
pat='(^|[^A-Za-z0-9_.~$)}/-])/([w]ork|[r]oot|[h]ome|[t]mp)([/"'"'"' :;,)]|$)'
hits=$(git ls-files -z | xargs -0 grep -nIHE "$pat" -- 2>/dev/null \
      | grep -vE '/[t]mp/[A-Za-z0-9_.-]*XXXXXX|"/[t]mp".*XXXXXX|XXXXXX.*"/[t]mp"')
n=$(git ls-files | wc -l)
if [ -n "$hits" ]; then
    echo "$hits"
    echo "check_paths: $(echo "$hits" | wc -l) lines above name an absolute path of a machine; write it relative to the repository (or use mkstemp for a temporary file)"
    exit 1
fi
echo "check_paths: no absolute machine path (into work, root, home or tmp at the root) in $n tracked files"
