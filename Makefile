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

.PHONY: help venv collection get-pip demo demo-steps ee test units integration sanity lint docs docs-lint simulator sandbox bench chaos clean

# Every target says what it does in a `## ` comment on its target line; `make help` lists them, and
# `make docs-lint` fails when a .PHONY target has none.
help: ## this list
	@sed -nE 's/^([A-Za-z0-9_.-]+):[^=]*## (.*)$$/\1\t\2/p' $(firstword $(MAKEFILE_LIST)) | \
	    while IFS=$$'\t' read -r target text; do printf 'make %-11s %s\n' "$$target" "$$text"; done

venv: $(VENV)/.installed ## create .venv with the pinned dependencies (requirements*.txt, constraints.txt)

# --no-compile: Python compiles a module the first time it is imported; compiling all of ansible's collections at
# install time took half of the install (25 of 54 s), for files the suite never imports.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt -c constraints.txt
	touch $@

# ansible-test needs the collection at .../ansible_collections/swp/aws: build that tree from the checkout.
collection: venv ## build the collection tree at .build/ansible_collections/swp/aws from the checkout
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
get-pip: ## give ansible-test its get-pip script (its download host may be out of reach)
	@if [ ! -f "$(GET_PIP_CACHE)" ]; then mkdir -p "$(dir $(GET_PIP_CACHE))" && cp scripts/get_pip_standin.py "$(GET_PIP_CACHE)"; fi

demo: collection ## set up .venv and run the external-ID rollout against the bundled simulator and moto
	$(SERVICES) -- $(MAKE) --no-print-directory demo-steps

# Runs inside `services.py`, which exports SWP_SIM_URL, SWP_SIM_BASE, CAM_SIM_URL and MOTO_URL.
DEMO_INVENTORY := $(BUILD)/demo-inventory.json
demo-steps: export SWP_API_URL = $(SWP_SIM_URL)
demo-steps: export SWP_API_KEY = sim-full-key
demo-steps: export VISION_ONE_API_URL = $(CAM_SIM_URL)
demo-steps: export VISION_ONE_API_KEY = cam-full-key
demo-steps: export ANSIBLE_CONFIG = $(CURDIR)/demo/ansible.cfg
# Each run keeps its own report (JSON, and JUnit XML beside it), so the three can be compared afterwards.
demo-steps: DEMO_REPORTS = $(foreach run,1-dry-run 2-apply 3-rerun,$(BUILD)/demo-report-$(run).json)
demo-steps: ## the demo's steps; run by `make demo` inside services.py, which starts the simulator and moto
	$(PY) tests/fleet.py --moto-url "$(MOTO_URL)" build --spec demo/fleet.json --sim-base "$(SWP_SIM_BASE)" --cam-base "$(CAM_SIM_URL)" --inventory-out $(DEMO_INVENTORY)
	ansible-playbook demo/extid.yml
	@echo; echo "=== 1/3 Dry run (--check --diff): every change shown, nothing written ==="
	DEMO_REPORT=$(word 1,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml --check --diff
	@echo; echo "=== 2/3 Apply ==="
	DEMO_REPORT=$(word 2,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml --diff
	@echo; echo "=== 3/3 Rerun: nothing left to change ==="
	DEMO_REPORT=$(word 3,$(DEMO_REPORTS)) ansible-playbook -i $(DEMO_INVENTORY) demo/rollout.yml
	@$(PY) -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit("rerun changed " + str(r["changed_hosts"]) if r["changed_hosts"] else 0)' $(word 3,$(DEMO_REPORTS))
	@echo; echo "=== Where each account stands: SWP connectors beside Vision One Cloud Accounts (read-only) ==="
	ansible-playbook swp.aws.account_standing -e account_standing_path=$(BUILD)/demo-account-standing.json \
	    -e account_standing_assume_role_name=OrganizationAccountAccessRole -e account_standing_aws_endpoint_url=$(MOTO_URL)
	@echo; echo "Demo done: the rerun changed nothing. Reports (JUnit XML beside each): $(DEMO_REPORTS); account standing: $(BUILD)/demo-account-standing.json"

# Each stage timed, so a slow one shows (`make units` and the others run one stage). The stages before integration
# (units) run first, alone; then integration runs beside the static stages (TEST_STATIC_STAGES, one after another),
# which use the CPU that integration's shards leave idle. The static stages build their own tree under
# TEST_STATIC_BUILD, so neither side touches the other's collection tree, and write their output to TEST_STATIC_LOG,
# printed when integration is done (at once when a static stage fails). A failed stage on either side fails
# `make test`; the other side runs to its end. The static side runs in its own process group, stopped on Ctrl-C.
TEST_STAGES := units integration sanity lint docs-lint ee
TEST_STATIC_STAGES := sanity lint docs-lint ee
TEST_STATIC_BUILD = $(BUILD)/static
TEST_STATIC_LOG = $(TEST_STATIC_BUILD)/test-static.log
test: ## the whole suite, each stage timed: units, then integration beside sanity, ansible-lint, docs-lint and ee
	@started=$$(date +%s); declare -A secs=(); static_pid=""; static_failed=""; int_rc=0; \
	trap 'if [ -n "$$static_pid" ]; then kill -TERM -- -$$static_pid 2>/dev/null || true; fi' EXIT; \
	for sig in INT TERM HUP; do trap "trap - $$sig; kill -$$sig $$$$" $$sig; done; \
	for stage in $(filter-out integration $(TEST_STATIC_STAGES),$(TEST_STAGES)); do \
	    t=$$(date +%s); \
	    $(MAKE) --no-print-directory $$stage || { echo "make test: stage $$stage failed"; exit 1; }; \
	    secs[$$stage]=$$(( $$(date +%s) - t )); \
	done; \
	static="$(filter $(TEST_STATIC_STAGES),$(TEST_STAGES))"; \
	if [ -n "$$static" ]; then \
	    mkdir -p $(TEST_STATIC_BUILD); rm -f $(TEST_STATIC_BUILD)/test-static.times; \
	    echo "make test: $$static run beside integration, in $(TEST_STATIC_BUILD); their output goes to $(TEST_STATIC_LOG)"; \
	    exec 3>&1; set -m; \
	    ( for stage in $$static; do \
	          t=$$(date +%s); rc=0; \
	          $(MAKE) --no-print-directory BUILD=$(TEST_STATIC_BUILD) $$stage || rc=$$?; \
	          echo "$$stage $$(( $$(date +%s) - t )) $$rc" >> $(TEST_STATIC_BUILD)/test-static.times; \
	          if [ $$rc -ne 0 ]; then \
	              echo "make test: stage $$stage failed"; \
	              { echo "===== make test: stage $$stage failed; the static stages' log, $(TEST_STATIC_LOG) ====="; \
	                cat $(TEST_STATIC_LOG); echo "===== end of $(TEST_STATIC_LOG) ====="; } >&3; \
	              exit 1; \
	          fi; \
	      done ) < /dev/null > $(TEST_STATIC_LOG) 2>&1 & static_pid=$$!; \
	    set +m; \
	fi; \
	if [ -n "$(filter integration,$(TEST_STAGES))" ]; then \
	    t=$$(date +%s); \
	    $(MAKE) --no-print-directory integration || int_rc=$$?; \
	    secs[integration]=$$(( $$(date +%s) - t )); \
	fi; \
	if [ -n "$$static_pid" ]; then \
	    static_rc=0; wait $$static_pid || static_rc=$$?; static_pid=""; \
	    while read -r stage s rc; do \
	        secs[$$stage]=$$s; [ "$$rc" = 0 ] || static_failed=$$stage; \
	    done < <(cat $(TEST_STATIC_BUILD)/test-static.times 2>/dev/null || true); \
	    if [ $$static_rc -eq 0 ]; then \
	        echo; echo "===== make test: the static stages ($$static), from $(TEST_STATIC_LOG) ====="; \
	        cat $(TEST_STATIC_LOG); echo "===== end of $(TEST_STATIC_LOG) ====="; \
	    elif [ -z "$$static_failed" ]; then \
	        static_failed="$$static (exit $$static_rc)"; cat $(TEST_STATIC_LOG); \
	    fi; \
	fi; \
	[ $$int_rc -eq 0 ] || echo "make test: stage integration failed"; \
	[ -z "$$static_failed" ] || echo "make test: stage $$static_failed failed (its output: $(TEST_STATIC_LOG))"; \
	[ $$int_rc -eq 0 ] && [ -z "$$static_failed" ] || exit 1; \
	times=""; for stage in $(TEST_STAGES); do times="$$times $$stage=$${secs[$$stage]-?}s"; done; \
	echo "make test: all checks passed; seconds per stage:$$times total=$$(( $$(date +%s) - started ))s"

# The unit tests wait on servers in threads (simulators, moto) more than they compute: with 4 workers on 2 cores the
# in-tree run took 41 s (1.2 cores busy), with 2 workers (ansible-test's default here) 70 s, with 8 42 s.
UNIT_WORKERS ?= 4
units: collection get-pip ## ansible-test units
	cd $(COLL) && $(ATEST) units $(ATEST_FLAGS) --num-workers $(UNIT_WORKERS) --requirements $(UNITS)

# The targets run once per simulator profile (tests/simulator/README.md): the spec's reading (documented) and the
# strictest one. Under strict, the module targets and the rollout: the others do not depend on the manager's reading.
# scripts/integration.py deals the (profile, target) runs to INTEGRATION_JOBS shards that run side by side, each
# with its own copy of the tree, simulator and moto, and prints the seconds of every target.
SIM_PROFILES ?= documented strict
STRICT_TARGETS ?= workload_extid workload_connector workload_connector_info workload_preflight extid_migration_rollout
INTEGRATION_JOBS ?= 2
integration: collection ## ansible-test integration under each simulator profile, in parallel shards (TARGETS=... for some)
	$(PY) scripts/integration.py --collection $(COLL) --jobs $(INTEGRATION_JOBS) --profiles "$(SIM_PROFILES)" \
	    --strict-targets "$(STRICT_TARGETS)" --targets "$(TARGETS)"

sanity: collection get-pip ## ansible-test sanity
	cd $(COLL) && $(ATEST) sanity $(ATEST_FLAGS) --requirements

lint: collection ## ansible-lint, production profile
	cd $(COLL) && ansible-lint --offline --profile production

# The docs site: antsibull-docs writes the rst and the Sphinx project, Sphinx builds the HTML, nitpicky and with
# warnings as errors. sphinx-init's conf.py would fetch intersphinx inventories from the internet: the build
# uses one local inventory instead, of the targets in other collections and the Ansible docs that the pages
# refer to and that exist in the installed collections (scripts/check_docs.py).
DOCS := $(BUILD)/docs
docs: collection ## the HTML docs of every module, filter, inventory plugin and role, in .build/docs/html
	rm -rf $(DOCS) && mkdir -p -m 700 $(DOCS)
	antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS) --index-rst-source docs/index.rst \
	    --project swp.aws --copyright "swp.aws contributors" --title "swp.aws" --extra-conf "html_title=swp.aws docs" \
	    swp.aws >/dev/null
	echo "intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '$(DOCS)/ansible_devel.inv')}" >> $(DOCS)/conf.py
	chmod og-w $(DOCS)/rst  # antsibull-docs writes only into a folder that no one else may write to
	antsibull-docs --config-file $(DOCS)/antsibull-docs.cfg collection --use-current --fail-on-error \
	    --dest-dir $(DOCS)/rst swp.aws >/dev/null
	$(PY) scripts/check_docs.py inventory $(DOCS)
	sphinx-build -b html -c $(DOCS) -n -W --keep-going -q -w $(DOCS)/sphinx-warnings.txt $(DOCS)/rst $(DOCS)/html
	@echo "docs: $(DOCS)/html/index.html"

docs-lint: docs ## antsibull-docs lint, changelog lint, a page for every plugin and role, a help line for every target
	@# rstcheck is skipped: Sphinx has just built the same rst with warnings as errors.
	@# The lint copies the collection and amazon.aws (whose doc fragments a module uses) with `git ls-files` when a
	@# folder is in a git work tree: the venv's collections are, in the checkout's, where git ignores them. The ceiling
	@# keeps git from looking above them, so they are copied whole.
	cd $(COLL) && GIT_CEILING_DIRECTORIES="$$(realpath $(SITE_COLLECTIONS))" \
	    antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent --skip-rstcheck .
	cd $(COLL) && antsibull-changelog lint
	$(PY) scripts/check_docs.py check $(DOCS)

# The execution environment: collection tarball, build context, and a check that ansible-builder
# finds the collection's Python dependencies (meta/execution-environment.yml). No image is built here.
EE := $(BUILD)/ee
ee: collection ## the execution-environment build context, and a check of its Python dependencies
	rm -rf $(EE) && mkdir -p $(EE)/collections
	cd $(COLL) && ansible-galaxy collection build --force --output-path $(EE) >/dev/null
	cp execution-environment/execution-environment.yml execution-environment/requirements.yml $(EE)/
	cd $(EE) && ansible-builder create -f execution-environment.yml --context context >/dev/null
	ansible-galaxy collection install --force --no-deps -p $(EE)/collections $(EE)/swp-aws-0.1.0.tar.gz >/dev/null
	ansible-builder introspect $(EE)/collections > $(EE)/introspect.txt
	grep -q 'requests' $(EE)/introspect.txt && grep -q 'boto3' $(EE)/introspect.txt && ! grep -qi 'moto' $(EE)/introspect.txt
	@echo "ee: build context in $(EE)/context; the collection's Python needs:"; grep -E "^- '" $(EE)/introspect.txt

simulator: venv ## run the SWP API simulator in the foreground
	$(PY) -m tests.simulator --host 127.0.0.1 --port 0

# The simulator and moto with a fleet, and a folder with ansible.cfg, an inventory and a playbook; until Ctrl-C.
SANDBOX_ARGS ?=
sandbox: collection ## simulator and moto with a small fleet, a ready inventory in .build/sandbox (SANDBOX_ARGS=...)
	$(PY) tests/sandbox.py --dir $(BUILD)/sandbox $(SANDBOX_ARGS)

# BENCH_ARGS picks figures and sizes, e.g. BENCH_ARGS="--only 8,9 --floor-accounts 50" (benchmarks/run.py --help).
BENCH_ARGS ?=
bench: collection ## benchmarks (call counts, timings, memory, the rollout against its floor; BENCH_ARGS=...)
	$(SERVICES) -- $(PY) benchmarks/run.py $(BENCH_ARGS)

# K rollouts (default 3) of 30 accounts with 10% faults on the SWP API and IAM/STS, storms, latency and
# kill -9 of ansible-playbook at four points of the apply; prints lockouts, duplicates, convergence, calls.
CHAOS_ARGS ?=
chaos: collection ## rollouts under faults on both APIs and kill -9, every account watched (CHAOS_ARGS=...)
	$(SERVICES) -- $(PY) tests/chaos.py --json-out $(BUILD)/chaos-summary.json $(CHAOS_ARGS)

clean: ## remove .build and tests/output
	rm -rf $(BUILD) tests/output
