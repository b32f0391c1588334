#!/usr/bin/env bash
# Follow-up batch benchmark: a fresh database, the generated book (see
# bench/generate.py for the workload), the figures printed, the database dropped.
source "$(dirname "$0")/common.sh"
DB="ar_collections_bench_$$"
WORK=$(mktemp -d)
cleanup() {
    drop_db "$DB"
    rm -rf "$WORK"
}
trap cleanup EXIT
echo "Installing ar_collections in $DB ..."
odoo_bin -d "$DB" -i ar_collections --without-demo=all --stop-after-init --addons-path="$ODOO_ADDONS_PATH" \
    --data-dir="$WORK/data" --db-filter="^$DB\$" --log-level=warn
export AR_BENCH_DATA_DIR="$WORK/data"
cd "$REPO_DIR/bench"
"$PYTHON" generate.py "$DB" "$@"
"$PYTHON" bench_batches.py "$DB"
