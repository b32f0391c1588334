"""Install, upgrade and uninstall ar_collections on fresh databases, as an
administrator would from the Apps menu, and require a log without any
WARNING or ERROR."""

import subprocess

import pytest
from odoo_process import REPO, OdooProcess, addons_path

DEMO_CUSTOMERS = 8


@pytest.mark.parametrize("demo", [True, False], ids=["with-demo", "without-demo"])
def test_install_upgrade_uninstall(tmp_path, demo):
    odoo = OdooProcess(tmp_path)
    try:
        install_args = ["-i", "ar_collections"] + ([] if demo else ["--without-demo=all"])
        problems, _output = odoo.run(*install_args)
        assert problems == [], "installing logged:\n" + "\n".join(problems)

        levels = odoo.query("SELECT delay FROM ar_followup_level ORDER BY delay")
        assert [row[0] for row in levels] == [-3, 7, 21, 45, 60], "the default ladder is installed"
        assert odoo.query("SELECT count(*) FROM ar_collection_stage")[0][0] == 7
        demo_invoices = odoo.query(
            "SELECT count(*) FROM account_move m JOIN ir_model_data d ON d.res_id = m.id "
            "AND d.model = 'account.move' AND d.module = 'ar_collections' WHERE m.state = 'posted'"
        )[0][0]
        if demo:
            assert demo_invoices == 31, "18 open demo invoices and 13 paid ones"
            plans = odoo.query("SELECT state FROM ar_payment_plan ORDER BY state")
            assert [row[0] for row in plans] == ["active", "proposed"], "demo payment plans"
            assert [row[0] for row in odoo.query("SELECT state FROM ar_dispute")] == ["investigating"], "demo dispute"
            assert [row[0] for row in odoo.query("SELECT state FROM ar_payment_promise")] == ["open"], "demo promise"
            # the nightly jobs ran on the demo book: behaviour learnt from the paid invoices
            granite = odoo.query(
                "SELECT s.paid_count, s.avg_days_late > 40, s.score > 0 FROM ar_partner_score s "
                "JOIN res_partner p ON p.id = s.partner_id WHERE p.name = 'Granite Construction Group'"
            )
            assert granite == [(3, True, True)], granite
            assert odoo.query("SELECT count(*) > 0 FROM ar_worklist_item WHERE kind = 'followup'")[0][0]
            assert odoo.query("SELECT count(*) FROM ar_kpi_snapshot WHERE is_company_total")[0][0] == 2
            # Odoo's own demo credit notes do not push any KPI card's CEI out of 0-100 %
            ceis = odoo.query("SELECT cei FROM ar_kpi_snapshot")
            assert ceis and all(0 <= cei <= 100 for (cei,) in ceis), ceis
            printed = odoo.shell(
                "partners = env['res.partner'].search([('ar_overdue_amount', '>', 0), ('name', 'in', "
                "['Alpine Outfitters Ltd', 'Baltic Freight Services', 'Cedar & Pine Interiors', "
                "'Delta Medical Supplies', 'Evergreen Landscaping', 'Fjord Seafood AS', "
                "'Granite Construction Group', 'Harbor View Hotels'])])\n"
                "print('OVERDUE', len(partners), sorted(set(partners.mapped('ar_collection_stage_id.name'))))\n"
            )
            # Fjord's invoices are not due yet: 7 of the 8 demo customers are overdue
            assert "OVERDUE 7 ['Agency / legal', 'Current', 'Escalated', 'Reminded']" in printed, printed
        else:
            assert demo_invoices == 0

        problems, _output = odoo.run("-u", "ar_collections")
        assert problems == [], "upgrading logged:\n" + "\n".join(problems)

        # open collection activities on customers, as collectors leave them
        printed = odoo.shell(
            "partner = env['res.partner'].create({'name': 'Called Customer'})\n"
            "for xmlid in ('mail_activity_type_collection_call', 'mail_activity_type_collection_review'):\n"
            "    partner.activity_schedule('ar_collections.' + xmlid, summary='open')\n"
            "env.cr.commit()\n"
            "print('ACTIVITIES', len(partner.activity_ids))\n"
        )
        assert "ACTIVITIES 2" in printed, printed
        printed = odoo.shell(
            "env['ir.module.module'].search([('name', '=', 'ar_collections')]).button_immediate_uninstall()\n"
            "env.cr.commit()\n"
            "print('STATE', env['ir.module.module'].search([('name', '=', 'ar_collections')]).state)\n"
        )
        assert "STATE uninstalled" in printed, printed
        assert "WARNING" not in printed and "ERROR" not in printed, printed
        tables = odoo.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ar\\_%'")
        assert tables == [], f"uninstall left tables or views behind: {tables}"
        columns = odoo.query(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_name IN ('account_move', 'res_partner', 'res_company', 'account_move_line') "
            "AND column_name LIKE 'ar\\_%'"
        )
        assert columns == [], f"uninstall left columns behind: {columns}"
        leftovers = odoo.query(
            "SELECT name->>'en_US' FROM mail_activity_type WHERE name->>'en_US' LIKE 'Collection %' "
            "UNION ALL SELECT model || ',' || name FROM ir_model_data WHERE module = 'ar_collections' "
            # the demo customers and their posted invoices stay: posted entries are never deleted
            "AND model NOT IN ('res.partner', 'account.move')"
        )
        assert leftovers == [], f"uninstall left records behind: {leftovers}"
        # Accounting still works after the uninstall: post an invoice
        printed = odoo.shell(
            "partner = env['res.partner'].create({'name': 'After uninstall'})\n"
            "move = env['account.move'].create({'move_type': 'out_invoice', 'partner_id': partner.id, "
            "'invoice_line_ids': [(0, 0, {'name': 'x', 'price_unit': 10})]})\n"
            "move.action_post()\n"
            "print('POSTED', move.state)\n"
        )
        assert "POSTED posted" in printed, printed
    finally:
        odoo.drop()


# the last commit of release 18.0.1.0.0 (before the fields renamed and the decision stored)
PREVIOUS_RELEASE = "a8cac0e20b39a9406c9ccc1b4e423217bdb5b647"


def test_upgrade_from_the_previous_release(tmp_path, monkeypatch):
    """A database running 18.0.1.0.0 with demo data is upgraded to this tree: the KPI renamed
    keeps its values, the levels due are stored on the open invoices (by the migration, not
    computed per record), and nothing is logged."""
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, "ar_collections"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    current = addons_path()
    odoo = OdooProcess(tmp_path)
    try:
        paths = [str(old) if path == str(REPO) else path for path in current.split(",")]
        assert str(old) in paths, current
        monkeypatch.setenv("ODOO_ADDONS_PATH", ",".join(paths))
        problems, _output = odoo.run("-i", "ar_collections")
        assert problems == [], "installing the previous release logged:\n" + "\n".join(problems)
        before = odoo.query('SELECT id, "add" FROM ar_kpi_snapshot ORDER BY id')
        assert before and any(days for _id, days in before), before

        monkeypatch.setenv("ODOO_ADDONS_PATH", current)
        problems, _output = odoo.run("-u", "ar_collections")
        assert problems == [], "upgrading logged:\n" + "\n".join(problems)
        assert odoo.query("SELECT id, avg_days_delinquent FROM ar_kpi_snapshot ORDER BY id") == before
        assert odoo.query("SELECT latest_version FROM ir_module_module WHERE name = 'ar_collections'") == [
            ("18.0.1.1.0",)
        ]
        stored = odoo.query(
            "SELECT COUNT(*) FILTER (WHERE ar_next_followup_date IS NOT NULL), "
            "COUNT(*) FILTER (WHERE ar_due_level_id IS NOT NULL) FROM account_move"
        )[0]
        assert stored[0] > 0 and stored[1] > 0, stored
        # the stored decision is the rule's, as the nightly job would store it again
        printed = odoo.shell("print('REFRESHED', env['account.move']._ar_refresh_due_levels())\n")
        assert "REFRESHED 0" in printed, printed
        # the worklist job now runs on request: the daily follow-up job refreshes the worklist
        assert odoo.query(
            "SELECT interval_type, nextcall > now() + interval '50 years' FROM ir_cron WHERE id = "
            "(SELECT res_id FROM ir_model_data WHERE module = 'ar_collections' AND name = 'ir_cron_worklist')"
        ) == [("months", True)]
        assert odoo.query(
            "SELECT EXTRACT(HOUR FROM nextcall), EXTRACT(MINUTE FROM nextcall) FROM ir_cron WHERE id = "
            "(SELECT res_id FROM ir_model_data WHERE module = 'ar_collections' AND name = 'ir_cron_followup_automatic')"
        ) == [(2, 0)]
    finally:
        odoo.drop()
