"""Workload generator of the insight benchmark: 100,000 open customer invoices.

Two steps (see bench/README.md for why):

1. through the ORM, a realistic seed: the customers, collectors and open
   invoices of ``generate.py`` (every aging bucket, 20 % in EUR, 5 % partly
   paid), credit limits, a paid history (invoices dated 1 to 24 months back,
   paid with ``account.payment.register`` early, on time or late according
   to each customer's habit, some getting worse), promises to pay (some
   broken, some open) and disputes (new, investigating, rejected);
2. in SQL, copies of the seed's untouched open invoices (their
   ``account_move`` row and every ``account_move_line`` row, taxes and tags
   included, balanced, each receivable line open for its whole balance),
   numbered after the last invoice of their sequence (so that Odoo numbers
   the next invoice right) and spread over the customers, until the book has
   ``--target-open`` open posted customer invoices.

Deterministic (seeded). Ends with checks: the number of open invoices, every
entry balanced, and the aging report's total equal to the open receivable
lines' residual.

    python3 bench/generate_insight.py DB [--customers N] [--open-invoices N]
        [--paid-invoices N] [--promises N] [--disputes N] [--target-open N]
"""

import argparse
import random
import time
from collections import defaultdict
from datetime import date, timedelta

from book import check_book, multiply_open_invoices
from common import environment, setup
from generate import generate

from odoo import Command

# how late each kind of customer pays (days after the due date), last 12 months and the 12 before
HABITS = [
    (0.50, (-10, 3), (-10, 3)),  # punctual
    (0.25, (5, 45), (5, 45)),  # a little late
    (0.15, (30, 120), (30, 120)),  # very late
    (0.10, (40, 90), (0, 10)),  # getting worse
]


def log(message):
    print(f"  {message}", flush=True)


def pick_habit(rng):
    draw = rng.random()
    for share, recent, previous in HABITS:
        if draw < share:
            return recent, previous
        draw -= share
    return HABITS[0][1:]


def set_credit_limits(env, partners, rng):
    by_limit = defaultdict(list)
    for partner in partners:
        if rng.random() < 0.3:
            by_limit[rng.choice([5000, 10000, 25000, 50000])].append(partner.id)
    for limit, ids in by_limit.items():
        partners.browse(ids).write({"credit_limit": limit})
    return sum(len(ids) for ids in by_limit.values())


def generate_paid_history(env, partners, count, rng):
    """``count`` invoices dated 1 to 24 months back, each paid in full at its
    customer's habitual lateness, in the customer's Friday payment run (never
    after today): one payment wizard per Friday, one payment per invoice."""
    today = date.today()
    habits = {partner.id: pick_habit(rng) for partner in partners}
    plans = []  # (invoice vals, payment date)
    for _ in range(count):
        partner = rng.choice(partners)
        invoice_date = today - timedelta(days=rng.randint(30, 730))
        due = invoice_date + timedelta(days=30)
        recent, previous = habits[partner.id]
        low, high = recent if (today - due).days < 365 else previous
        paid_on = due + timedelta(days=rng.randint(low, high))
        paid_on = min(paid_on + timedelta(days=(4 - paid_on.weekday()) % 7), today)  # Friday payment runs
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_date_due": due,
            "invoice_line_ids": [
                Command.create({"name": "Services", "quantity": 1, "price_unit": rng.randint(50, 5000)})
            ],
        }
        plans.append((vals, max(paid_on, invoice_date)))
    by_date = defaultdict(list)
    for start in range(0, len(plans), 500):
        chunk = plans[start : start + 500]
        invoices = env["account.move"].create([vals for vals, _paid_on in chunk])
        invoices.action_post()
        for invoice, (_vals, paid_on) in zip(invoices, chunk, strict=True):
            by_date[paid_on].append(invoice.id)
        env.cr.commit()
        log(f"{start + len(chunk)} history invoices posted")
    done = 0
    for paid_on in sorted(by_date):
        ids = by_date[paid_on]
        env["account.payment.register"].with_context(active_model="account.move", active_ids=ids).create(
            {"payment_date": paid_on, "group_payment": False}
        )._create_payments()
        done += len(ids)
        if done % 500 < len(ids):
            env.cr.commit()
            env.invalidate_all()
            log(f"{done} history invoices paid")
    env.cr.commit()
    return done


def generate_cases(env, moves, promises, disputes, rng):
    """Promises to pay (a third broken, a tenth by customers who broke three)
    and disputes (new, investigating, rejected) on distinct open invoices."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    Promise, Dispute = env["ar.payment.promise"], env["ar.dispute"]
    today = date.today()
    untouched = moves.filtered(lambda m: m.payment_state == "not_paid")
    candidates = untouched.browse(rng.sample(untouched.ids, min(len(untouched), promises + disputes)))
    promised, disputed = candidates[:promises], candidates[promises:]

    def promise_vals(invoice, share):
        return {
            "partner_id": invoice.commercial_partner_id.id,
            "move_ids": [Command.set(invoice.ids)],
            "promised_date": today,
            "amount": invoice.currency_id.round(invoice.amount_residual * share),
            "currency_id": invoice.currency_id.id,
        }

    broken_count = len(promised) // 3
    chronic = promised[: max(len(promised) // 10, 1)]
    for _round in range(2):  # chronic breakers: two more broken promises on the same invoice
        Promise.create([promise_vals(invoice, 0.5) for invoice in chronic])._break()
    Promise.create([promise_vals(invoice, 0.5) for invoice in promised[:broken_count]])._break()
    Promise.create([promise_vals(invoice, 0.6) for invoice in promised[broken_count:]])
    reason = env["ar.dispute.reason"].search([], limit=1)
    opened = Dispute.create(
        [
            {
                "partner_id": invoice.commercial_partner_id.id,
                "move_ids": [Command.set(invoice.ids)],
                "amount": invoice.currency_id.round(invoice.amount_residual * 0.3),
                "currency_id": invoice.currency_id.id,
                "reason_id": reason.id,
            }
            for invoice in disputed
        ]
    )
    investigating = opened[: len(opened) // 3]
    investigating.action_investigate()
    rejected = opened[len(opened) // 3 : len(opened) // 2]
    rejected.write({"resolution": "<p>Delivery proven.</p>"})
    rejected.action_reject()
    env.cr.commit()
    return Promise.search_count([("state", "=", "broken")]), Promise.search_count([("state", "=", "open")])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--open-invoices", type=int, default=4000, help="made through the ORM")
    parser.add_argument("--paid-invoices", type=int, default=1000, help="paid history, through the ORM")
    parser.add_argument("--promises", type=int, default=300)
    parser.add_argument("--disputes", type=int, default=200)
    parser.add_argument("--target-open", type=int, default=100000, help="open invoices after the SQL copies")
    args = parser.parse_args()
    registry = setup(args.db)
    rng = random.Random(7)
    with environment(registry) as env:
        started = time.perf_counter()
        partners, moves = generate(env, args.customers, args.open_invoices)
        log(f"{len(partners)} customers, {len(moves)} open invoices (ORM) in {time.perf_counter() - started:.0f} s")
        limits = set_credit_limits(env, partners, rng)
        step = time.perf_counter()
        paid = generate_paid_history(env, partners, args.paid_invoices, rng)
        log(f"{paid} history invoices paid (ORM) in {time.perf_counter() - step:.0f} s; {limits} credit limits")
        broken, open_promises = generate_cases(env, moves, args.promises, args.disputes, rng)
        log(f"promises: {broken} broken, {open_promises} open; {env['ar.dispute'].search_count([])} disputes")
        step = time.perf_counter()
        copied = multiply_open_invoices(env, partners, args.target_open)
        log(f"{copied} open invoices copied in SQL in {time.perf_counter() - step:.0f} s")
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        check_book(env, args.target_open)


if __name__ == "__main__":
    main()
