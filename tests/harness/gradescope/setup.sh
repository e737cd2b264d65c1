#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the autograder
# image: the Debian packages grading needs (`make gradescope` fills them in).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq @GRADE_PACKAGES@
