"""Two customers' browsers (or two tabs, or a double click) acting on one statement page at
once, in two real transactions, as Odoo's HTTP layer runs them: the second is refused by
PostgreSQL with a serialization failure, Odoo retries it (``odoo.service.model.retrying``,
what each HTTP request runs in), and the retry sees what the first wrote. So a first visit
makes one page, and the day's limit of promises holds."""

from odoo_process import OdooProcess

SCENARIO = r"""
from datetime import date, timedelta
from odoo import api, SUPERUSER_ID
from odoo.service.model import retrying
from odoo.addons.ar_collections.models.ar_statement_access import PortalInputError

registry = env.registry
company = env.company
company.ar_portal_daily_limit = 1
partner = env["res.partner"].create({"name": "Race Customer", "is_company": True, "email": "r@example.com"})
due = date.today() - timedelta(days=10)
invoice, other_invoice = invoices = env["account.move"].create([{
    "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": due - timedelta(days=30),
    "invoice_date_due": due, "invoice_line_ids": [(0, 0, {"name": "Goods", "price_unit": 1000})],
}] * 2)
invoices.action_post()
env.cr.commit()
day = str(date.today() + timedelta(days=5))

def attempts(func, env):
    calls = []
    def counted():
        calls.append(1)
        return func()
    try:
        result = retrying(counted, env)
    except PortalInputError as error:
        result = sorted(error.errors)
    return len(calls), result

# 1. first visits at once: B's transaction began before A made the page and committed it
with registry.cursor() as cr_a, registry.cursor() as cr_b:
    env_a, env_b = api.Environment(cr_a, SUPERUSER_ID, {}), api.Environment(cr_b, SUPERUSER_ID, {})
    env_b["res.partner"].browse(partner.id).name  # B's snapshot is taken
    page_a = env_a["ar.statement.access"]._get_for(env_a["res.partner"].browse(partner.id), env_a.company)
    cr_a.commit()
    calls, page_b = attempts(
        lambda: env_b["ar.statement.access"]._get_for(env_b["res.partner"].browse(partner.id), env_b.company), env_b
    )
    print("PAGE_CALLS", calls, "SAME_PAGE", page_a.id == page_b.id)
env.cr.rollback()  # a new snapshot, that sees what the others committed
print("PAGES", env["ar.statement.access"].search_count([("partner_id", "=", partner.id)]))
page_id = page_a.id

# 2. two promises posted at once with a limit of one a day
with registry.cursor() as cr_a, registry.cursor() as cr_b:
    env_a, env_b = api.Environment(cr_a, SUPERUSER_ID, {}), api.Environment(cr_b, SUPERUSER_ID, {})
    page_b = env_b["ar.statement.access"].browse(page_id)
    page_b.partner_id.name  # B's snapshot is taken
    env_a["ar.statement.access"].browse(page_id)._portal_promise([invoice.id], day, "100")
    cr_a.commit()
    calls, result = attempts(lambda: page_b._portal_promise([other_invoice.id], day, "200"), env_b)
    print("PROMISE_CALLS", calls, "RESULT", result)
env.cr.rollback()
promises = env["ar.payment.promise"].search([("partner_id", "=", partner.id)])
print("PROMISES", len(promises), promises.mapped("amount"))

# 3. two requests for a plan at once: one activity
with registry.cursor() as cr_a, registry.cursor() as cr_b:
    env_a, env_b = api.Environment(cr_a, SUPERUSER_ID, {}), api.Environment(cr_b, SUPERUSER_ID, {})
    page_b = env_b["ar.statement.access"].browse(page_id)
    page_b.partner_id.name
    env_a["ar.statement.access"].browse(page_id)._portal_request_plan("200 a month")
    cr_a.commit()
    calls, result = attempts(lambda: page_b._portal_request_plan("300 a month"), env_b)
    print("PLAN_CALLS", calls, "RESULT", result)
env.cr.rollback()
print("REQUESTS", env["mail.activity"].search_count([("ar_plan_request_access_id", "=", page_id)]))
"""


def test_two_posts_at_once_on_one_statement_page(tmp_path):
    odoo = OdooProcess(tmp_path)
    try:
        problems, _output = odoo.run("-i", "ar_collections", "--without-demo=all")
        assert problems == [], "\n".join(problems)
        printed = odoo.shell(SCENARIO)
        # each second transaction failed once on PostgreSQL's serialization check, then saw the first's
        assert "PAGE_CALLS 2 SAME_PAGE True" in printed, printed
        assert "PAGES 1" in printed, printed
        assert "PROMISE_CALLS 2 RESULT ['form']" in printed, printed
        assert "PROMISES 1 [100.0]" in printed, printed
        assert "PLAN_CALLS 2 RESULT ['plan_message']" in printed, printed
        assert "REQUESTS 1" in printed, printed
        assert "WARNING" not in printed and "ERROR" not in printed, printed  # Odoo's retry logs at INFO
    finally:
        odoo.drop()
