"""The benchmarks run: each script of bench/ on a tiny book, so that a change to the addon
that breaks them is seen by the suite, not at the next long benchmark run. (Their figures
are measured at their default sizes by make bench / make bench-insight, not here.)"""

import subprocess

import pytest
from odoo_process import REPO


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        ("tools/bench.sh", ["--customers", "30", "--invoices", "90", "--orm-invoices", "40"],
         ["invoices copied in SQL", "check: 90 open posted", "preview, whole book",
          "against OCA account_credit_control", "peak memory"]),
        (
            "tools/bench_insight.sh",
            ["--customers", "30", "--open-invoices", "40", "--paid-invoices", "10", "--promises", "4",
             "--disputes", "3", "--target-open", "120"],
            ["levels due: nightly refresh", "'Follow-up due' filter", "worklist _refresh", "peak memory"],
        ),
    ],
    ids=["batches", "insight"],
)  # fmt: skip
def test_benchmark_runs_on_a_tiny_book(script, args, expected):
    done = subprocess.run(
        ["bash", str(REPO / script), *args], capture_output=True, text=True, timeout=1500, check=False, cwd=REPO
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for text in expected:
        assert text in output, output[-4000:]
    assert "FAILED" not in output, output[-4000:]
