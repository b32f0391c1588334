# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo.modules.module import get_module_resource
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader, TranslationModuleReader

PLACEHOLDERS = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{.*?\}\}")
# the same in French: fr.po leaves them empty (OCA's po-pretty-format clears a msgstr equal to
# its msgid); any other term without a translation is a miss
SAME_IN_FRENCH = {
    "%(message)s (%(records)s)",
    "%(scope)s, %(start)s - %(end)s",
    ", BIC",
    "/ 100",
    "1-30",
    "120+",
    "31-60",
    "61-90",
    "91-120",
    "<small>CEI %</small>",
    "<small>DSO</small>",
    "CEI (%)",
    "Contact",
    "Date",
    "Description",
    "Document",
    "Documents (",
    "Email",
    "Emails",
    "ID",
    "Logo",
    "Message",
    "Messages",
    "Note",
    "Signature",
    "Source",
    "Total",
    "Type",
    "email",
}


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    """The addon ships its whole UI in French: every term Odoo extracts from its code, views,
    templates and data has a translation in i18n/fr.po, keeping its placeholders."""

    def test_every_term_is_translated_with_its_placeholders(self):
        terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=["ar_collections"]) if row[4]}
        with open(get_module_resource("ar_collections", "i18n", "fr.po"), "rb") as po_file:
            translations = {entry["src"]: entry["value"] for entry in PoFileReader(po_file) if entry["value"]}
        missing = sorted(term for term in terms if term not in translations and term not in SAME_IN_FRENCH)
        self.assertFalse(missing, f"{len(missing)} terms without a French translation, e.g. {missing[:5]}")
        broken = [
            term
            for term in terms
            if term in translations
            and sorted(PLACEHOLDERS.findall(term)) != sorted(PLACEHOLDERS.findall(translations[term]))
        ]
        self.assertFalse(broken, f"translations changing placeholders: {broken[:5]}")
