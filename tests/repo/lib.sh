# lib.sh - what every tests/repo/test_check_X.sh starts with (it sources
# this file): $check, the check it tests (check_X.sh beside it); $work, a
# temporary folder for the small trees it runs the check on, removed at
# exit; $fail, set to 1 by a failed expectation.
set -u
check=$(cd "$(dirname "$0")" && pwd)/$(basename "$0" | sed 's/^test_//')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
