"""make demo, as a newcomer runs it: on a free port and a throwaway database name, it creates the
database with ar_collections and demo data, serves /web/login, and the collections board loads
in Chromium with its demo customers and no console error."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import uuid

import psycopg2
from chromium import Chromium
from odoo_process import LOG_PROBLEM, REPO

BOARD = "/odoo/action-ar_collections.res_partner_action_collections"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except OSError:
        return None, ""


def authenticate(base, db):
    """The session cookie of admin / admin, as the login form would get it."""
    body = json.dumps({"jsonrpc": "2.0", "params": {"db": db, "login": "admin", "password": "admin"}}).encode()
    request = urllib.request.Request(f"{base}/web/session/authenticate", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert "error" not in json.load(answer)
        cookie = answer.headers["Set-Cookie"]
    return re.search(r"session_id=([^;]+)", cookie).group(1)


def drop(db):
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()


def test_make_demo_serves_the_collections_board(tmp_path):
    port, db = free_port(), f"ar_collections_demo_it_{uuid.uuid4().hex[:8]}"
    environ = {**os.environ, "AR_DEMO_DB": db, "AR_DEMO_PORT": str(port), "AR_DEMO_DATA_DIR": str(tmp_path / "data")}
    log_path = tmp_path / "demo.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(["make", "--no-print-directory", "demo"], cwd=REPO, env=environ, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    browser = None
    try:
        # the first run installs the database (minutes), then Odoo answers
        deadline = time.monotonic() + 1200
        status, page = get(f"{base}/web/login")
        while status != 200:
            assert server.poll() is None, f"make demo exited {server.returncode}:\n{log_path.read_text()[-4000:]}"
            assert time.monotonic() < deadline, "make demo did not answer on /web/login in 20 minutes"
            time.sleep(1)  # waiting for the install to finish: nothing to read meanwhile
            status, page = get(f"{base}/web/login")
        assert 'name="login"' in page and 'name="password"' in page
        output = log_path.read_text()
        assert f"http://localhost:{port}{BOARD}" in output, output

        browser = Chromium(tmp_path)
        browser.set_cookie(base, "session_id", authenticate(base, db))
        browser.open(f"{base}{BOARD}")
        browser.wait_for("document.querySelectorAll('.o_kanban_record:not(.o_kanban_ghost)').length > 3", 120)
        stages = browser.evaluate(
            "[...document.querySelectorAll('.o_kanban_group .o_column_title')].map(e => e.textContent.trim())"
        )
        stages = {re.sub(r"\s*\(\d+\)$", "", title) for title in stages}  # "Reminded(3)": the title and its count
        assert {"Current", "Reminded", "Escalated", "Payment plan"} <= stages, stages
        cards = browser.evaluate("document.querySelector('.o_kanban_renderer').innerText")
        assert "Alpine Outfitters Ltd" in cards and "Baltic Freight Services" in cards, cards[:2000]
        browser.screenshot(tmp_path / "board.png")
        assert browser.errors == [], browser.errors
    finally:
        if browser:
            browser.close()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=120)
        drop(db)
    # all but Odoo's partner_autocomplete (installed with the demo), whose calls to the internet
    # fail on a machine that does not reach it
    problems = [
        line
        for line in log_path.read_text().splitlines()
        if LOG_PROBLEM.match(line) and not re.search(r"odoo\.addons\.(iap|partner_autocomplete)\.", line)
    ]
    assert problems == [], "\n".join(problems)
