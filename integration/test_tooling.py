"""The project's own commands: lint is clean; the test and demo commands
fail fast with one clear line when the PYTHON given cannot import Odoo or PostgreSQL is missing."""

import os
import subprocess
import sys

from odoo_process import REPO


def test_lint_is_clean():
    done = subprocess.run(["tools/lint.sh"], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lint: clean" in done.stdout


def _run_without(tmp_path, script, **env):
    return subprocess.run(
        [script], cwd=REPO, capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **env}
    )


def test_commands_fail_fast_without_odoo(tmp_path):
    # a python that cannot import odoo: the interpreter with site-packages disabled
    python = tmp_path / "python-without-odoo"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    python.chmod(0o755)
    for script in ("tools/test.sh", "tools/demo.sh"):
        done = _run_without(tmp_path, script, PYTHON=str(python))
        assert done.returncode == 2, done.stdout + done.stderr
        lines = (done.stdout + done.stderr).strip().splitlines()
        expected = f"ERROR: PYTHON={python} cannot import Odoo 18.0 ('import odoo' fails or is another version)"
        assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_commands_fail_fast_without_postgresql(tmp_path):
    for script in ("tools/test.sh", "tools/demo.sh"):
        done = _run_without(tmp_path, script, PGHOST=str(tmp_path / "no-server-here"))
        assert done.returncode == 2, done.stdout + done.stderr
        lines = (done.stdout + done.stderr).strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ERROR: PostgreSQL does not answer"), lines
