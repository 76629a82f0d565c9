# The two commands of the README: `make demo` and `make test`. Each does all of its own set-up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= var/demo
PORT ?= 8000

.PHONY: demo test install system-deps lint messages bench vendor production

$(BIN)/dudao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/dudao

# LibreOffice is the real client our generated .xlsx/.docx files are opened with in the tests;
# Chromium is the browser the Playwright tests drive; the CJK fonts make Chinese render in both.
system-deps:
	@{ command -v soffice && command -v chromium && command -v xgettext && fc-list | grep -q "Noto Sans CJK"; } >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice, Chromium, CJK fonts and gettext (Debian packages) ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libreoffice-calc-nogui libreoffice-writer-nogui chromium fonts-noto-cjk gettext >/dev/null; }

# seed_demo writes the demo county, its city and users into the database (docs/demo.md); a second
# run changes nothing. seed_survey_demo adds 示范县's public-recognition survey and writes its rate into
# the county item SR-01; seed_evaluation_demo the county's other county items; evaluate_county stores
# every county's result under the Hebei profile (what the website shows); seed_rectification_demo adds
# 示范县's rectification items, work plan and tasks. The spreadsheet steps write the same county's 2025
# schools and its county items (as stored) to files and evaluate them with the same profile, so the
# terminal's report and the website give the same numbers (tests/evaluation/test_demo_one_truth.py). The
# planning steps write the county's forecast inputs to files, forecast from them and plan the cheapest way to
# pass in 2028 with the pupils forecast then (tests/planning/test_demo_county.py does the same).
DEMO_PROFILE := --province hebei
demo: install
	$(BIN)/dudao migrate --noinput -v 0
	$(BIN)/dudao seed_demo
	$(BIN)/dudao seed_survey_demo
	$(BIN)/dudao seed_evaluation_demo
	$(BIN)/dudao evaluate_county --all $(DEMO_PROFILE)
	$(BIN)/dudao seed_rectification_demo
	$(BIN)/dudao demo_county $(DEMO_DIR)/demo-county.xlsx
	$(BIN)/dudao evaluate $(DEMO_DIR)/demo-county.xlsx --items $(DEMO_DIR)/demo-county-items.yaml $(DEMO_PROFILE) \
	  --format xlsx --out $(DEMO_DIR)/demo-county-result.xlsx
	$(BIN)/dudao evaluate $(DEMO_DIR)/demo-county.xlsx --items $(DEMO_DIR)/demo-county-items.yaml $(DEMO_PROFILE)
	$(BIN)/dudao briefing --county 130135 --period $$(date +%Y-%m) --out $(DEMO_DIR)
	$(BIN)/dudao planning_files --county 130135 --year 2025 --out $(DEMO_DIR)
	$(BIN)/dudao forecast $(DEMO_DIR)/130135-enrolment.xlsx --births $(DEMO_DIR)/130135-births.xlsx \
	  --changes $(DEMO_DIR)/130135-changes.xlsx --year 2025 --format json --out $(DEMO_DIR)/demo-county-forecast.json
	$(BIN)/dudao plan $(DEMO_DIR)/demo-county.xlsx --costs $(DEMO_DIR)/130135-costs.yaml $(DEMO_PROFILE) \
	  --target-year 2028 --projected $(DEMO_DIR)/demo-county-forecast.json --format xlsx --out $(DEMO_DIR)/demo-county-plan-2028.xlsx
	@echo ""
	@echo "dudao: http://127.0.0.1:$(PORT)/  — 登录 / log in: county / dudao-demo (README: 演示账号 / demo users). Ctrl-C 停止 / to stop."
	DJANGO_DEBUG=true $(BIN)/dudao runserver 127.0.0.1:$(PORT) --noreload

# The suite on every core (pytest-xdist). worksteal hands each worker a contiguous run of the tests (a
# module's shared world is built once per worker that runs it) and moves the rest of a slow worker's run
# to an idle one (docs/testing.md); TEST_WORKERS=0 runs it in one process. Python keeps its compiled
# modules (__pycache__, git-ignored) even where PYTHONDONTWRITEBYTECODE is set: every worker imports all ~150
# test modules, and compiling them with pytest's assertion rewriting anew each time cost 13 CPU-s a worker.
TEST_WORKERS ?= auto
test: install system-deps
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# Ruff; mypy on all of dudao ([tool.mypy] in pyproject.toml: engine, standards and sheets strict); no
# function above complexity 20 (radon rank D) anywhere in dudao/, except the two demo-data generators,
# whose naming cases and random draws are kept in one order on purpose (docs/adr/0023).
COMPLEXITY_EXCLUDED := dudao/demo/synthetic.py,dudao/orgs/demo.py
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/xenon --max-absolute C --exclude $(COMPLEXITY_EXCLUDED) dudao

# Refresh the English catalogue after changing user-facing strings (new msgids arrive empty: write
# their English in dudao/locale/en/LC_MESSAGES/django.po, the one source of English), then compile it.
messages: install
	cd dudao && ../$(BIN)/dudao makemessages -l en --no-obsolete --no-location
	cd dudao && ../$(BIN)/dudao compilemessages -l en

# Production form on a fresh Debian machine, as root (docs/deploy.md): packages, the dudao user, PostgreSQL,
# Redis, deploy/setup.sh, the systemd units and nginx. `sudo make production DOMAIN=dudao.example.gov.cn`
production:
	@test -n "$(DOMAIN)" || { echo "usage: sudo make production DOMAIN=dudao.example.gov.cn (docs/deploy.md)"; exit 2; }
	deploy/install.sh $(DOMAIN)

bench: install
	$(BIN)/python benchmarks/bench_engine.py

# Refresh the committed browser libraries from npm (package.json pins the versions): ECharts for the
# pages; axe-core (the accessibility check) for the browser tests only, kept out of the served files.
vendor:
	npm install --no-audit --no-fund --ignore-scripts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE dudao/static/vendor/echarts/
	mkdir -p tests/e2e/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core/
