#!/usr/bin/env bash
# The whole test suite: a throwaway database with ar_collections installed,
# every test run by pytest-odoo, the database dropped at the end.
source "$(dirname "$0")/common.sh"

# your own PYTHON (the set-up's .venv has them): the test requirements, installed as before
if ! "$PYTHON" -c 'import pytest_odoo, freezegun, openpyxl, xlsxwriter, websocket' 2>/dev/null; then
    "$PYTHON" -m pip install --quiet -r "$REPO_DIR/requirements-test.txt"
fi

DB="ar_collections_test_$$"
WORK=$(mktemp -d)
export AR_TEST_DATA_DIR="$WORK/data"
cleanup() {
    drop_db "$DB"
    rm -rf "$WORK"
}
trap cleanup EXIT

# the job queue bridge is tested with OCA's queue_job, which make setup unpacks from its wheel
if [ ! -f "$REPO_DIR/.cache/oca-addons/queue_job/__manifest__.py" ]; then
    echo "ERROR: OCA's queue_job is missing from .cache/oca-addons/ (the job queue bridge's tests need it): run make setup." >&2
    exit 2
fi
echo "Installing ar_collections (with payment_demo, for the pay-now tests, and the job queue bridge) in the throwaway database $DB ..."
if ! odoo_bin -d "$DB" -i ar_collections,payment_demo,ar_collections_queue_job --without-demo=all --stop-after-init \
        --addons-path="$ODOO_ADDONS_PATH" --data-dir="$AR_TEST_DATA_DIR" \
        --db-filter="^$DB\$" --log-level=warn >"$WORK/install.log" 2>&1; then
    cat "$WORK/install.log" >&2
    echo "ERROR: installing ar_collections failed (log above)." >&2
    exit 1
fi

# A handful of Odoo's own accounting tests, run with ar_collections installed.
ACCOUNT_TESTS=(
    "$ODOO_ROOT/addons/account/tests/test_account_move_entry.py"
    "$ODOO_ROOT/addons/account/tests/test_account_payment_register.py"
    "$ODOO_ROOT/addons/account/tests/test_account_partner.py"
)

# AR_TESTS narrows the selection while developing; the default is the whole suite.
read -r -a TESTS <<<"${AR_TESTS:-ar_collections/tests ar_collections_queue_job/tests integration ${ACCOUNT_TESTS[*]}}"

cd "$REPO_DIR"
"$PYTHON" -m pytest \
    --odoo-database="$DB" \
    --odoo-addons-path="$ODOO_ADDONS_PATH" \
    --odoo-extra="data-dir=$AR_TEST_DATA_DIR" \
    --odoo-log-level=warn \
    --odoo-http \
    -p no:cacheprovider \
    "$@" \
    "${TESTS[@]}"
