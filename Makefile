# make demo: a real deployment on the local ECS emulator (no AWS account).  make test: the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/*.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: demo demo-failure test lint container-image container-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/dev.txt -e '.[emulator]' --group dev
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	VENV=$(VENV) scripts/demo.sh

# The same application, but the new web image crashes: watch the circuit breaker roll it back,
# the verdict (rolled_back, exit 1, as CI would see it) and the forensics.
demo-failure: $(STAMP)
	VENV=$(VENV) EMULATOR_ARGS="--fault public.ecr.aws/docker/library/nginx:broken=crash" \
	  scripts/demo.sh broken --service web --skip-pre-tasks

# The container tests build one image: they run on their own, after the rest ran in parallel.
test: $(STAMP)
	$(BIN)/pytest -n 4 -m "not container"
	$(BIN)/pytest -m container

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ecs_deploy

container-image:
	scripts/container/build.sh

container-test: $(STAMP)
	ECS_DEPLOY_CONTAINER_TESTS=1 $(BIN)/pytest -m container tests/container

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
