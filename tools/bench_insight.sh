#!/usr/bin/env bash
# Insight benchmark: a fresh database, the generated 100,000-open-invoice book
# (see bench/generate_insight.py for the workload), the figures printed, the
# database dropped. Arguments go to generate_insight.py (e.g. --paid-invoices 500).
source "$(dirname "$0")/common.sh"
DB="ar_collections_bench_insight_$$"
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
"$PYTHON" generate_insight.py "$DB" "$@"
"$PYTHON" bench_insight.py "$DB"
