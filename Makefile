.PHONY: run test bench lint

# Start the gateway on the embedded default, answering through the bundled provider simulator.
run:
	scripts/run.sh

# Install everything and run the whole test suite (this is what CI runs).
test:
	scripts/test.sh

bench:
	bench/run.sh

lint:
	.venv/bin/ruff check --fix src tests bench && .venv/bin/ruff format src tests bench
