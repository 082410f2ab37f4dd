#!/usr/bin/env bash
# Run every .ci/deps/*.sh (system packages the tests need); see .ci/deps/README.md.
set -euo pipefail
cd "$(dirname "$0")/deps"
for script in *.sh; do
  [ -e "$script" ] || continue
  bash "$script"
done
