#!/usr/bin/env bash
# Debian's PostgreSQL server binaries, for the tests that start a throwaway server
# (tests/integration/postgres/, the PostgreSQL half of tests/unit/store/). The tests run
# /usr/lib/postgresql/*/bin/initdb and pg_ctl themselves; no cluster is created here and
# the package's own cluster is not needed. Idempotent; without root it only says what is
# missing, and those tests skip with that reason.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "postgres.sh: PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are" \
       "missing and cannot be installed here (needs root and apt-get): PostgreSQL tests" \
       "will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
