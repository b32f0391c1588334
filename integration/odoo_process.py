"""Helpers for tests that drive Odoo as a separate process on fresh databases."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parent.parent
# A log line at WARNING or above: "2026-01-01 10:00:00,000 123 WARNING db logger: message"
LOG_PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")


def addons_path():
    if os.environ.get("ODOO_ADDONS_PATH"):
        return os.environ["ODOO_ADDONS_PATH"]
    import odoo

    root = Path(odoo.__file__).resolve().parent.parent
    paths = [p for p in (root / "addons", root / "odoo" / "addons") if p.is_dir()]
    return ",".join(str(p) for p in [*paths, REPO])


class OdooProcess:
    """Runs ``python -m odoo`` on one throwaway database."""

    def __init__(self, tmp_path):
        self.db = f"ar_collections_it_{uuid.uuid4().hex[:10]}"
        self.data_dir = tmp_path / "data"

    def run(self, *args, stdin=None):
        """Run Odoo; return its log lines at WARNING or above (and fail on a non-zero exit)."""
        command = [
            sys.executable, "-m", "odoo", *args,
            "-d", self.db, f"--addons-path={addons_path()}", f"--data-dir={self.data_dir}",
            f"--db-filter=^{self.db}$", "--log-level=warn", "--stop-after-init",
        ]  # fmt: skip
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=1200, check=False)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"odoo {' '.join(args)} failed:\n{output[-5000:]}"
        return [line for line in output.splitlines() if LOG_PROBLEM.match(line)], output

    def shell(self, code):
        """Run ``code`` in ``odoo shell`` and return what it printed."""
        command = [
            sys.executable, "-m", "odoo", "shell", "-d", self.db, f"--addons-path={addons_path()}",
            f"--data-dir={self.data_dir}", "--log-level=warn", "--no-http",
        ]  # fmt: skip
        done = subprocess.run(command, input=code, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def query(self, sql):
        with psycopg2.connect(dbname=self.db) as conn, conn.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall()

    def drop(self):
        conn = psycopg2.connect(dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        conn.close()
