"""Workload generator: a realistic receivables book in a fresh database.

Default workload (the issue's): 4,000 customers, 20,000 posted customer
invoices over every aging bucket (due dates from 200 days ago to 30 days
ahead), 20 % in EUR, invoices per customer skewed from 1 to 12, and 5 % of
invoices partly paid. Deterministic (seeded).

    python3 bench/generate.py DB [--customers N] [--invoices N]
"""

import argparse
import random
import time
from datetime import date, timedelta

from common import environment, setup

from odoo import Command


def generate(env, customers, invoices, seed=42):
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
    for i, partner in enumerate(partners):
        partner.ar_collector_id = collectors[i % len(collectors)]
    # skewed invoices per customer: weights 1..12 favouring few
    weights = [rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 8, 12]) for _ in partners]
    scale = invoices / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    counts[-1] += invoices - sum(counts)
    today = date.today()
    vals_list = []
    for partner, count in zip(partners, counts, strict=True):
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
    partly_paid = moves.browse(rng.sample(moves.ids, len(moves) // 20))
    for invoice in partly_paid:
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": round(invoice.amount_residual * 0.4, 2), "payment_date": today}
        )._create_payments()
    env.cr.commit()
    return partners, moves


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--invoices", type=int, default=20000)
    args = parser.parse_args()
    registry = setup(args.db)
    started = time.perf_counter()
    with environment(registry) as env:
        partners, moves = generate(env, args.customers, args.invoices)
        seconds = time.perf_counter() - started
        print(f"generated {len(partners)} customers, {len(moves)} posted invoices in {seconds:.0f} s")


if __name__ == "__main__":
    main()
