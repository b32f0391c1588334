#!/usr/bin/env bash
# make clean: removes what the set-up and make demo made (.venv/, .cache/, var/, the demo database).
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DB=${AR_DEMO_DB:-ar_collections_demo}
PY=${PYTHON:-$REPO_DIR/.venv/bin/python}
if [ -x "$PY" ] && "$PY" -c "import sys, psycopg2
c = psycopg2.connect(dbname='postgres'); c.autocommit = True
c.cursor().execute('DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)' % sys.argv[1])" "$DB" 2>/dev/null; then
    echo "dropped the database $DB (if it existed)"
else
    echo "the database $DB (if any) is left as it is: no Python with psycopg2, or PostgreSQL does not answer"
fi
# the stamps first: an interrupted clean never leaves a tree that a later set-up would trust
rm -f "$REPO_DIR/.venv/.ar_setup_stamp" "$REPO_DIR/.cache/odoo-18.0/.ar_source"
rm -rf "$REPO_DIR/.venv" "$REPO_DIR/.cache" "$REPO_DIR/var"
echo "removed .venv/ .cache/ var/"
