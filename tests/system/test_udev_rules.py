"""system/udev: the rules parse as udev reads them, and give what the code looks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "system" / "udev" / "rules.d"
ITEM = re.compile(
    r'^(?P<key>[A-Z_]+)(\{(?P<attr>[^}]+)\})?(?P<op>==|!=|\+=|-=|:=|=)"(?P<value>[^"]*)"$'
)
MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ENV", "ATTR", "ATTRS", "DRIVERS", "ACTION"}
ASSIGN_KEYS = {"GROUP", "MODE", "SYMLINK", "TAG", "OWNER"}


def parse(path: Path) -> list[dict[str, tuple[str, str]]]:
    """Each rule as {key or key{attr}: (operator, value)}; fails on what udev would not take."""
    rules = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rule: dict[str, tuple[str, str]] = {}
        for item in (i.strip() for i in line.split('", ')):
            item = item if item.endswith('"') else item + '"'
            m = ITEM.match(item)
            assert m, f"{path.name}:{n}: cannot read {item!r}"
            key, op = m["key"], m["op"]
            if key in MATCH_KEYS:
                assert op in ("==", "!="), f"{path.name}:{n}: {key} must be matched with =="
            else:
                assert key in ASSIGN_KEYS, f"{path.name}:{n}: unknown key {key}"
                assert op in ("=", "+=", ":="), f"{path.name}:{n}: {key} must be assigned"
            name = f"{key}{{{m['attr']}}}" if m["attr"] else key
            rule[name] = (op, m["value"])
        rules.append(rule)
    return rules


@pytest.mark.parametrize("name", ["70-kiosk-printer.rules", "71-kiosk-scanners.rules"])
def test_rules_parse_and_open_devices_to_the_kiosk_group_only(name: str) -> None:
    rules = parse(RULES / name)
    assert rules
    for rule in rules:
        assert rule["GROUP"] == ("=", "kiosk")
        assert rule["MODE"] == (
            "=",
            "0660",
        )  # never world-readable: a scanner reads card numbers too
        assert "SUBSYSTEM" in rule


def test_the_printer_gets_its_stable_name() -> None:
    symlinks = [r["SYMLINK"] for r in parse(RULES / "70-kiosk-printer.rules") if "SYMLINK" in r]
    assert ("+=", "kiosk-printer") in symlinks


def test_scanners_get_names_the_scanner_finder_looks_for() -> None:
    rules = parse(RULES / "71-kiosk-scanners.rules")
    named = [r["SYMLINK"][1] for r in rules if "SYMLINK" in r]
    assert named
    assert all(n.startswith("kiosk-scanner-") for n in named)
    # Each named one is tied to a port, so the name survives a replug into the same port.
    assert all("$env{ID_PATH_TAG}" in n for n in named)
    hid = [r for r in rules if r.get("SUBSYSTEM") == ("==", "input") and "SYMLINK" in r]
    assert all(r["KERNEL"] == ("==", "event[0-9]*") for r in hid)
