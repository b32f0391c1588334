#!/usr/bin/env bash
# Follow-up batch benchmark: a fresh database, the generated book (see
# bench/generate.py for the workload), OCA's account_credit_control run on a copy of it for
# comparison, the figures printed, the databases dropped.
source "$(dirname "$0")/common.sh"
AR_BENCH_COMPARE=${AR_BENCH_COMPARE-bench/bench_oca_credit_control.py} run_bench generate.py bench_batches.py "$@"
