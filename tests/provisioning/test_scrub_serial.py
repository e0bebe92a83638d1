"""Scrubbing secrets out of a file, and reading the Pi's serial number."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk.cli import main
from kiosk.provisioning.scrub import dump, scrub_file
from kiosk.provisioning.serials import read_serial

PATHS = [("woocommerce", "consumer_secret"), ("staff", "1", "pin"), ("wifi", "password")]


def test_awkward_layouts_fall_back_to_a_fresh_file(tmp_path: Path) -> None:
    # A dotted key and a multi-line string: the line edit cannot do these, the rewrite can.
    text = (
        'woocommerce.consumer_secret = """cs_\nsecret"""\n'
        '[[staff]]\nname = "A"\npin = "1111"\n[[staff]]\nname = "B"\npin = "2222"\n'
        "[wifi]\nssid = 'Net'\n  'password' = 'pw-12345678' # inline comment\n"
    )
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    raw = tomllib.loads(text)
    assert scrub_file(path, raw, PATHS)
    after = path.read_text()
    assert "secret" not in after
    assert "2222" not in after
    assert "pw-12345678" not in after
    assert tomllib.loads(after) == {
        "woocommerce": {},
        "staff": [{"name": "A", "pin": "1111"}, {"name": "B"}],
        "wifi": {"ssid": "Net"},
    }
    assert not scrub_file(path, tomllib.loads(after), PATHS)  # nothing left to remove
    assert not list(tmp_path.glob(".*tmp"))


def test_dump_round_trips() -> None:
    data = {"a": {"b": 'quo"te\n', "n": 3, "t": True, "l": [1, 2]}, "d": {"x y": {"k": "é"}}}
    assert tomllib.loads(dump(data)) == data


def test_serial_from_device_tree_then_cpuinfo(tmp_path: Path) -> None:
    tree, cpuinfo = tmp_path / "serial-number", tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 10000000ABCDEF01\n")
    assert read_serial(tree, cpuinfo) == "10000000abcdef01"
    tree.write_bytes(b"c0ffee0123456789\x00")
    assert read_serial(tree, cpuinfo) == "c0ffee0123456789"
    assert read_serial(tmp_path / "none", tmp_path / "none") is None


def test_cli_provision_file(tmp_path: Path, capsys: object) -> None:
    source = tmp_path / "kiosk.toml"
    source.write_text('[device]\nname = "Till 9"\n[receipt]\nfooter = "Thanks"\n')
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "provision", "--file", str(source)]) == 0
    assert 'name = "Till 9"' in (data / "kiosk.toml").read_text()
    assert "DONE" in (tmp_path / "kiosk-provisioned.txt").read_text()
    source.write_text("[device]\nname = 5\n")
    assert main(["--data-dir", str(data), "provision", "--file", str(source)]) == 2
    assert "device.name: must be text" in (tmp_path / "kiosk-provisioned.txt").read_text()
    assert main(["--data-dir", str(data), "provision"]) == 2  # neither a file nor a platform
