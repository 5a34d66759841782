#!/usr/bin/env bash
# Quick start: create the environment, migrate, then run the service on embedded defaults
# (SQLite under ./var, default units imported on first run, no credentials needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_venv ""
.venv/bin/python main.py db upgrade
exec .venv/bin/python main.py serve "$@"
