#!/usr/bin/env bash
# make clean: removes what the set-up and make demo made (.venv/, .cache/, var/, the demo database).
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DB=${AR_DEMO_DB:-ar_collections_demo}
if command -v dropdb >/dev/null 2>&1 && psql -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
    dropdb --if-exists --force "$DB" && echo "dropped the database $DB"
else
    echo "PostgreSQL does not answer: the database $DB (if any) is left as it is"
fi
rm -rf "$REPO_DIR/.venv" "$REPO_DIR/.cache" "$REPO_DIR/var"
echo "removed .venv/ .cache/ var/"
