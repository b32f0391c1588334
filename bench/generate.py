"""Workload generator of the follow-up batch benchmark: a receivables book.

Default workload (the issue's): 4,000 customers with an email address, five
collectors, 20,000 posted open customer invoices over every aging bucket
(due dates from 200 days ago to 30 days ahead), 20 % in EUR, invoices per
customer skewed from 1 to 12, 5 % of the invoices partly paid. Deterministic
(seeded). Made in three steps (see bench/README.md for why):

1. through the ORM, the customers, collectors and ``--orm-invoices`` posted
   invoices (every customer gets at least one; with more customers than that, one each to
   customers spread evenly over the book);
2. in SQL, copies of those invoices (``book.multiply_open_invoices``) up to
   ``--invoices`` open invoices, spread over the customers (every customer owes some);
3. through the ORM again, 5 % of all the open invoices partly paid (40 %):
   payments created and posted together, each reconciled with its invoice.

Ends with the checks of ``book.check_book``.

    python3 bench/generate.py DB [--customers N] [--invoices N] [--orm-invoices N]
"""

import argparse
import random
import time
from datetime import date, timedelta

from book import check_book, multiply_open_invoices
from common import environment, setup

from odoo import Command


def generate(env, customers, invoices, seed=42, partly_paid=True, spread=False):
    """``customers`` and about ``invoices`` posted through the ORM (skewed per customer, each
    owing at least one but the last, which takes the difference, hence more than asked); with
    ``spread`` and fewer invoices than customers, to customers spread evenly over the book only,
    one in ``customers / invoices`` (the SQL copies of ``book.multiply_open_invoices`` then
    reach the others)."""
    rng = random.Random(seed)
    company = env.company
    eur = env.ref("base.EUR")
    eur.active = True
    env["res.currency.rate"].create(
        {"currency_id": eur.id, "rate": 0.9, "name": "2020-01-01", "company_id": company.id}
    )
    collectors = env["res.users"].create(
        [{"name": f"Collector {i}", "login": f"bench_collector_{i}"} for i in range(5)]
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Customer {i:05d}", "is_company": True, "email": f"ap{i}@customer{i}.example.com"}
            for i in range(customers)
        ]
    )
    for i, collector in enumerate(collectors):
        partners[i :: len(collectors)].ar_collector_id = collector
    # posting one invoice through the ORM for each of 20,000 customers took 45 minutes here
    seeded = partners[:: -(-customers // invoices)] if spread and invoices < customers else partners
    # skewed invoices per customer: weights 1..12 favouring few
    weights = [rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 8, 12]) for _ in seeded]
    scale = invoices / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    counts[-1] += invoices - sum(counts)
    today = date.today()
    vals_list = []
    for partner, count in zip(seeded, counts, strict=True):
        for _ in range(max(count, 0)):
            due = today + timedelta(days=rng.randint(-200, 30))
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_date_due": due,
                    "currency_id": (eur if rng.random() < 0.2 else company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create({"name": "Services", "quantity": 1, "price_unit": rng.randint(50, 5000)})
                    ],
                }
            )
    moves = env["account.move"]
    for start in range(0, len(vals_list), 1000):
        chunk = env["account.move"].create(vals_list[start : start + 1000])
        chunk.action_post()
        moves |= chunk
        env.cr.commit()
        env.invalidate_all()
        print(f"  {len(moves)} invoices posted", flush=True)
    if partly_paid:
        pay_partly(env, moves, rng)
    return partners, moves


def pay_partly(env, moves, rng, share=0.05, chunk=250):
    """``share`` of ``moves``, drawn at random, paid at 40 % today: customer payments created
    and posted together, each reconciled with its invoice (Odoo's reconciliation plan, as
    ``account.payment.register`` does for one), ``chunk`` at a time."""
    today = date.today()
    paid = moves.browse(rng.sample(moves.ids, int(len(moves) * share)))
    journal = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1)
    for start in range(0, len(paid), chunk):
        invoices = paid[start : start + chunk]
        payments = env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoice.commercial_partner_id.id,
                    "amount": round(invoice.amount_residual * 0.4, 2),
                    "currency_id": invoice.currency_id.id,
                    "date": today,
                    "journal_id": journal.id,
                }
                for invoice in invoices
            ]
        )
        payments.action_post()
        plan = [
            (payment.move_id.line_ids | invoice.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
            )
            for payment, invoice in zip(payments, invoices, strict=True)
        ]
        env["account.move.line"]._reconcile_plan(plan)
        env.cr.commit()
        env.invalidate_all()
        print(f"  {start + len(invoices)} invoices partly paid", flush=True)
    return paid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--invoices", type=int, default=20000, help="open invoices after the SQL copies")
    parser.add_argument("--orm-invoices", type=int, default=4000, help="posted through the ORM")
    args = parser.parse_args()
    registry = setup(args.db)
    started = time.perf_counter()
    with environment(registry) as env:
        partners, moves = generate(
            env, args.customers, min(args.orm_invoices, args.invoices), partly_paid=False, spread=True
        )
        print(f"  {len(partners)} customers, {len(moves)} invoices (ORM) in {time.perf_counter() - started:.0f} s")
        step = time.perf_counter()
        copied = multiply_open_invoices(env, partners, args.invoices)
        print(f"  {copied} invoices copied in SQL in {time.perf_counter() - step:.0f} s", flush=True)
        step = time.perf_counter()
        open_invoices = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid")]
        )
        paid = pay_partly(env, open_invoices, random.Random(43))
        print(f"  {len(paid)} invoices partly paid (ORM) in {time.perf_counter() - step:.0f} s")
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        check_book(env, args.invoices, owing=len(partners))


if __name__ == "__main__":
    main()
