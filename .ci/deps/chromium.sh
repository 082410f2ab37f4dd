#!/usr/bin/env bash
# Debian's Chromium, driven headless by Playwright in tests/browser/ (never a downloaded
# browser: `playwright install` is not used). Idempotent; without root it only says what
# is missing, and the browser tests skip with that reason.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: /usr/bin/chromium is missing and cannot be installed here" \
       "(needs root and apt-get): browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
