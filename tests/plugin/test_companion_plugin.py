"""plugin/kiosk-pos-companion: valid PHP, a WordPress.org readme, the simulator in step."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.sim.woocommerce import plugin_routes

PLUGIN = Path(__file__).resolve().parents[2] / "plugin" / "kiosk-pos-companion"
MAIN = PLUGIN / "kiosk-pos-companion.php"
CONTROLLER = PLUGIN / "includes" / "class-kiosk-pos-rest-controller.php"
PHP_FILES = sorted(PLUGIN.rglob("*.php"))


def header(text: str, name: str) -> str:
    """A `Name: value` header line of a plugin file or readme.txt."""
    found = re.search(rf"^[ \t*]*{re.escape(name)}:[ \t]*(.+?)[ \t]*$", text, re.MULTILINE)
    assert found, f"no {name!r} header"
    return found.group(1)


def php_constant(name: str) -> str:
    found = re.search(rf"const {name}\s*=\s*(\d+);", CONTROLLER.read_text(encoding="utf-8"))
    assert found, f"no const {name} in {CONTROLLER.name}"
    return found.group(1)


def test_the_plugin_has_its_php_files() -> None:
    assert MAIN in PHP_FILES
    assert CONTROLLER in PHP_FILES


@pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed (make test adds it)")
@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.name)
def test_php_lint(path: Path) -> None:
    done = subprocess.run(
        ["php", "-l", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax errors" in done.stdout


def test_headers_license_and_versions_agree() -> None:
    main = MAIN.read_text(encoding="utf-8")
    readme = (PLUGIN / "readme.txt").read_text(encoding="utf-8")
    assert readme.startswith("=== Kiosk POS Companion ===\n")
    assert header(main, "Plugin Name") == "Kiosk POS Companion"
    assert header(main, "License") == "GPL-2.0-or-later"
    assert header(readme, "License") == "GPLv2 or later"
    assert header(main, "Requires Plugins") == "woocommerce"
    version = header(main, "Version")
    assert header(readme, "Stable tag") == version
    assert f"define( 'KIOSK_POS_COMPANION_VERSION', '{version}' );" in main
    assert f"= {version} =" in readme  # a changelog entry for it
    assert version == plugin_routes.PLUGIN_VERSION
    for section in ("Description", "Installation", "Frequently Asked Questions", "Changelog"):
        assert f"== {section} ==" in readme
    # WordPress.org cuts the short description at 150 characters.
    short = readme.split("\n\n")[1].strip()
    assert 0 < len(short) <= 150


def test_the_simulator_serves_what_the_plugin_registers() -> None:
    main = MAIN.read_text(encoding="utf-8")
    controller = CONTROLLER.read_text(encoding="utf-8")
    assert f"'KIOSK_POS_COMPANION_NAMESPACE', '{plugin_routes.NAMESPACE}'" in main
    routes = re.findall(r"'/([a-z-]+)'\s*=>\s*array\( 'get_", controller)
    assert sorted(routes) == sorted(plugin_routes.ENDPOINTS)
    assert php_constant("DEFAULT_PER_PAGE") == str(plugin_routes.DEFAULT_PER_PAGE)
    assert php_constant("MAX_PER_PAGE") == str(plugin_routes.MAX_PER_PAGE)
    assert php_constant("MAX_PARENTS") == str(plugin_routes.MAX_PARENTS)
    # Every SQL value goes through $wpdb->prepare(); no request value is put in a query string.
    assert controller.count("$wpdb->prepare(") == 3
    assert "$request[" not in "".join(re.findall(r'"SELECT[^"]*"', controller))
