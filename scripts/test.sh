#!/usr/bin/env bash
# The whole test suite: installs what the tests need (Dovecot, PostgreSQL binaries, Python
# packages), lints, type-checks, then runs pytest. PostgreSQL comes from TEST_DATABASE_URL when
# set, otherwise the suite starts a throwaway cluster of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_apt /usr/sbin/dovecot dovecot-imapd
ensure_apt "/usr/lib/postgresql/*/bin/initdb" postgresql
ensure_apt /usr/bin/chromium chromium
ensure_venv dev
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy .
echo "== pytest"
# Two workers (pytest-xdist): most tests wait on peers (Dovecot, PostgreSQL, the fakes, child
# processes), so two share the 2 cores well. NEWSDESK_TEST_WORKERS=0 runs in one process.
.venv/bin/pytest -n "${NEWSDESK_TEST_WORKERS:-2}" "$@"
