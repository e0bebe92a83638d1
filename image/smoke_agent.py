"""Start kiosk-agent in a root as its unit says, without systemd: `python3 smoke_agent.py ROOT`.

systemd-nspawn cannot boot here (no systemd as PID 1 on this machine), so this plays systemd's
part for one unit: it reads kiosk-agent.service (ExecStart, Environment, User, WatchdogSec),
binds the notify socket ($NOTIFY_SOCKET, a datagram socket) and runs ExecStart chrooted as the
unit's user. It checks that the agent says READY=1 and pings WATCHDOG=1, that `kiosk status
--json` answers from the same root as the same user, that the agent's first sync fills the
catalog from a simulated store, and that SIGTERM stops it cleanly. Figures go to stdout as one
JSON line; what happens, to stderr.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

UNIT = "usr/lib/systemd/system/kiosk-agent.service"


def say(text: str) -> None:
    print(f"image-test: {text}", file=sys.stderr, flush=True)


def unit(root: Path) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (root / UNIT).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def seconds(value: str) -> float:
    units = {"ms": 0.001, "s": 1.0, "min": 60.0}
    for suffix, factor in units.items():
        if value.endswith(suffix) and value[: -len(suffix)].isdigit():
            return int(value[: -len(suffix)]) * factor
    return float(value)


def in_root(root: Path, user: str, env: dict[str, str], argv: list[str]) -> list[str]:
    """argv run chrooted into root as user, with exactly env (systemd gives a clean one)."""
    pairs = [f"{k}={v}" for k, v in env.items()]
    return ["chroot", f"--userspec={user}:{user}", str(root), "/usr/bin/env", "-i", *pairs, *argv]


def timed(argv: list[str]) -> float:
    t = time.monotonic()
    subprocess.run(argv, capture_output=True, check=True)
    return time.monotonic() - t


def main() -> int:
    root = Path(sys.argv[1])
    u = unit(root)
    user = u["User"][0]
    watchdog_s = seconds(u["WatchdogSec"][0])
    start_timeout = seconds(u["TimeoutStartSec"][0])
    stop_timeout = seconds(u["TimeoutStopSec"][0])
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/var/lib/kiosk", "LANG": "C.UTF-8"}
    for assignment in u.get("Environment", []):
        key, _, value = assignment.partition("=")
        env[key] = value
    data_dir = Path(env["KIOSK_DATA_DIR"])
    figures: dict[str, object] = {}

    # The store: the simulated WooCommerce, run from the root's own installation.
    sim = subprocess.Popen(
        in_root(root, user, env, ["/opt/kiosk/bin/kiosk", "sim", "woocommerce", "--demo"]),
        stdout=subprocess.PIPE,
        text=True,
    )
    notify_dir = root / "run/kiosk-test"
    notify_dir.mkdir(parents=True, exist_ok=True)
    sock_path = notify_dir / "notify"
    sock_path.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    os.chmod(sock_path, 0o777)  # the agent runs as the unit's user, as under systemd
    agent: subprocess.Popen[str] | None = None
    try:
        assert sim.stdout is not None
        store = json.loads(sim.stdout.readline())
        say(f"store: simulated WooCommerce at {store['url']}")
        provision = [
            "/opt/kiosk/bin/kiosk", "provision", "woocommerce", "--url", store["url"],
            "--key", store["consumer_key"], "--secret", store["consumer_secret"],
        ]  # fmt: skip
        done = subprocess.run(in_root(root, user, env, provision), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"provision failed: {done.stderr.strip()}")
        exec_start = shlex.split(u["ExecStart"][0])
        agent_env = {
            **env,
            "NOTIFY_SOCKET": "/run/kiosk-test/notify",
            "WATCHDOG_USEC": str(int(watchdog_s * 1_000_000)),
        }
        say(f"starting {u['ExecStart'][0]} as {user}, WatchdogSec={u['WatchdogSec'][0]}")
        started = time.monotonic()
        agent = subprocess.Popen(
            in_root(root, user, agent_env, exec_start),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready_at = watchdog_at = None
        sock.settimeout(1.0)
        while watchdog_at is None:
            if time.monotonic() - started > start_timeout + watchdog_s:
                raise SystemExit("the agent never said READY=1 and WATCHDOG=1")
            if agent.poll() is not None:
                why = agent.stderr.read() if agent.stderr else ""
                raise SystemExit(f"the agent exited {agent.returncode}: {why}")
            try:
                message = sock.recv(4096).decode().split("\n")
            except TimeoutError:
                continue
            if "READY=1" in message and ready_at is None:
                ready_at = time.monotonic() - started
                say(f"READY=1 after {ready_at:.2f} s ({message})")
            if "WATCHDOG=1" in message and ready_at is not None:
                watchdog_at = time.monotonic() - started
                say(f"WATCHDOG=1 after {watchdog_at:.2f} s")
        figures["agent_ready_s"] = round(ready_at or 0, 2)
        figures["agent_first_watchdog_s"] = round(watchdog_at, 2)

        # `kiosk status` as the operator would, while the agent runs; until the first sync has
        # brought the catalog.
        products = 0
        status_s = 0.0
        while time.monotonic() - started < 120:
            t = time.monotonic()
            status = subprocess.run(
                in_root(root, user, env, ["/opt/kiosk/bin/kiosk", "status", "--json"]),
                capture_output=True,
                text=True,
            )
            status_s = time.monotonic() - t
            if status.returncode != 0:
                raise SystemExit(f"kiosk status failed: {status.stderr.strip()}")
            data = json.loads(status.stdout)
            products = data["catalog"]["products"]
            if products and data["sync"]["initial_sync"]["complete"]:
                break
            time.sleep(0.5)
        if not products:
            raise SystemExit("kiosk status shows no catalog after two minutes")
        figures["catalog_synced_s"] = round(time.monotonic() - started, 2)
        figures["kiosk_status_s"] = round(status_s, 2)
        figures["products"] = products
        say(f"kiosk status: {products} products, first sync complete, answered in {status_s:.2f} s")
        db = root / str(data_dir).lstrip("/") / "kiosk.db"
        owner = db.stat().st_uid
        figures["db_owned_by_kiosk"] = owner == int(
            next(line for line in (root / "etc/passwd").read_text().splitlines()
                 if line.startswith(f"{user}:")).split(":")[2]
        )  # fmt: skip

        t = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        code = agent.wait(timeout=stop_timeout)
        figures["agent_stop_s"] = round(time.monotonic() - t, 2)
        figures["agent_exit"] = code
        if code != 0:
            raise SystemExit(f"the agent exited {code} on SIGTERM")
        out = agent.stdout.read() if agent.stdout else ""
        if "kiosk agent: ready" not in out:
            raise SystemExit(f"the agent did not print its ready line: {out!r}")
        say(f"SIGTERM: stopped in {figures['agent_stop_s']} s, exit 0")
        # `kiosk status` again with nothing else running: its own cost, the best of three.
        best = min(
            timed(in_root(root, user, env, ["/opt/kiosk/bin/kiosk", "status", "--json"]))
            for _ in range(3)
        )
        figures["kiosk_status_idle_s"] = round(best, 2)
        say(f"kiosk status alone: {best:.2f} s")
        # kiosk-health's look, as root (as its unit runs it): the database is opened by a
        # `kiosk status` run as the kiosk user, so nothing in the data folder becomes root's.
        health = subprocess.run(
            in_root(root, "root", env, ["/opt/kiosk/bin/kiosk", "update", "check", "--json"]),
            capture_output=True,
            text=True,
        )
        seen = json.loads(health.stdout)["seen"]
        if not seen["db_opened"]:
            raise SystemExit(f"kiosk update check: the database did not open: {health.stderr}")
        root_owned = [p.name for p in db.parent.iterdir() if p.stat().st_uid == 0]
        if root_owned:
            raise SystemExit(f"kiosk update check left files owned by root: {root_owned}")
        figures["health_check_db_opened"] = True
        reason = json.loads(health.stdout)["reason"]
        say(f"kiosk update check (as root): database opened as {user}; {reason}")
    finally:
        for proc in (agent, sim):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        sock.close()
        sock_path.unlink(missing_ok=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
