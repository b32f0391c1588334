#!/usr/bin/env bash
# make setup, and the first step of make demo / make test: installs what is missing
# (a .venv with Odoo 18.0 and the test requirements, system packages, PostgreSQL).
# See tools/setup_env.py; options: --print-python, --no-system, --no-test-requirements.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# the script runs on your own PYTHON when given, else on the python3 the venv is made from
BASE_PYTHON=${PYTHON:-${AR_BASE_PYTHON:-python3}}
if ! command -v "$BASE_PYTHON" >/dev/null 2>&1; then
    echo "ERROR: $BASE_PYTHON is not installed: install Python 3.10 to 3.12 (Debian: apt-get install python3 python3-venv)." >&2
    exit 2
fi
exec "$BASE_PYTHON" "$REPO_DIR/tools/setup_env.py" "$@"
