"""Fails any test during which ar_collections logged a WARNING or worse.

Odoo logs through the ``odoo`` logger tree; records from our own modules, or
that name our models, count. ``assertLogs`` captures what a test expects.
"""

import logging

import pytest

MARKERS = ("ar_collections", "ar.followup", "ar.collection")


def _not_test_mode_false_alarm(record):
    """pytest-odoo imports Odoo's test framework before it switches test mode
    on, and Odoo logs an ERROR for that import; in a test run it is a false
    alarm. (Switching test mode on earlier would make loading the registry
    run every module's at-install tests.)"""
    return not record.getMessage().startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_not_test_mode_false_alarm)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        text = f"{record.name} {record.getMessage()}"
        if any(marker in text for marker in MARKERS):
            self.records.append(record)


@pytest.fixture(autouse=True)
def no_ar_collections_warnings():
    collector = _Collector()
    logger = logging.getLogger("odoo")
    logger.addHandler(collector)
    try:
        yield
    finally:
        logger.removeHandler(collector)
    if collector.records:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"ar_collections logged warnings or errors:\n{lines}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """No test of the project is skipped silently: a skip (an HttpCase run without
    ``--odoo-http``, a missing browser, ...) fails the run, saying why."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, which the suite does not allow: {reason}"
