# ar_collections: the commands a newcomer needs. See README.md.
.PHONY: setup demo test lint i18n bench bench-insight clean

setup:  ## install what is missing: .venv with Odoo 18.0 and the test requirements, wkhtmltopdf, chromium, PostgreSQL
	tools/setup.sh

demo:  ## set up, then start Odoo with ar_collections and demo data on http://localhost:8069 (admin / admin)
	tools/demo.sh

test:  ## set up, then run the whole test suite in a throwaway database
	tools/test.sh

lint:  ## pylint-odoo (OCA checks), OCA XML/CSV checks, ruff
	tools/lint.sh

i18n:  ## export the terms to i18n/ar_collections.pot and update fr.po from it (new terms listed)
	tools/i18n.sh

bench:  ## follow-up batch benchmark on a generated book (bench/README.md)
	tools/bench.sh

bench-insight:  ## aging, KPI, risk score and forecast benchmark on 100,000 open invoices (bench/README.md)
	tools/bench_insight.sh

clean:  ## remove .venv/, .cache/, var/ and the demo database
	tools/clean.sh
