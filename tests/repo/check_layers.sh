#!/bin/bash
# check_layers.sh [ROOT] - the include rule of the library: a file of
# common/<layer>/ includes common/ headers by their layer path
# ("nn/layers.h") and only from its own layer or a layer below it. Also: no
# source file at common/'s top level, no folder that is not a layer.
# Prints one line per violation; exit status 1 if there is any.
#
# The layers, bottom to top (common/README.md says what each holds):
LAYERS="util kernels autograd nn models data train eval"
set -u
root=${1:-.}
cd "$root" || exit 2
[ -d common ] || { echo "check_layers: $root: no common/ folder" >&2; exit 2; }

rank() { local i=0 l; for l in $LAYERS; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }

bad=0
for f in common/*.c common/*.h; do
    [ -e "$f" ] || continue
    echo "check_layers: $f: a source file at common/'s top level; it belongs in a layer folder ($LAYERS)"
    bad=$((bad + 1))
done
for d in common/*/; do
    layer=$(basename "$d")
    if [ "$(rank "$layer")" -lt 0 ]; then
        echo "check_layers: common/$layer/: not a layer (the layers, bottom to top: $LAYERS)"
        bad=$((bad + 1))
    fi
done
for f in common/*/*.c common/*/*.h; do
    [ -e "$f" ] || continue
    own=$(basename "$(dirname "$f")")
    r_own=$(rank "$own")
    [ "$r_own" -ge 0 ] || continue
    # file:line:header for every quoted include
    while IFS=: read -r n name; do
        case "$name" in
        */*)
            layer=${name%%/*}
            r=$(rank "$layer")
            if [ "$r" -lt 0 ]; then
                [ -f "common/$name" ] || [ -f "$(dirname "$f")/$name" ] && continue
                echo "check_layers: $f:$n: includes \"$name\": no such header in common/"
                bad=$((bad + 1))
            elif [ ! -f "common/$name" ]; then
                echo "check_layers: $f:$n: includes \"$name\": no such header in common/"
                bad=$((bad + 1))
            elif [ "$r" -gt "$r_own" ]; then
                echo "check_layers: $f:$n: includes \"$name\" from layer $layer, above its own layer $own (bottom to top: $LAYERS)"
                bad=$((bad + 1))
            fi ;;
        *)
            echo "check_layers: $f:$n: includes \"$name\" without its layer (write \"<layer>/$name\")"
            bad=$((bad + 1)) ;;
        esac
    done < <(awk 'match($0, /^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"/) {
                    s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s);
                    print FNR ":" s }' "$f")
done
nfiles=$(ls common/*/*.[ch] 2>/dev/null | wc -l)
if [ $bad -gt 0 ]; then
    echo "check_layers: $bad violations of the include rule in $nfiles files"
    exit 1
fi
echo "check_layers: $nfiles files of common/ include only from their own layer or below"
