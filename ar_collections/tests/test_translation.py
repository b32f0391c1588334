# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo.modules.module import get_module_resource
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader, TranslationModuleReader

PLACEHOLDERS = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{.*?\}\}")


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    """The addon ships its whole UI in French: every term Odoo extracts from its code, views,
    templates and data has a translation in i18n/fr.po, keeping its placeholders."""

    def test_every_term_is_translated_with_its_placeholders(self):
        terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=["ar_collections"]) if row[4]}
        with open(get_module_resource("ar_collections", "i18n", "fr.po"), "rb") as po_file:
            translations = {entry["src"]: entry["value"] for entry in PoFileReader(po_file) if entry["value"]}
        missing = sorted(term for term in terms if term not in translations)
        self.assertFalse(missing, f"{len(missing)} terms without a French translation, e.g. {missing[:5]}")
        broken = [
            term
            for term in terms
            if sorted(PLACEHOLDERS.findall(term)) != sorted(PLACEHOLDERS.findall(translations[term]))
        ]
        self.assertFalse(broken, f"translations changing placeholders: {broken[:5]}")
