#!/usr/bin/env bash
# Insight benchmark: a fresh database, the generated 100,000-open-invoice book
# (see bench/generate_insight.py for the workload), the figures printed, the
# database dropped. Arguments go to generate_insight.py (e.g. --paid-invoices 500).
source "$(dirname "$0")/common.sh"
run_bench generate_insight.py bench_insight.py "$@"
