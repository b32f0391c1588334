#!/usr/bin/env bash
# Refreshes the translation templates and the French catalogues of both addons from the code: a
# throwaway database with them installed, each addon's terms exported to its i18n/<addon>.pot,
# its fr.po updated from it (translations kept, new terms left empty for a translator; the
# suite's tests/test_translation.py fails until they are filled), both formatted as OCA's
# oca-checks-po wants them.
source "$(dirname "$0")/common.sh"
DB="ar_collections_i18n_$$"
WORK=$(mktemp -d)
trap 'drop_db "$DB"; rm -rf "$WORK"' EXIT
odoo_bin -d "$DB" -i ar_collections,ar_collections_queue_job --without-demo=all --stop-after-init \
    --addons-path="$ODOO_ADDONS_PATH" --data-dir="$WORK/data" --db-filter="^$DB\$" --log-level=warn
for addon in ar_collections ar_collections_queue_job; do
    I18N="$REPO_DIR/$addon/i18n"
    mkdir -p "$I18N"
    odoo_bin -d "$DB" --addons-path="$ODOO_ADDONS_PATH" --data-dir="$WORK/data" --db-filter="^$DB\$" \
        --log-level=warn --i18n-export="$I18N/$addon.pot" --modules="$addon"
    [ -f "$I18N/fr.po" ] || cp "$I18N/$addon.pot" "$I18N/fr.po"
    "$PYTHON" - "$I18N" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

i18n = Path(sys.argv[1])
template = read_po(next(i18n.glob("*.pot")).open("rb"))
for path in sorted(i18n.glob("*.po")):
    catalog = read_po(path.open("rb"))
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with path.open("wb") as out:
        write_po(out, catalog, width=0, omit_header=False)
    # babel writes the template's "code:...py:0" references without their line (":0"), which
    # Odoo's reader of a catalogue alone would refuse: the template keeps them, the catalogue not
    text = "\n".join(
        line
        for line in path.read_text().splitlines()
        if not line.startswith(('"Generated-By:', "#: code:"))
    )
    path.write_text(text + "\n")
    missing = [message.id for message in catalog if message.id and not message.string]
    print(f"{i18n.parent.name}/{path.name}: {len(missing)} terms to translate")
    for msgid in missing:
        print(f"  {msgid!r}")
PY
    oca-checks-po --fix "$I18N"/*.po "$I18N"/*.pot >/dev/null || true
done
