"""image/ and system/'s scripts: shellcheck finds nothing, and the pieces that run without pi-gen
(the stage's boot step, system/install.sh, the partition layout, `make image`'s checks) do
what the image relies on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "image"
SYSTEM = REPO / "system"
SCRIPTS = sorted(
    [
        *IMAGE.glob("*.sh"),
        IMAGE / "config",
        *IMAGE.glob("rauc/*.sh"),
        *IMAGE.glob("stage-kiosk/**/*.sh"),
        SYSTEM / "install.sh",
        SYSTEM / "rauc" / "kiosk-tryboot",
        SYSTEM / "kiosk" / "grow-data",
    ]
)

needs = {
    tool: pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")
    for tool in ("shellcheck", "sfdisk")
}


def test_every_script_is_found() -> None:
    names = {p.relative_to(REPO).as_posix() for p in SCRIPTS}
    assert {
        "image/build.sh",
        "image/image-test.sh",
        "image/ab-layout.sh",
        "image/config",
        "image/rauc/bundle.sh",
        "image/stage-kiosk/prerun.sh",
        "image/stage-kiosk/00-kiosk/01-run.sh",
        "image/stage-kiosk/01-boot/00-run.sh",
        "system/install.sh",
        "system/rauc/kiosk-tryboot",
        "system/kiosk/grow-data",
    } <= names


@needs["shellcheck"]
@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shellcheck_finds_nothing(path: Path) -> None:
    done = subprocess.run(
        ["shellcheck", "-x", "-s", "bash", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert os.access(path, os.X_OK) or path.name == "config"


def test_install_puts_every_file_of_system_somewhere(tmp_path: Path) -> None:
    subprocess.run([str(SYSTEM / "install.sh"), str(tmp_path)], check=True)
    installed = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    sources = {p.name for p in SYSTEM.rglob("*") if p.is_file() and p.name != "install.sh"}
    assert sources - installed == set()
    keyfile = tmp_path / "etc/NetworkManager/system-connections/kiosk-wifi.nmconnection"
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
    assert os.access(tmp_path / "usr/lib/rauc/kiosk-tryboot", os.X_OK)
    assert (tmp_path / "usr/lib/systemd/system/kiosk-agent.service").is_file()
    assert (tmp_path / "etc/polkit-1/rules.d/50-kiosk-network.rules").is_file()


def fake_pi_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    boot = root / "boot/firmware"
    boot.mkdir(parents=True)
    (boot / "cmdline.txt").write_text(
        "console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootfstype=ext4 rootwait\n"
    )
    (boot / "config.txt").write_text("[all]\narm_64bit=1\n")
    return root


def test_the_boot_step_hides_the_console_and_names_the_slot(tmp_path: Path) -> None:
    root = fake_pi_root(tmp_path)
    env = {**os.environ, "ROOTFS_DIR": str(root), "KIOSK_WIFI_COUNTRY": "DE"}
    subprocess.run(["./00-run.sh"], cwd=IMAGE / "stage-kiosk/01-boot", env=env, check=True)
    words = (root / "boot/firmware/cmdline.txt").read_text().split()
    assert "console=tty1" not in words
    assert "console=serial0,115200" in words  # a technician's serial console stays
    for word in ("quiet", "vt.global_cursor_default=0", "rauc.slot=A", "logo.nologo"):
        assert word in words
    assert "cfg80211.ieee80211_regdom=DE" in words
    assert len((root / "boot/firmware/cmdline.txt").read_text().splitlines()) == 1
    config = (root / "boot/firmware/config.txt").read_text()
    assert config.startswith("[all]\narm_64bit=1\n")
    assert "dtparam=watchdog=on" in config
    assert "disable_splash=1" in config


def test_the_install_step_says_what_is_missing_without_build_sh(tmp_path: Path) -> None:
    stage = tmp_path / "00-kiosk"
    shutil.copytree(IMAGE / "stage-kiosk/00-kiosk", stage)
    env = {**os.environ, "ROOTFS_DIR": str(tmp_path / "root")}
    done = subprocess.run(["./01-run.sh"], cwd=stage, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "files/system is missing (run image/build.sh)" in done.stderr


def test_make_image_says_what_it_needs_and_stops(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "PIGEN"))}
    done = subprocess.run(
        ["bash", str(IMAGE / "build.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "make image cannot run here; it needs:" in done.stderr
    assert "PIGEN_DIR: a pi-gen checkout" in done.stderr
    assert "KIOSK_TECHNICIAN_PASSWORD" in done.stderr


def config_value(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'. ./config && echo "${name}"'],
        cwd=IMAGE,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_pi_gen_config_builds_the_kiosk_stage_without_ssh() -> None:
    ok = {"KIOSK_TECHNICIAN_PASSWORD": "s3cret"}
    assert config_value("STAGE_LIST", **ok).stdout.strip() == "stage0 stage1 stage2 stage-kiosk"
    assert config_value("RELEASE", **ok).stdout.strip() == "bookworm"
    assert config_value("ENABLE_SSH", **ok).stdout.strip() == "0"
    assert config_value("WPA_COUNTRY", **ok, KIOSK_WIFI_COUNTRY="FR").stdout.strip() == "FR"
    missing = config_value("FIRST_USER_PASS")
    assert missing.returncode != 0
    assert "set KIOSK_TECHNICIAN_PASSWORD" in missing.stderr


@needs["sfdisk"]
def test_the_card_layout_has_the_named_partitions_rauc_and_fstab_use(tmp_path: Path) -> None:
    card = tmp_path / "card.img"
    with open(card, "wb") as f:
        f.truncate(10 * 2**30)  # sparse
    layout = (IMAGE / "rauc/layout.sfdisk").read_text()
    subprocess.run(["sfdisk", "-q", str(card)], input=layout, text=True, check=True)
    table = json.loads(subprocess.run(["sfdisk", "--json", str(card)], capture_output=True,
                                      text=True, check=True).stdout)["partitiontable"]  # fmt: skip
    assert table["label"] == "gpt"
    parts = [(p["name"], p["size"] * 512 // 2**20) for p in table["partitions"]]
    assert parts == [
        ("bootsel", 64), ("boot-a", 512), ("boot-b", 512),
        ("rootfs-a", 4096), ("rootfs-b", 4096), ("data", 512),
    ]  # fmt: skip
    # The names system.conf and the stage's fstab find them by.
    conf = (SYSTEM / "rauc/system.conf").read_text()
    for name in ("rootfs-a", "rootfs-b", "boot-a", "boot-b"):
        assert f"device=/dev/disk/by-partlabel/{name}\n" in conf
    fstab = (IMAGE / "stage-kiosk/00-kiosk/01-run.sh").read_text()
    assert "PARTLABEL=bootsel         /boot/firmware" in fstab
    assert "PARTLABEL=data            /var/lib/kiosk" in fstab


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("growpart", "sfdisk", "mkfs.ext4", "resize2fs", "dumpe2fs")),
    reason="needs growpart (cloud-guest-utils), sfdisk, e2fsprogs",
)
def test_grow_data_gives_the_data_partition_the_rest_of_the_card(tmp_path: Path) -> None:
    # The card as flashed (the image's size), on a bigger card.
    card = tmp_path / "card.img"
    with open(card, "wb") as f:
        f.truncate(9600 * 2**20)
    layout = (IMAGE / "rauc/layout.sfdisk").read_text()
    subprocess.run(["sfdisk", "-q", str(card)], input=layout, text=True, check=True)
    with open(card, "r+b") as f:
        f.truncate(12 * 2**30)
    # The data file system as flashed, where the real one would be its partition.
    data = tmp_path / "data.ext4"
    subprocess.run(["mkfs.ext4", "-q", "-L", "data", str(data), "64M"], check=True)
    with open(data, "r+b") as f:
        f.truncate(256 * 2**20)
    env = {
        **os.environ,
        "KIOSK_DATA_DISK": str(card),
        "KIOSK_DATA_PARTITION": "6",
        "KIOSK_DATA_DEVICE": str(data),
    }
    grow = SYSTEM / "kiosk/grow-data"
    subprocess.run([str(grow)], env=env, check=True, capture_output=True)

    def table() -> list[dict[str, object]]:
        out = subprocess.run(["sfdisk", "--json", str(card)], capture_output=True, text=True)
        parts: list[dict[str, object]] = json.loads(out.stdout)["partitiontable"]["partitions"]
        return parts

    parts = table()
    last_end = int(str(parts[5]["start"])) + int(str(parts[5]["size"]))
    assert last_end * 512 > 12 * 2**30 - 2**20  # to the card's end, less GPT's backup
    assert [p["name"] for p in parts][:5] == ["bootsel", "boot-a", "boot-b", "rootfs-a", "rootfs-b"]
    info = subprocess.run(["dumpe2fs", "-h", str(data)], capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    count, size = int(fields["Block count"]), int(fields["Block size"])
    assert count * size == 256 * 2**20  # the file system filled what it was given
    # A second run has nothing to grow, and says nothing is wrong.
    subprocess.run([str(grow)], env=env, check=True, capture_output=True)
    assert table() == parts
