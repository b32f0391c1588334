#!/usr/bin/env bash
# Starts Odoo on localhost:8069 with ar_collections and its demo data,
# creating the database on first run.
source "$(dirname "$0")/common.sh"
DB=${AR_DEMO_DB:-ar_collections_demo}
PORT=${AR_DEMO_PORT:-8069}
DATA_DIR=${AR_DEMO_DATA_DIR:-$REPO_DIR/var/data}
mkdir -p "$DATA_DIR"

# ready only when ar_collections and the demo payment provider (payment_demo: "Pay now" on the
# customer's statement page) are installed in it: a first run killed half-way is completed
if ! "$PYTHON" -c "import sys, psycopg2
cr = psycopg2.connect(dbname=sys.argv[1]).cursor()
cr.execute(\"SELECT count(*) FROM ir_module_module WHERE name IN ('ar_collections', 'payment_demo') AND state = 'installed'\")
sys.exit(0 if cr.fetchone()[0] == 2 else 1)" "$DB" 2>/dev/null; then
    echo "Creating database $DB with ar_collections and demo data (about two minutes) ..."
    odoo_bin -d "$DB" -i ar_collections,payment_demo --stop-after-init --addons-path="$ODOO_ADDONS_PATH" \
        --data-dir="$DATA_DIR" --db-filter="^$DB\$" --log-level=warn
fi
echo "Odoo with ar_collections: http://localhost:$PORT/odoo/action-ar_collections.res_partner_action_collections (login admin / admin)"
exec "$PYTHON" -m odoo -d "$DB" --addons-path="$ODOO_ADDONS_PATH" --data-dir="$DATA_DIR" \
    --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT" --log-level=warn
