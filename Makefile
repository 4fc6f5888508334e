# CLV-Net for QGIS. `make demo` runs the main job, `make test` the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
SHARED ?= $(abspath ../shared)
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1
# pyproj inside the venv looks for proj.db under the venv; point it at Debian's PROJ data.
export PROJ_DATA := /usr/share/proj
# Tests read ../shared; GDAL must not write .aux.xml statistics beside those files.
export GDAL_PAM_ENABLED := NO

.PHONY: setup test lint format demo zip deploy transup transcompile bench train-default clean

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt scripts/setup_system.sh
	bash scripts/setup_system.sh
	test -x $(PY) || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

test: setup
	bash scripts/setup_system.sh
	$(PY) -m pytest -q

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) dist demo_out .pytest_cache .ruff_cache

demo: setup
	$(PY) scripts/demo.py

zip: transcompile
	python3 scripts/plugin_package.py zip

deploy: transcompile
	python3 scripts/plugin_package.py deploy

transup: setup
	pylupdate5 -noobsolete clvnet_qgis/*.py clvnet_qgis/processing/*.py -ts i18n/clvnet_zh_CN.ts i18n/clvnet_fr.ts

transcompile:
	lrelease -silent i18n/clvnet_zh_CN.ts i18n/clvnet_fr.ts

bench: setup
	$(PY) scripts/bench.py --out docs/benchmarks.md

train-default: setup
	bash scripts/train_default.sh
