# ar_collections: the commands a newcomer needs. See README.md.
.PHONY: setup demo test lint bench bench-insight

setup:  ## install what the tests, lint and benchmark need (Odoo 18.0 itself must already be installed)
	python3 -m pip install -r requirements-test.txt

demo:  ## start Odoo with ar_collections and demo data on http://localhost:8069 (admin / admin)
	tools/demo.sh

test:  ## run the whole test suite in a throwaway database
	tools/test.sh

lint:  ## pylint-odoo (OCA checks), OCA XML/CSV checks, ruff
	tools/lint.sh


bench:  ## follow-up batch benchmark on a generated book (bench/README.md)
	tools/bench.sh

bench-insight:  ## aging, KPI, risk score and forecast benchmark on 100,000 open invoices (bench/README.md)
	tools/bench_insight.sh
