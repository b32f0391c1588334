"""Insight benchmark on a book made by generate_insight.py (100,000 open invoices).

Prints the book (customers, open and paid invoices), then for each
operation its wall time and SQL query count: the aging report's summary
(``_read_group`` by customer, every bucket), the aging XLSX without and with
its detail sheet, the KPIs of the previous month (``_compute_figures`` and
``_refresh``), the nightly risk job (``_compute_scores`` and
``_cron_compute_scores``), the cash-in forecast by week and source, the
worklist refresh. It runs them twice (the first run fills Odoo's caches and
makes the snapshots, scores and worklist items), then doubles the customers
(in SQL: a twin of each customer, with its collector, credit limit and stage,
takes every other of its invoices; same invoices) and runs them twice again.
The second runs' query counts are compared: one that grows by about one query
per customer added means a per-customer query; a few per 1,000 customers are
the ORM's prefetch batches (1,000 records a query). Everything is rolled back
at the end.

    python3 bench/bench_insight.py DB
"""

import argparse
import logging
import resource
import time
from datetime import date, timedelta

from common import environment, setup

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def measure(env, func):
    env.flush_all()
    env.invalidate_all()
    queries, started = env.cr.sql_log_count, time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - queries


def operations(env, company):
    """``(label, function, describe(result))`` of every operation measured."""
    # the addon is importable once setup() has set the addons path
    from odoo.addons.ar_collections.models.account_move import AGING_BUCKETS
    from odoo.addons.ar_collections.report.ar_aging_xlsx import build_aging_xlsx

    aggregates = [f"amount_{key}:sum" for key, _label in AGING_BUCKETS] + ["amount_residual:sum"]
    today = date.today()
    month_end = today.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    Aging, Kpi, Score = env["ar.aging.report"], env["ar.kpi.snapshot"], env["ar.partner.score"]
    domain = [("company_id", "=", company.id)]
    return [
        (
            "aging summary (_read_group by customer, all buckets)",
            lambda: Aging._read_group(domain, ["partner_id"], aggregates),
            lambda groups: f"{len(groups)} customers, total {sum(g[-1] for g in groups):,.2f}",
        ),
        (
            "aging XLSX, summary only",
            lambda: build_aging_xlsx(env, company, today, detail=False),
            lambda data: f"{len(data) / 1024:,.0f} KB",
        ),
        (
            "aging XLSX, with detail sheet",
            lambda: build_aging_xlsx(env, company, today, detail=True),
            lambda data: f"{len(data) / 1024:,.0f} KB",
        ),
        (
            f"KPI _compute_figures {month_start} - {month_end}",
            lambda: Kpi._compute_figures(company, month_start, month_end),
            lambda figures: "DSO {:.1f}, CEI {:.1f} %, {} collector sets".format(
                figures[(True, None)]["dso"], figures[(True, None)]["cei"], len(figures) - 1
            ),
        ),
        (
            f"KPI _refresh {month_start} - {month_end}",
            lambda: Kpi._refresh(company, month_start, month_end),
            lambda snapshots: f"{len(snapshots)} snapshots",
        ),
        (
            "risk _compute_scores (one company)",
            lambda: Score._compute_scores(company),
            lambda scored: f"{scored} customers scored",
        ),
        (
            "risk _cron_compute_scores (nightly job)",
            lambda: Score._cron_compute_scores(),
            lambda scored: f"{scored} customers scored",
        ),
        (
            "cash forecast (_read_group by week and source)",
            lambda: env["ar.cash.forecast"]._read_group(domain, ["week", "source"], ["amount:sum"]),
            lambda groups: f"{len(groups)} groups, total {sum(g[-1] for g in groups):,.2f}",
        ),
        (
            "levels due: nightly refresh of the stored decision (_cron_ar_refresh_due_levels)",
            lambda: env["account.move"]._cron_ar_refresh_due_levels(),
            lambda changed: f"{changed} invoices changed",
        ),
        (
            "'Follow-up due' filter on the customer list (first page of 80 and the count)",
            lambda: (
                env["res.partner"].search([("ar_next_followup_date", "<=", today)], limit=80),
                env["res.partner"].search_count([("ar_next_followup_date", "<=", today)]),
            ),
            lambda result: f"{result[1]} customers due",
        ),
        (
            "worklist _refresh",
            lambda: env["ar.worklist.item"]._refresh(company),
            lambda items: f"{len(items)} items created",
        ),
    ]


def run_operations(env, company):
    """Measure and print every operation; ``{label: query count}`` (None when it failed)."""
    counts = {}
    for label, func, describe in operations(env, company):
        try:
            result, seconds, queries = measure(env, func)
        except Exception as error:  # report and go on: the other figures still count
            _logger.exception("%s failed", label)
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            print(f"  {label}: FAILED, {type(error).__name__}: {reason} (traceback in the log)", flush=True)
            env.cr.rollback()
            counts[label] = None
            continue
        counts[label] = queries
        print(f"  {label}: {seconds:.2f} s, {queries} queries ({describe(result)})", flush=True)
    return counts


def book(env, company):
    cr = env.cr
    env.flush_all()
    cr.execute(
        SQL(
            """
            SELECT COUNT(*) FILTER (WHERE payment_state IN ('not_paid', 'partial')),
                   COUNT(*) FILTER (WHERE payment_state IN ('paid', 'in_payment')),
                   COUNT(DISTINCT commercial_partner_id) FILTER (WHERE payment_state IN ('not_paid', 'partial')),
                   COUNT(DISTINCT commercial_partner_id)
              FROM account_move
             WHERE move_type = 'out_invoice' AND state = 'posted' AND company_id = %s
            """,
            company.id,
        )
    )
    return cr.fetchone()


def double_customers(env, company):
    """A twin of every invoiced customer (same collector, credit limit and
    stage) takes every other of its customer invoices and their lines."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_twin AS
            SELECT old_id, nextval('res_partner_id_seq') AS new_id
              FROM (SELECT DISTINCT commercial_partner_id AS old_id FROM account_move
                     WHERE move_type = 'out_invoice' AND state = 'posted' AND company_id = %s) invoiced
            """,
            company.id,
        )
    )
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            "res_partner",
        )
    )
    columns = [name for (name,) in cr.fetchall()]
    overrides = {
        "id": SQL("twin.new_id"),
        "name": SQL("src.name || ' (twin)'"),
        "complete_name": SQL("src.complete_name || ' (twin)'"),
        "commercial_partner_id": SQL("twin.new_id"),
    }
    cr.execute(
        SQL(
            "INSERT INTO res_partner (%s) SELECT %s FROM bench_twin twin JOIN res_partner src ON src.id = twin.old_id",
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL(", ").join(overrides.get(name) or SQL.identifier("src", name) for name in columns),
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE account_move move
               SET partner_id = twin.new_id, commercial_partner_id = twin.new_id, partner_shipping_id = twin.new_id
              FROM bench_twin twin
             WHERE move.commercial_partner_id = twin.old_id AND move.move_type = 'out_invoice'
               AND move.company_id = %s AND MOD(move.id, 2) = 1
            """,
            company.id,
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE account_move_line line SET partner_id = move.partner_id
              FROM account_move move JOIN bench_twin twin ON twin.new_id = move.commercial_partner_id
             WHERE line.move_id = move.id AND line.partner_id IS NOT NULL
            """
        )
    )
    cr.execute(SQL("DROP TABLE bench_twin"))
    cr.execute(SQL("ANALYZE res_partner, account_move, account_move_line"))
    env.invalidate_all()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds a single SQL statement may take before it counts as failed"
    )
    args = parser.parse_args()
    registry = setup(args.db)
    with environment(registry) as env:
        logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)  # a timed-out query is reported below
        env.cr.execute(SQL("SET statement_timeout = %s", args.timeout * 1000))
        env.cr.commit()  # the session's setting, kept after the rollbacks of failed operations
        company = env.company
        open_invoices, paid, owing, customers = book(env, company)
        print(
            f"book: {customers} customers ({owing} owing), {open_invoices} open posted customer invoices, "
            f"{paid} paid invoices in the history",
            flush=True,
        )
        print("first run (cold caches):", flush=True)
        run_operations(env, company)
        print("second run, same book:", flush=True)
        before = run_operations(env, company)
        before_customers = customers
        double_customers(env, company)
        open_invoices, paid, owing, customers = book(env, company)
        print(
            f"customers doubled: {customers} customers ({owing} owing), same {open_invoices} open invoices "
            f"and {paid} paid; first run:",
            flush=True,
        )
        run_operations(env, company)
        print("second run, customers doubled:", flush=True)
        after = run_operations(env, company)
        added = (customers - before_customers) / 1000
        print(f"query count, second runs, {before_customers} -> {customers} customers:")
        for label, queries in before.items():
            if queries is None or after.get(label) is None:
                verdict = "n/a (failed)"
            elif after[label] <= queries:
                verdict = "constant" if after[label] == queries else "fewer"
            else:
                growth = after[label] - queries
                verdict = f"GROWS by {growth}, {growth / added:.1f} per 1,000 customers added"
            print(f"  {label}: {queries} -> {after[label]} ({verdict})")
        env.cr.rollback()
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
