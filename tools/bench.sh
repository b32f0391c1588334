#!/usr/bin/env bash
# Follow-up batch benchmark: a fresh database, the generated book (see
# bench/generate.py for the workload), the figures printed, the database dropped.
source "$(dirname "$0")/common.sh"
run_bench generate.py bench_batches.py "$@"
