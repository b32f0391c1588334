"""Throughput of one follow-up batch drained by one worker, then by two at once.

Each worker is its own Odoo process (as a cron thread of another server, or another host,
would be) calling the follow-up job until nothing is left; the workers start together on a
PostgreSQL advisory lock. Two batches of the same size, of customers set to the same level
(email only), are run: the first by one worker, the second by two. Prints both wall times, the
throughputs and their ratio, and checks that every customer got exactly one email.

    python3 bench/bench_workers.py DB --customers 1200   (called by bench_batches.py)
    python3 bench/bench_workers.py DB --worker          (one worker; started by the above)
"""

import argparse
import os
import subprocess
import sys
import time

import psycopg2
from common import environment, setup

BARRIER = 724_002  # the advisory lock key the workers wait on


def worker(db):
    registry = setup(db)
    with environment(registry) as env:
        print("READY", flush=True)
        env.cr.execute("SELECT pg_advisory_lock_shared(%s)", [BARRIER])  # wait for the start
        env.cr.execute("SELECT pg_advisory_unlock_shared(%s)", [BARRIER])
        env.cr.commit()
        Batch, Line = env["ar.followup.batch"], env["ar.followup.batch.line"]
        taken = 0
        while True:  # as the cron: called again, in a new transaction, while lines remain planned
            lines = Batch._cron_run_batches(batch_size=50)
            taken += len(lines)
            env.cr.commit()
            env.invalidate_all()
            if not lines and not Line.search_count([("state", "=", "planned"), ("batch_id.state", "=", "running")]):
                break
        print("TOOK", taken, flush=True)


def drain(db, count):
    """Start ``count`` workers together on the running batches; wall seconds until all stopped."""
    barrier = psycopg2.connect(dbname=db)
    barrier.autocommit = True
    cr = barrier.cursor()
    # what the runs before left to autovacuum is done now, not while the workers are measured
    cr.execute("VACUUM (ANALYZE)")
    cr.execute("SELECT pg_advisory_lock(%s)", [BARRIER])
    workers = [
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), db, "--worker"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _n in range(count)
    ]
    try:
        for process in workers:  # loaded
            assert process.stdout.readline().strip() == "READY"
        for _attempt in range(2400):  # and waiting on the lock (2 minutes at most)
            cr.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted", [BARRIER]
            )
            if cr.fetchone()[0] == count:
                break
            cr.execute("SELECT pg_sleep(0.05)")
        else:
            raise RuntimeError("the workers never reached the start")
    finally:
        started = time.perf_counter()
        cr.execute("SELECT pg_advisory_unlock(%s)", [BARRIER])
    taken = []
    for process in workers:
        output = process.communicate(timeout=3600)[0]
        assert process.returncode == 0, output
        taken.append(int(next(line for line in output.splitlines() if line.startswith("TOOK")).split()[1]))
    seconds = time.perf_counter() - started
    barrier.close()
    return seconds, taken


def measure(env, db, partner_ids, level):
    """Run every other customer of ``partner_ids`` with one worker, the others with two (the
    two halves alike: interleaved). ``env`` is the user the batches are made by."""
    half = len(partner_ids) // 2
    results = []
    for count, ids in ((1, partner_ids[0 : 2 * half : 2]), (2, partner_ids[1 : 2 * half : 2])):
        batch = env["ar.followup.batch"].create({"partner_ids": [(6, 0, ids)]})
        batch.action_preview()
        batch.line_ids.write({"level_id": level.id, "send_email": True, "send_letter": False, "create_activity": False})
        planned = len(batch.line_ids.filtered(lambda line: line.state == "planned"))
        batch.action_run()
        env.cr.commit()
        seconds, taken = drain(db, count)
        env.invalidate_all()
        mails = env["mail.mail"].sudo().search([("res_id", "in", ids), ("model", "=", "res.partner")])
        once = len(mails) == len(set(mails.mapped("res_id"))) == batch.done_count == planned
        results.append(planned / seconds)
        print(
            f"workers: {count} on a batch of {planned} customers ({level.name}, email only): {seconds:.1f} s, "
            f"{planned / seconds:.1f} customers per second; lines taken per worker {taken}; "
            f"batch {batch.state}, {batch.done_count} done; one email each: {once}"
        )
    print(f"  2 workers: {results[1] / results[0]:.2f}x the throughput of one")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        worker(args.db)


if __name__ == "__main__":
    main()
