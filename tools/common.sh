# Shared by the tools: checks the platform and sets ODOO_ADDONS_PATH.
# Sourced, not run. Fails fast with one clear line.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The set-up installs what is missing and names the interpreter to use: PYTHON when given
# (it must import Odoo 18.0), else the project's .venv. Its errors are one line, exit 2.
# AR_SETUP_OPTIONS: e.g. --no-system for lint, which needs neither PostgreSQL nor apt.
# shellcheck disable=SC2086
PYTHON=$("$REPO_DIR/tools/setup.sh" --print-python ${AR_SETUP_OPTIONS:-}) || exit 2
ODOO_ROOT=$("$PYTHON" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
# the console scripts of the interpreter's environment (pytest, ruff, oca-checks-*) come first
PATH="$(dirname "$PYTHON"):$PATH"

ODOO_ADDONS_PATH="$REPO_DIR"
# the OCA addons the set-up unpacks from their wheels (requirements-oca.txt), when it has
[ -d "$REPO_DIR/.cache/oca-addons" ] && ODOO_ADDONS_PATH="$REPO_DIR/.cache/oca-addons,$ODOO_ADDONS_PATH"
for dir in "$ODOO_ROOT/addons" "$ODOO_ROOT/odoo/addons"; do
    [ -d "$dir" ] && ODOO_ADDONS_PATH="$dir,$ODOO_ADDONS_PATH"
done
export ODOO_ADDONS_PATH REPO_DIR PYTHON ODOO_ROOT PATH

odoo_bin() {
    "$PYTHON" -m odoo "$@"
}

# Drops a throwaway database (and closes its connections).
drop_db() {
    "$PYTHON" -c "import sys, psycopg2
c = psycopg2.connect(dbname='postgres'); c.autocommit = True
c.cursor().execute('DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)' % sys.argv[1])" "$1" || true
}

# Runs a benchmark: a fresh database with ar_collections (no demo data), the
# book made by bench/$1 (extra arguments go to it), the figures of bench/$2,
# the database dropped at the end.
run_bench() {
    local generator=$1 bench=$2
    shift 2
    DB="ar_collections_bench_$$"
    WORK=$(mktemp -d)
    # AR_BENCH_KEEP=1 keeps the database and its data directory, to rerun bench/$2 on it
    if [ "${AR_BENCH_KEEP:-}" = 1 ]; then
        trap 'echo "kept: database $DB, data directory $WORK/data"' EXIT
    else
        trap 'drop_db "$DB"; rm -rf "$WORK"' EXIT
    fi
    echo "Installing ar_collections in $DB ..."
    odoo_bin -d "$DB" -i ar_collections --without-demo=all --stop-after-init --addons-path="$ODOO_ADDONS_PATH" \
        --data-dir="$WORK/data" --db-filter="^$DB\$" --log-level=warn
    export AR_BENCH_DATA_DIR="$WORK/data"
    cd "$REPO_DIR/bench"
    "$PYTHON" "$generator" "$DB" "$@"
    local compare=()
    # AR_BENCH_COMPARE=bench/<script>: run on a copy of the book first (an OCA addon installed
    # into the copy); its last line "SECONDS <s>" is passed to bench/$2 as --compare-seconds
    if [ -n "${AR_BENCH_COMPARE:-}" ]; then
        local copy="${DB}_copy"
        drop_db "$copy"
        createdb -T "$DB" "$copy"
        "$PYTHON" "${AR_BENCH_COMPARE#bench/}" "$copy" | tee "$WORK/compare.txt"
        drop_db "$copy"
        compare=(--compare-seconds "$(awk '/^SECONDS / {print $2}' "$WORK/compare.txt" | tail -1)")
    fi
    # AR_BENCH_ARGS: options of bench/$2 itself (e.g. "--run-customers 100" on a small book)
    local bench_args=()
    read -r -a bench_args <<< "${AR_BENCH_ARGS:-}"
    "$PYTHON" "$bench" "$DB" "${compare[@]}" "${bench_args[@]}"
}
