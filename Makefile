# Two commands for a fresh clone: `make lab` (the tutorial) and `make test` (everything).
# Both create .venv and install the exact versions of requirements.lock on first use, then skip
# that step until pyproject.toml or requirements.lock changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
# how every target runs the notebooks: nbval, checking only marked cells, sanitized
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: lab test test-min test-kernels unit notebooks lint clean-venv classroom bench site

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test,dev]"
	touch $(STAMP)

## make test-min: the unit tests and the notebooks in a second venv (.venv-min) with the lowest
## version of every dependency pyproject.toml allows (constraints-min.txt; torch stays at the
## version this machine serves): the ranges are tested at both ends. The browser and classroom
## tests (minutes of front-end timing) run in `make test` only; ARGS= adds pytest options.
VENV_MIN := .venv-min
MIN_STAMP := $(VENV_MIN)/.installed
$(MIN_STAMP): pyproject.toml constraints-min.txt
	test -x $(VENV_MIN)/bin/python || $(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-min.txt -e ".[test]"
	touch $(MIN_STAMP)
test-min: $(MIN_STAMP)
	VAE_TUTORIAL_QUICK=1 MPLBACKEND=agg $(VENV_MIN)/bin/python -m pytest tests notebooks \
	    --ignore=tests/browser --ignore=tests/test_classroom.py \
	    $(NBVAL) \
	    -p no:cacheprovider $(ARGS)

## make lab: JupyterLab on the index notebook; prints the URL that opens it (ARGS=--no-browser
## when headless). The shipped notebooks are trusted, the news pop-up is off, the port is
## LAB_PORT (default 8888). Notebook 7 runs on the same server: /notebooks/00_index.ipynb
## Kernels get CurveZMQ keys (encrypted connections: no "running over TCP without encryption").
## The one implementation is `python -m vae_tutorial lab` (vae_tutorial/cli_launch.py), which
## works without make (Windows, macOS).
LAB_PORT ?= 8888
lab: $(STAMP)
	$(BIN)/python -m vae_tutorial lab --port $(LAB_PORT) $(ARGS)

## make test: unit tests, then every notebook executed by nbval with the quick switch
test: $(STAMP)
	VAE_TUTORIAL_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest tests notebooks \
	    $(NBVAL) $(ARGS)

## make test-kernels: the notebooks again under each numeric kernel path a student's CPU may
## take (set explicitly: some machines preset OPENBLAS_CORETYPE); SkylakeX only where the
## CPU has AVX-512. A checked output that depends on the last bits fails here, not on a laptop.
KERNEL_PATHS := "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2" \
	"OPENBLAS_CORETYPE=Prescott ATEN_CPU_CAPABILITY=default" \
	$(if $(shell grep -m1 -o avx512f /proc/cpuinfo 2>/dev/null),"OPENBLAS_CORETYPE=SkylakeX ATEN_CPU_CAPABILITY=avx512",)
test-kernels: $(STAMP)
	@for path in $(KERNEL_PATHS); do \
	    echo "== notebooks under $$path"; \
	    env $$path VAE_TUTORIAL_QUICK=1 MPLBACKEND=agg $(BIN)/python -m pytest notebooks \
	        $(NBVAL) \
	        -p no:cacheprovider $(ARGS) || exit 1; \
	done

unit: $(STAMP)
	$(BIN)/python -m pytest tests $(ARGS)

## make notebooks: re-execute every notebook in full mode and store it cleaned, with outputs
## with the last state of every widget (jupyter/nbconvert: pruned, frames as PNG, kernel notes)
notebooks: $(STAMP)
	for nb in notebooks/[0-9]*.ipynb; do \
	    JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter/nbconvert MPLBACKEND=agg \
	        $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	        --ExecutePreprocessor.timeout=1800 "$$nb" || exit 1; \
	    $(BIN)/nbstripout --keep-output --keep-count --keep-metadata-keys metadata.widgets "$$nb" || exit 1; \
	done

## make bench: performance figures of this machine (a few minutes): GEMM roofline, training
## throughput vs a plain DataLoader loop, the whole-process A/B against pytorch/examples'
## vae/main.py loop (speed and peak memory), time to -100 nats, slider and grid latency;
## ARGS="--only ab" for one section
bench: $(STAMP)
	$(BIN)/python benchmarks/machine.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check vae_tutorial tests benchmarks
	$(BIN)/ruff format --check vae_tutorial tests benchmarks

clean-venv:
	rm -rf $(VENV) $(VENV_MIN)

CLASSROOM ?= notebooks/dashboards/latent_explorer.ipynb

## make classroom: the latent explorer as a Voila dashboard (code hidden) on
## http://127.0.0.1:$(PORT) (default 8866; PORT=9000 for another), decoded in each student's
## browser (CLASSROOM=notebooks/06_latent_explorer.ipynb serves the full notebook). Settings in
## jupyter/classroom/voila.py: a kernel runs the dashboard before the first student arrives
## (ARGS=--pool_size=4 keeps four ready, about 0.5 GB each), no CDN stylesheets (works offline),
## encrypted kernel connections, kernels idle for 15 minutes culled.
PORT ?= 8866
classroom: $(STAMP)
	$(BIN)/python -m vae_tutorial classroom $(CLASSROOM) --port $(PORT) -- $(ARGS)

## make site: the tutorial as a static website in build/site, from the stored notebooks (not
## executed); the latent explorers run in the reader's browser. Publish the folder on any
## static host; it also works opened from disk, offline.
site: $(STAMP)
	$(BIN)/python site/build.py build/site
