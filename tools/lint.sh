#!/usr/bin/env bash
# pylint-odoo with OCA's checks, OCA's XML/CSV/manifest checks, and ruff.
AR_SETUP_OPTIONS=--no-system source "$(dirname "$0")/common.sh"
cd "$REPO_DIR"
"$PYTHON" -m pylint --rcfile=.pylintrc ar_collections
oca-checks-odoo-module ar_collections
oca-checks-po ar_collections/i18n/*.po ar_collections/i18n/*.pot
ruff check .
echo "lint: clean"
