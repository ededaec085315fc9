# Homeward: `make demo` runs the product with demo data; `make test` runs the whole test suite.
PYTHON ?= python3.12
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install install-dev migrate lint assets run-web run-worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

migrate: install
	DJANGO_ENV=dev $(BIN)/python manage.py migrate --noinput

# Web, worker and beat on SQLite and the filesystem broker: no server to install.
demo: migrate
	DJANGO_ENV=dev $(BIN)/python manage.py seed_demo
	@echo "Homeward is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops web, worker and beat)"
	DJANGO_ENV=dev $(BIN)/celery -A missing worker -B --pool=solo --loglevel=WARNING & \
	worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DJANGO_ENV=dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite. Without DATABASE_URL it runs on SQLite; tests that need PostgreSQL, Redis or
# Chromium say why they skip, and fail instead when REQUIRE_SERVICES=1.
test: install-dev
	DJANGO_ENV=test $(BIN)/ruff check .
	DJANGO_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run > /dev/null
	DJANGO_ENV=test CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n 2 -rs $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

# Rebuilds static/homeward from GOV.UK Frontend (needs Node; the output is committed).
assets:
	npm ci --ignore-scripts --no-audit --no-fund
	npm run build

clean:
	rm -rf $(VENV) var node_modules
