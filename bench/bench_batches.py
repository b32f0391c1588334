"""Follow-up batch benchmark on a book made by generate.py.

Prints: preview wall time (the median of 3, and the first) and SQL queries for the whole
book; whether the preview's query count grows with invoices per customer (300 customers with
few invoices vs 300 with many); run wall time, queries per customer and mails queued for 500
customers, run in chunks of 50 as the cron does (each chunk committed; after a warm-up run of
2 customers that pays Odoo's one-time costs), then the mails it queued delivered by Odoo's
mail queue over SMTP to a sink on 127.0.0.1 and counted there; the throughput of one worker
process, then two, on batches of other customers (bench_workers.py); the process's memory
after each step and at its peak.

    python3 bench/bench_batches.py DB
"""

import argparse
import io
import resource
import time
from collections import Counter

import bench_workers
from common import environment, serve_http, setup, smtp_sink

from odoo import SUPERUSER_ID
from odoo.tools.pdf import PdfReader


def memory(after):
    """The process's memory now and at its peak so far (the kernel's figures)."""
    with open("/proc/self/status") as status:
        figures = dict(line.split(":", 1) for line in status)
    now, peak = (int(figures[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM"))
    print(f"  memory after {after}: {now} MB, peak so far {peak} MB", flush=True)


def measure(env, func):
    env.flush_all()
    queries, started = env.cr.sql_log_count, time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - queries


def preview(env, partner_ids=None):
    batch = env["ar.followup.batch"].create({"partner_ids": [(6, 0, partner_ids or [])]})
    batch.action_preview()
    return batch


def deliver(env, sink, mail_ids):
    """Send these queued mails as the mail queue's job does, to the SMTP sink; print what it got."""
    received = len(sink.received)
    started = time.perf_counter()
    env["mail.mail"].process_email_queue(ids=mail_ids)
    seconds = time.perf_counter() - started
    got = sink.received[received:]
    addresses = Counter(address for recipients, _size in got for address in recipients)
    states = Counter(env["mail.mail"].browse(mail_ids).exists().mapped("state"))
    print(
        f"  delivered over SMTP to the sink on 127.0.0.1: {len(got)} of {len(mail_ids)} mails queued, "
        f"to {len(addresses)} addresses, {sum(1 for n in addresses.values() if n > 1)} of them more than once, "
        f"{sum(size for _r, size in got) / max(len(got), 1) / 1024:.0f} KB each, in {seconds:.1f} s "
        f"({seconds / max(len(got), 1) * 1000:.0f} ms per mail); mail states after: {dict(states)}"
    )


def run(env, sink, label, partner_ids, level=None):
    """Run a batch of these customers in chunks of 50, each committed as the cron does; with
    ``level``, every line set to that level's email only, as a collector may set it."""
    batch = preview(env, partner_ids)
    if level:
        batch.line_ids.write({"level_id": level.id, "send_email": True, "send_letter": False, "create_activity": False})
    planned = len(batch.line_ids.filtered(lambda line: line.state == "planned"))
    batch.action_run()
    env.cr.commit()
    mails_before = env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0
    attachments_before = env["ir.attachment"].sudo().search([], order="id desc", limit=1).id
    started, queries, chunks = time.perf_counter(), env.cr.sql_log_count, 0
    Batch = env(user=SUPERUSER_ID)["ar.followup.batch"]  # the job runs as OdooBot, the lines as their batch's creator
    while Batch._cron_run_batches(batch_size=50):
        env.cr.commit()  # the cron commits between chunks
        env.invalidate_all()
        chunks += 1
    seconds, queries = time.perf_counter() - started, env.cr.sql_log_count - queries
    batch.invalidate_recordset()
    mail_ids = env["mail.mail"].sudo().search([("id", ">", mails_before), ("state", "=", "outgoing")]).ids
    mails = len(mail_ids)
    print(
        f"run, {planned} customers {label}, in {chunks} chunks of 50: {seconds:.1f} s "
        f"({seconds / max(planned, 1) * 1000:.0f} ms per customer), "
        f"{queries / max(planned, 1):.1f} queries per customer, {mails} mails queued, "
        f"{batch.done_count} done, {batch.failed_count} failed, {batch.skipped_count} skipped"
    )
    pdfs = env["ir.attachment"].sudo().search([("id", ">", attachments_before), ("mimetype", "=", "application/pdf")])
    if pdfs:
        sample = pdfs[0]
        reader = PdfReader(io.BytesIO(sample.raw))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        print(
            f"  statement PDFs attached: {len(pdfs)}, {sum(pdfs.mapped('file_size')) / len(pdfs) / 1024:.0f} KB "
            f"each on average; one read back: {len(reader.pages)} page(s), names its customer: "
            f"{env['res.partner'].browse(sample.res_id).name in text}"
        )
    deliver(env(su=True), sink, mail_ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--run-customers", type=int, default=500)
    parser.add_argument("--worker-customers", type=int, default=1200, help="for one worker, then two (half each)")
    parser.add_argument("--compare-seconds", type=float, help="OCA credit control's run on a copy of the book")
    args = parser.parse_args()
    registry = setup(args.db)
    with environment(registry) as root, smtp_sink(root) as sink:
        serve_http(root)
        memory("Odoo loaded")
        # batches are made by a collector (Collections / User), as in use: access rights and
        # record rules apply, and the collector follows the customers reminded
        collector = root["res.users"].search([("login", "=", "bench_collector")]) or root["res.users"].create(
            {
                "name": "Bench Collector",
                "login": "bench_collector",
                "email": "collector@company.example.com",
                "groups_id": [(6, 0, root.ref("ar_collections.group_ar_collections_user").ids)],
            }
        )
        root.cr.commit()
        env = root(user=collector.id)
        # the book's open invoices per customer, counted in SQL: the benchmark's own figures
        # must not load 100,000 invoices into its process
        per_customer = Counter(
            {
                partner.id: count
                for partner, count in env["account.move"]._read_group(
                    env["ar.collection.rules"]._open_invoice_domain(), ["commercial_partner_id"], ["__count"]
                )
            }
        )
        print(f"book: {len(per_customer)} customers with {per_customer.total()} open invoices")
        memory("the book counted")

        # the whole book, as the daily job previews it (OdooBot), then as a collector does; each
        # three times, rolled back: the daily job's first is the process's first (cold: Odoo's
        # caches, the database's pages); the figure compared is the median, on a noisy machine
        def whole_book(label, env):
            timings, counts = [], []
            for _attempt in range(3):
                env.invalidate_all()
                batch, seconds, queries = measure(env, lambda: preview(env))
                timings.append(seconds)
                counts.append(queries)
                if len(timings) < 3:
                    env.cr.rollback()
            median = sorted(timings)[1]
            lines = len(batch.line_ids)
            print(
                f"preview, whole book, by {label}: {median:.2f} s (median of 3; the first {timings[0]:.2f} s, "
                f"then {timings[1]:.2f} s, {timings[2]:.2f} s), {queries} queries (the first {counts[0]}), "
                f"{lines} customers, {queries / max(lines, 1):.3f} queries per customer"
            )
            if args.compare_seconds:
                print(
                    f"  against OCA account_credit_control's run on a copy of the book ({args.compare_seconds:.2f} s): "
                    f"{args.compare_seconds / median:.1f}x faster (OCA's one run, the first of its process, against "
                    f"our first: {args.compare_seconds / timings[0]:.1f}x)"
                )
            return batch

        whole_book("the daily job", root)
        root.cr.rollback()
        memory("the daily job's preview")
        batch = whole_book("a collector", env)
        # the run is measured on customers due a level that emails them (with the statement PDF)
        emailed = batch.line_ids.filtered(lambda line: line.state == "planned" and line.send_email)
        attaching = emailed.filtered(lambda line: line.level_id.email_attach_statement).partner_id.ids
        linking = emailed.filtered(lambda line: not line.level_id.email_attach_statement).partner_id.ids
        levels = Counter(line.level_id.name for line in batch.line_ids if line.state == "planned")
        print(
            f"  levels due: {dict(levels)}; {len(emailed)} customers due an email "
            f"({len(attaching)} with the statement attached, {len(linking)} linked to it)"
        )
        memory("the collector's preview")

        # the 300 customers with the fewest open invoices against the 300 with the most
        ranked = sorted(per_customer, key=lambda pid: (per_customer[pid], pid))
        size = min(300, len(ranked) // 2)
        for label, ids in (("fewest", ranked[:size]), ("most", ranked[-size:])):
            counts = [per_customer[pid] for pid in ids]
            env.invalidate_all()
            sub, seconds, queries = measure(env, lambda ids=ids: preview(env, ids))
            invoices = sum(len(line.move_ids) for line in sub.line_ids)
            print(
                f"preview, the {size} customers with the {label} open invoices ({min(counts)}-{max(counts)} each): "
                f"{seconds:.2f} s, {queries} queries ({len(sub.line_ids)} customers due, {invoices} invoices covered)"
            )
        env.cr.rollback()
        env.invalidate_all()

        Level = env["ar.followup.level"]
        others = [pid for pid in per_customer if pid not in set(attaching) | set(linking)]
        # Odoo's one-time costs, paid by whatever first prints a report and sends a template in a
        # database and a process (the report's asset bundle, made once and stored; the templates
        # compiled): paid by a warm-up run of 2 other customers, printed, not by the runs measured
        if args.run_customers and len(others) >= 2:
            attaching_level = Level.search(
                [("send_email", "=", True), ("email_attach_statement", "=", True)], order="delay", limit=1
            )
            warm_up, others = others[:2], others[2:]
            run(env, sink, f"set to {attaching_level.name} (the warm-up)", warm_up, attaching_level)
        for label, ids in (
            ("due an email that attaches the statement", attaching[: args.run_customers]),
            ("due an email that links to the statement page", linking[: args.run_customers]),
        ):
            if ids:
                run(env, sink, label, ids)
        # the book leaves few customers due an email (most owe an invoice past the escalation):
        # --run-customers others are sent, as a collector may set it, a level's email only
        for label, attach in (("attaching the statement", True), ("linking to the statement page", False)):
            level = Level.search(
                [("send_email", "=", True), ("email_attach_statement", "=", attach)], order="delay", limit=1
            )
            ids, others = others[: args.run_customers], others[args.run_customers :]
            if ids:
                run(env, sink, f"set to {level.name} (email only, {label})", ids, level)
        memory("the runs")
        # one worker, then two, on batches of other customers set to the first level that links
        linking_level = Level.search(
            [("send_email", "=", True), ("email_attach_statement", "=", False)], order="delay", limit=1
        )
        if len(others[: args.worker_customers]) >= 2:
            bench_workers.measure(env, args.db, others[: args.worker_customers], linking_level)
    memory("the workers")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
