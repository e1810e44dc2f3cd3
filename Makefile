# Two commands do everything on a fresh machine:  make run   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench bench-load bench-amqp bench-sftp bench-screening fuzz docs clean bench-pnrgov bench-pnrgov-xml

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install, then run the gateway on its embedded defaults (configs/paxgate.toml, data in ./paxgate-data)
run: $(STAMP)
	$(BIN)/paxgate serve

## demo: the validator command line on the shipped example interchanges (no server needed)
demo: $(STAMP)
	@echo "== paxgate validate (a clean PAXLST, a PNRGOV push, a broken PAXLST)"
	@$(BIN)/paxgate validate tests/fixtures/edifact/paxlst-d05b-clean.edi tests/fixtures/edifact/pnrgov-iata-push.edi \
		tests/fixtures/edifact/paxlst-broken-envelope.edi || echo "(exit status $$?: one file is rejected, as the demo intends)"
	@echo "== paxgate ack: the CONTRL the gateway answers the broken one with"
	@$(BIN)/paxgate ack tests/fixtures/edifact/paxlst-broken-envelope.edi
	@echo "== paxgate manifest: what the clean list says (first 400 bytes of the JSON)"
	@$(BIN)/paxgate manifest tests/fixtures/edifact/paxlst-d05b-clean.edi | head -c 400; echo

## test: install, lint, then the whole suite (the command CI runs)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

## bench: a 500-passenger PAXLST, syntax pass (10x target) and full validate (5x target) vs pydifact parse
bench: $(STAMP)
	$(BIN)/python bench/edifact_syntax.py

## bench-load: paxgate serve under open-loop HTTPS load, 50-traveller PAXLSTs at 100-400 msg/s (60 s steps; quick: bench/load.py --duration 10)
bench-load: $(STAMP)
	$(BIN)/python bench/load.py

## bench-amqp: paxgate serve fed 10,000 small PAXLSTs over RabbitMQ (publisher confirms), msg/s end to end and a zero-loss check
bench-amqp: $(STAMP)
	$(BIN)/python bench/amqp_ingest.py

## bench-sftp: paxgate serve fed 1,000 small PAXLST files by 8 paramiko SFTP connections, files/s end to end, zero-loss check, plain-SFTP peer
bench-sftp: $(STAMP)
	$(BIN)/python bench/sftp_ingest.py

## fuzz: a longer, bounded hypothesis campaign against the EDIFACT layer (FUZZ_EXAMPLES, default 20000)
fuzz: $(STAMP)
	PAXGATE_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest -q -p no:cacheprovider tests/validators/edifact/test_fuzz.py

## docs: regenerate docs/FINDINGS.md from the finding catalogue
docs: $(STAMP)
	$(BIN)/paxgate codes --markdown > docs/FINDINGS.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

## bench-pnrgov: PNRGOV EDIFACT, full validate on a 300-PNR push vs pydifact's parse alone (5x target)
bench-pnrgov: $(STAMP)
	$(BIN)/python bench/pnrgov_edifact.py

## bench-pnrgov-xml: PNRGOV XML, paxgate's path (lxml parse + XSD, PnrPush, rules) on a 300-PNR push vs xmlschema-only validation (10x target)
bench-pnrgov-xml: $(STAMP)
	$(BIN)/python bench/pnrgov_xml.py

## bench-screening: a 500-traveller PAXLST against generated watchlists (ENTRIES, default 100000 and 1000000): ms per
## manifest, single-traveller latency, index build time and RSS, recall vs brute-force rapidfuzz cdist
bench-screening: $(STAMP)
	timeout 1800 $(BIN)/python bench/screening.py --entries $${ENTRIES:-100000 1000000}
