"""plugin/kiosk-pos-companion: valid PHP, its PHPUnit suite, a WordPress.org readme, the zip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kiosk.sim.woocommerce import plugin_routes

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin" / "kiosk-pos-companion"
MAIN = PLUGIN / "kiosk-pos-companion.php"
CONTROLLER = PLUGIN / "includes" / "class-kiosk-pos-rest-controller.php"
PHP_FILES = sorted(PLUGIN.rglob("*.php"))
DEBIAN = ("php-cli", "phpunit")


def _install_php() -> None:
    """As `make test` does: install php-cli and phpunit from Debian when we are root."""
    if shutil.which("php") and shutil.which("phpunit"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=300)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *DEBIAN], check=False, env=env, timeout=600
        )


@pytest.fixture(scope="module")
def php() -> str:
    _install_php()
    found = shutil.which("php")
    if found is None:
        pytest.skip("php is not installed and cannot be (not root, or no apt-get)")
    return found


@pytest.fixture(scope="module")
def phpunit(php: str) -> str:
    found = shutil.which("phpunit")
    if found is None:
        pytest.skip("phpunit is not installed and cannot be (not root, or no apt-get)")
    return found


def header(text: str, name: str) -> str:
    """A `Name: value` header line of a plugin file or readme.txt."""
    found = re.search(rf"^[ \t*]*{re.escape(name)}:[ \t]*(.+?)[ \t]*$", text, re.MULTILINE)
    assert found, f"no {name!r} header"
    return found.group(1)


def php_constant(name: str) -> str:
    found = re.search(rf"const {name}\s*=\s*(\d+);", CONTROLLER.read_text(encoding="utf-8"))
    assert found, f"no const {name} in {CONTROLLER.name}"
    return found.group(1)


def test_the_plugin_has_its_files() -> None:
    names = {p.relative_to(PLUGIN).as_posix() for p in PHP_FILES}
    for required in (
        "kiosk-pos-companion.php",
        "uninstall.php",
        "includes/interface-kiosk-pos-platform.php",
        "includes/class-kiosk-pos-wp-platform.php",
        "includes/class-kiosk-pos-change-feed.php",
        "includes/class-kiosk-pos-order-intake.php",
        "includes/class-kiosk-pos-rest-controller.php",
        "includes/class-kiosk-pos-admin-page.php",
        "tests/bootstrap.php",
    ):
        assert required in names
    assert (PLUGIN / "contract.json").is_file()


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.relative_to(PLUGIN).as_posix())
def test_php_lint(php: str, path: Path) -> None:
    done = subprocess.run(
        [php, "-l", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax errors" in done.stdout


def test_phpunit_suite_passes(phpunit: str) -> None:
    done = subprocess.run(
        [phpunit, "--do-not-cache-result", "--configuration", str(PLUGIN / "phpunit.xml.dist")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PLUGIN,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ran = re.search(r"^OK \((\d+) tests?, (\d+) assertions?\)", done.stdout, re.MULTILINE)
    assert ran, done.stdout
    assert int(ran.group(1)) >= 47


def test_every_wordpress_file_refuses_direct_access() -> None:
    for path in PHP_FILES:
        if path.parent.name == "tests":
            continue
        text = path.read_text(encoding="utf-8")
        guard = "WP_UNINSTALL_PLUGIN" if path.name == "uninstall.php" else "ABSPATH"
        assert f"defined( '{guard}' ) || exit;" in text, path.name


def test_every_translated_string_uses_the_text_domain() -> None:
    calls = 0
    for path in PHP_FILES:
        if path.parent.name == "tests":
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.findall(r"\b(?:__|esc_html__)\( '(?:[^'\\]|\\.)*', '([^']*)' \)", text):
            calls += 1
            assert call == "kiosk-pos-companion", path.name
    assert calls >= 20


def test_headers_license_and_versions_agree() -> None:
    main = MAIN.read_text(encoding="utf-8")
    readme = (PLUGIN / "readme.txt").read_text(encoding="utf-8")
    assert readme.startswith("=== Kiosk POS Companion ===\n")
    assert header(main, "Plugin Name") == "Kiosk POS Companion"
    assert header(main, "License") == "GPL-2.0-or-later"
    assert header(readme, "License") == "GPLv2 or later"
    assert header(main, "Requires Plugins") == "woocommerce"
    assert header(main, "Text Domain") == "kiosk-pos-companion"
    assert header(main, "Requires at least") == header(readme, "Requires at least") == "6.4"
    assert header(main, "Requires PHP") == header(readme, "Requires PHP") == "7.4"
    assert header(main, "WC requires at least") == "8.0"
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


def test_variation_limits_agree_with_the_simulator() -> None:
    main = MAIN.read_text(encoding="utf-8")
    assert f"'KIOSK_POS_COMPANION_NAMESPACE', '{plugin_routes.NAMESPACE}'" in main
    assert php_constant("DEFAULT_PER_PAGE") == str(plugin_routes.DEFAULT_PER_PAGE)
    assert php_constant("MAX_PER_PAGE") == str(plugin_routes.MAX_PER_PAGE)
    assert php_constant("MAX_PARENTS") == str(plugin_routes.MAX_PARENTS)


def test_make_plugin_builds_an_installable_zip(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "plugin" / "build_zip.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    target = Path(done.stdout.strip())
    assert target.name == f"kiosk-pos-companion-{plugin_routes.PLUGIN_VERSION}.zip"
    names = zipfile.ZipFile(target).namelist()
    assert all(n.startswith("kiosk-pos-companion/") for n in names)
    assert "kiosk-pos-companion/kiosk-pos-companion.php" in names
    assert "kiosk-pos-companion/uninstall.php" in names
    assert "kiosk-pos-companion/readme.txt" in names
    assert not [n for n in names if "/tests/" in n or n.endswith("phpunit.xml.dist")]
    assert "plugin:" in (ROOT / "Makefile").read_text(encoding="utf-8")
