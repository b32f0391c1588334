"""OCA's account_credit_control, for comparison, on a copy of the book made by generate.py.

Installs account_credit_control (18.0, unpacked from its PyPI wheel by the set-up into
.cache/oca-addons) into the copy, gives its default policy (3 levels, the company's) the
receivable accounts, and times its run for today: ``credit.control.run.generate_credit_lines``,
what an accountant starts to see who is due which level, as our batch preview does. Prints the
wall time, SQL queries and lines made, and a last line ``SECONDS <wall time>``.

    python3 bench/bench_oca_credit_control.py DB_COPY
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import date

from common import environment, setup

from odoo import Command


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, "-m", "odoo", "-d", args.db, "-i", "account_credit_control", "--stop-after-init",
         f"--addons-path={os.environ['ODOO_ADDONS_PATH']}", "--log-level=warn", f"--db-filter=^{args.db}$",
         f"--data-dir={os.environ.get('AR_BENCH_DATA_DIR', '/tmp/ar_collections_bench')}"],
        check=True,
    )  # fmt: skip
    registry = setup(args.db)
    with environment(registry) as env:
        company = env.company
        policy = env.ref("account_credit_control.credit_control_3_time")
        receivable = env["account.account"].search(
            [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
        )
        policy.account_ids = [Command.set(receivable.ids)]
        env.cr.commit()
        run = env["credit.control.run"].create({"date": date.today(), "policy_ids": [Command.set(policy.ids)]})
        env.flush_all()
        queries, started = env.cr.sql_log_count, time.perf_counter()
        run.generate_credit_lines()
        env.flush_all()
        seconds, queries = time.perf_counter() - started, env.cr.sql_log_count - queries
        lines = run.line_ids
        print(
            f"OCA account_credit_control, run for today (generate_credit_lines): {seconds:.2f} s, {queries} queries, "
            f"{len(lines)} credit control lines for {len(lines.partner_id)} customers"
        )
        env.cr.rollback()
    print(f"SECONDS {seconds:.3f}")


if __name__ == "__main__":
    main()
