# swp.aws: every set-up step lives here, so a fresh clone needs only `make demo` and `make test`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)
# moto and the amazon.aws modules read these; they are fake and only ever reach the local moto server.
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_DEFAULT_REGION ?= us-east-1
export ANSIBLE_NOCOLOR := 1

BUILD ?= $(CURDIR)/.build
export ANSIBLE_COLLECTIONS_PATH = $(BUILD)
COLL := $(BUILD)/ansible_collections/swp/aws
SITE_COLLECTIONS = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections
GET_PIP_CACHE := $(HOME)/.ansible/test/cache/get_pip_24_2.py
ATEST := ansible-test
ATEST_FLAGS := --local --python 3.11 --color no
SERVICES := $(PY) $(CURDIR)/scripts/services.py

.PHONY: help venv collection get-pip demo demo-steps ee test units integration sanity lint docs-lint simulator bench chaos clean

help:
	@echo "make demo   - set up .venv and run the external-ID rollout against the bundled simulator and moto"
	@echo "make test   - the whole suite: units, integration, sanity, ansible-lint, docs lint"
	@echo "make bench  - benchmarks (call counts, timings, memory)"
	@echo "make chaos  - rollouts under faults on both APIs and kill -9, every account watched (CHAOS_ARGS=...)"
	@echo "make simulator - run the SWP API simulator in the foreground"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

# ansible-test needs the collection at .../ansible_collections/swp/aws: build that tree from the checkout.
collection: venv
	rm -rf $(COLL)
	mkdir -p $(COLL) $(BUILD)/ansible_collections/amazon
	tar -c --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./.ci --exclude=./scripts \
	    --exclude=./benchmarks --exclude=./Makefile --exclude=__pycache__ --exclude=.pytest_cache \
	    --exclude=.hypothesis --exclude=./tests/output --exclude=./report \
	    --exclude=./tests/integration/integration_config.yml . | tar -x -C $(COLL)
	ln -sfn $(SITE_COLLECTIONS)/amazon/aws $(BUILD)/ansible_collections/amazon/aws
	@# The checkout's .gitignore hides .build from git, and ansible-test lists files through git: give the tree its own index.
	cd $(COLL) && git init -q && git add -A

# ansible-test downloads a get-pip script from a host that may be out of reach: provide it.
get-pip:
	@if [ ! -f "$(GET_PIP_CACHE)" ]; then mkdir -p "$(dir $(GET_PIP_CACHE))" && cp scripts/get_pip_standin.py "$(GET_PIP_CACHE)"; fi

demo: collection
	$(SERVICES) -- $(MAKE) --no-print-directory demo-steps

# Runs inside `services.py`, which exports SWP_SIM_URL, SWP_SIM_BASE and MOTO_URL.
DEMO_INVENTORY := $(BUILD)/demo-inventory.json
demo-steps: export SWP_API_URL = $(SWP_SIM_URL)
demo-steps: export SWP_API_KEY = sim-full-key
demo-steps: export ANSIBLE_CONFIG = $(CURDIR)/demo/ansible.cfg
# Each run keeps its own report (JSON, and JUnit XML beside it), so the three can be compared afterwards.
demo-steps: DEMO_REPORTS = $(foreach run,1-dry-run 2-apply 3-rerun,$(BUILD)/demo-report-$(run).json)
demo-steps:
	$(PY) tests/fleet.py --moto-url "$(MOTO_URL)" build --spec demo/fleet.json --sim-base "$(SWP_SIM_BASE)" --inventory-out $(DEMO_INVENTORY)
	ansible-playbook demo/extid.yml
	@echo; echo "=== 1/3 Dry run (--check --diff): every change shown, nothing written ==="
	DEMO_REPORT=$(word 1,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml --check --diff
	@echo; echo "=== 2/3 Apply ==="
	DEMO_REPORT=$(word 2,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml --diff
	@echo; echo "=== 3/3 Rerun: nothing left to change ==="
	DEMO_REPORT=$(word 3,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml
	@$(PY) -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit("rerun changed " + str(r["changed_hosts"]) if r["changed_hosts"] else 0)' $(word 3,$(DEMO_REPORTS))
	@echo; echo "Demo done: the rerun changed nothing. Reports (JUnit XML beside each): $(DEMO_REPORTS)"

# Each stage in turn, each timed, so a slow one shows (`make units` and the others run one stage).
TEST_STAGES := units integration sanity lint docs-lint ee
test:
	@times=""; for stage in $(TEST_STAGES); do \
	    started=$$(date +%s); \
	    $(MAKE) --no-print-directory $$stage || { echo "make test: stage $$stage failed"; exit 1; }; \
	    times="$$times $$stage=$$(( $$(date +%s) - started ))s"; \
	done; \
	echo "make test: all checks passed; seconds per stage:$$times"

units: collection get-pip
	cd $(COLL) && $(ATEST) units $(ATEST_FLAGS) --requirements $(UNITS)

# The targets run once per simulator profile (tests/simulator/README.md): the spec's reading (documented) and the
# strictest one. Under strict, the module targets and the rollout: the others do not depend on the manager's reading.
SIM_PROFILES ?= documented strict
STRICT_TARGETS ?= workload_extid workload_connector workload_connector_info workload_preflight extid_migration_rollout
integration: collection
	for profile in $(SIM_PROFILES); do \
	    targets="$(TARGETS)"; \
	    if [ -z "$$targets" ] && [ "$$profile" = strict ]; then targets="$(STRICT_TARGETS)"; fi; \
	    echo "=== integration targets, simulator profile $$profile: $${targets:-all} ==="; \
	    started=$$(date +%s); \
	    SWP_TARGETS="$$targets" $(SERVICES) --sim-config profile=$$profile --config-out $(COLL)/tests/integration/integration_config.yml -- \
	        bash -c 'cd $(COLL) && $(ATEST) integration $(ATEST_FLAGS) $$SWP_TARGETS' || exit 1; \
	    echo "=== integration under profile $$profile: $$(( $$(date +%s) - started )) s ==="; \
	done

sanity: collection get-pip
	cd $(COLL) && $(ATEST) sanity $(ATEST_FLAGS) --requirements

lint: collection
	cd $(COLL) && ansible-lint --offline --profile production

docs-lint: collection
	cd $(COLL) && antsibull-docs lint-collection-docs --plugin-docs .
	cd $(COLL) && antsibull-changelog lint

# The execution environment: collection tarball, build context, and a check that ansible-builder
# finds the collection's Python dependencies (meta/execution-environment.yml). No image is built here.
EE := $(BUILD)/ee
ee: collection
	rm -rf $(EE) && mkdir -p $(EE)/collections
	cd $(COLL) && ansible-galaxy collection build --force --output-path $(EE) >/dev/null
	cp execution-environment/execution-environment.yml execution-environment/requirements.yml $(EE)/
	cd $(EE) && ansible-builder create -f execution-environment.yml --context context >/dev/null
	ansible-galaxy collection install --force --no-deps -p $(EE)/collections $(EE)/swp-aws-0.1.0.tar.gz >/dev/null
	ansible-builder introspect $(EE)/collections > $(EE)/introspect.txt
	grep -q 'requests' $(EE)/introspect.txt && grep -q 'boto3' $(EE)/introspect.txt && ! grep -qi 'moto' $(EE)/introspect.txt
	@echo "ee: build context in $(EE)/context; the collection's Python needs:"; grep -E "^- '" $(EE)/introspect.txt

simulator: venv
	$(PY) -m tests.simulator --host 127.0.0.1 --port 0

bench: collection
	$(SERVICES) -- $(PY) benchmarks/run.py

# K rollouts (default 3) of 30 accounts with 10% faults on the SWP API and IAM/STS, storms, latency and
# kill -9 of ansible-playbook at four points of the apply; prints lockouts, duplicates, convergence, calls.
CHAOS_ARGS ?=
chaos: collection
	$(SERVICES) -- $(PY) tests/chaos.py --json-out $(BUILD)/chaos-summary.json $(CHAOS_ARGS)

clean:
	rm -rf $(BUILD) tests/output
