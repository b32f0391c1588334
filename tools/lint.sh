#!/usr/bin/env bash
# pylint-odoo with OCA's checks, OCA's XML/CSV/manifest checks, and ruff, on both addons.
AR_SETUP_OPTIONS=--no-system source "$(dirname "$0")/common.sh"
cd "$REPO_DIR"
ADDONS=(ar_collections ar_collections_queue_job)
"$PYTHON" -m pylint --rcfile=.pylintrc "${ADDONS[@]}"
oca-checks-odoo-module "${ADDONS[@]}"
for addon in "${ADDONS[@]}"; do
    oca-checks-po "$addon"/i18n/*.po "$addon"/i18n/*.pot
done
ruff check .
echo "lint: clean"
