"""The initial-sync figures: the device's real `kiosk sync --once` against a naive REST client.

Both talk to the same simulated store, run as its own process (`kiosk sim woocommerce`) so the
store's CPU does not share an event loop with the client being timed. The device runs as a child
process too, reaped with wait4 so its peak RSS is its own. Requests are counted from the store's
request log (`GET /__sim/requests`), REST paths only.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import Config, SyncConfig
from kiosk.sim.device import provision_device
from kiosk.sim.woocommerce.auth import sign_oauth

PER_PAGE = 100  # the most the REST API gives per page, what a naive client would ask for
REST_PREFIX = "/wp-json/"
SIM_START_S = 120.0  # generating and loading the catalog
SYNC_TIMEOUT_S = 600.0  # either client, whole run: a hung run fails instead of hanging
REQUEST_TIMEOUT_S = 30.0
SPEEDUP_TARGET = 5.0
FLOOR_TARGET = 1.5
DEVICE_RUNS = 3  # timed runs of the device's sync; the median is the figure


class BenchError(RuntimeError):
    """A run did not complete as it must for its figures to mean anything."""


@dataclass(frozen=True, slots=True)
class Store:
    url: str
    key: str
    secret: str
    pid: int


@dataclass(frozen=True, slots=True)
class DeviceRun:
    wall_s: float
    cpu_s: float  # user + system time of the sync process
    peak_rss_kib: int
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NaiveRun:
    wall_s: float
    pages: int
    variable_products: int
    products: int
    variations: int


def _clean_env() -> dict[str, str]:
    """The environment without KIOSK_* overrides, so the saved config is the one that applies."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the sim then cleans up after itself), SIGKILL if it does not go."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


@contextlib.contextmanager
def simulator(
    work: Path,
    *,
    products: int,
    variable_share: float,
    variations_per: int,
    latency_ms: float,
    seed: int,
) -> Iterator[Store]:
    """`kiosk sim woocommerce` as a child process on 127.0.0.1, stopped on exit."""
    log = work / "sim.stderr"
    argv = [
        sys.executable, "-m", "kiosk", "sim", "woocommerce",
        "--products", str(products),
        "--variable-share", str(variable_share),
        "--variations-per", str(variations_per),
        "--latency-ms", str(latency_ms),
        "--seed", str(seed),
    ]  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=_clean_env()
        )
    try:
        assert proc.stdout is not None
        # The first stdout line says where the store is; wait for it, bounded.
        ready, _, _ = select.select([proc.stdout], [], [], SIM_START_S)
        line = proc.stdout.readline() if ready else b""
        if not line:
            raise BenchError(f"the simulator did not start: {_tail(log)}")
        info = json.loads(line)
        yield Store(info["url"], info["consumer_key"], info["consumer_secret"], proc.pid)
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a running process has used so far (Linux /proc), None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name, which may itself hold spaces.
    rest = stat.rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def startup_seconds() -> float:
    """Interpreter start and the CLI's imports alone: `python -m kiosk --version`."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kiosk", "--version"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=60,
        env=_clean_env(),
    )
    return time.perf_counter() - t0


def request_log(store: Store) -> list[dict[str, Any]]:
    """Every request the store saw so far, REST API ones only (not the sim's own /__sim/)."""
    with urllib.request.urlopen(f"{store.url}/__sim/requests", timeout=REQUEST_TIMEOUT_S) as r:
        records: list[dict[str, Any]] = json.load(r)
    return [r for r in records if str(r["path"]).startswith(REST_PREFIX)]


def provision(data_dir: Path, store: Store, *, concurrency: int) -> Config:
    """A fresh device data dir connected to `store`, as `kiosk provision` would leave it."""
    return provision_device(
        data_dir,
        url=store.url,
        key=store.key,
        secret=store.secret,
        webhook_secret="bench-webhook-secret",
        sync=SyncConfig(concurrency=concurrency),
    )


def run_device_sync(data_dir: Path, work: Path, *, timeout_s: float = SYNC_TIMEOUT_S) -> DeviceRun:
    """`python -m kiosk sync --once --json` from cold; wall time and the child's own peak RSS."""
    out, err, peak = work / "sync.stdout", work / "sync.stderr", work / "sync.peak"
    argv = [sys.executable, "-m", "tests.bench.peak_child", "--data-dir", str(data_dir)]
    argv += ["sync", "--once", "--json"]
    env = {**_clean_env(), "BENCH_PEAK_FILE": str(peak)}
    with out.open("wb") as fout, err.open("wb") as ferr:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fout, stderr=ferr, env=env)
    # wait4 rather than Popen.wait: it returns this child's CPU time alone (RUSAGE_CHILDREN would
    # fold in every child reaped before, such as a previous simulator).
    killer = threading.Timer(timeout_s, proc.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must be told
    if proc.returncode != 0:
        why = "timed out" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
        raise BenchError(f"`kiosk sync --once` failed ({why}): {_tail(err)} {_tail(out)}")
    cpu = usage.ru_utime + usage.ru_stime
    # The child's own high-water mark: ru_maxrss would include this (large) process's size.
    return DeviceRun(wall, cpu, int(peak.read_text()), json.loads(out.read_text()))


def _get_json(store: Store, path: str, params: dict[str, str | int]) -> Any:
    """One signed GET, as `woocommerce.API(...).get(path, params=...).json()` makes it."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    url = sign_oauth("GET", f"{store.url}/wp-json/wc/v3/{path}?{query}", store.key, store.secret)
    with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as r:
        return json.load(r)


def run_naive_sync(store: Store, *, timeout_s: float = SYNC_TIMEOUT_S) -> NaiveRun:
    """The loop the official `woocommerce` client leads to: sequential pages, then, for each
    variable product, its variations; one blocking request at a time, a new connection each
    (the client calls requests.request without a session). Fetches only: nothing is stored.
    """
    t0 = time.perf_counter()
    deadline = t0 + timeout_s

    def get(path: str, params: dict[str, str | int]) -> list[Any]:
        if time.perf_counter() > deadline:
            raise BenchError(f"the naive client took more than {timeout_s:.0f} s")
        data = _get_json(store, path, params)
        if not isinstance(data, list):
            raise BenchError(f"GET {path}: expected a JSON list, got {str(data)[:200]}")
        return data

    pages = variable = products = variations = 0
    page = 1
    while True:
        batch = get("products", {"per_page": PER_PAGE, "page": page})
        pages += 1
        if not batch:
            break
        products += len(batch)
        for p in batch:
            if p.get("type") != "variable":
                continue
            variable += 1
            vpage = 1
            while True:  # only a product with more than 100 variations needs a second page
                vs = get(f"products/{p['id']}/variations", {"per_page": PER_PAGE, "page": vpage})
                variations += len(vs)
                if len(vs) < PER_PAGE:
                    break
                vpage += 1
        page += 1
    return NaiveRun(time.perf_counter() - t0, pages, variable, products, variations)


def _figure(name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": round(value, 4), "unit": unit, **extra}


def initial_sync(
    tmp: Path,
    *,
    products: int = 10_000,
    variable_share: float = 0.2,
    variations_per: int = 10,
    latency_ms: float = 50,
    seed: int = 5,
    concurrency: int = SyncConfig().concurrency,
    timeout_s: float = SYNC_TIMEOUT_S,
    runs_n: int = DEVICE_RUNS,
) -> list[dict[str, Any]]:
    """Initial sync of a generated catalog: the device (the median of `runs_n` runs after one
    warm-up) against the naive client, same store."""
    if latency_ms <= 0:
        raise ValueError("latency_ms must be above 0: the floor figure is measured against it")
    work = Path(tempfile.mkdtemp(prefix="sync-", dir=tmp))
    try:
        with simulator(
            work,
            products=products,
            variable_share=variable_share,
            variations_per=variations_per,
            latency_ms=latency_ms,
            seed=seed,
        ) as store:
            # One untimed run warms the store's caches, as a live store's are warm.
            provision(work / "warm", store, concurrency=concurrency)
            run_device_sync(work / "warm", work, timeout_s=timeout_s)
            runs: list[tuple[DeviceRun, float | None, int]] = []
            for i in range(runs_n):
                seen = len(request_log(store))
                provision(work / f"device{i}", store, concurrency=concurrency)
                cpu0 = cpu_seconds(store.pid)
                run = run_device_sync(work / f"device{i}", work, timeout_s=timeout_s)
                cpu1 = cpu_seconds(store.pid)
                runs.append((run, None if cpu0 is None or cpu1 is None else cpu1 - cpu0,
                             len(request_log(store)) - seen))  # fmt: skip
            counts = {n for _, _, n in runs}
            if len(counts) != 1:
                raise BenchError(
                    f"the device made a different number of requests per run: {counts}"
                )
            # The median run: one slow or lucky run does not decide the figure.
            device, store_cpu, device_requests = sorted(runs, key=lambda r: r[0].wall_s)[
                runs_n // 2
            ]
            seen = len(request_log(store))
            naive = run_naive_sync(store, timeout_s=timeout_s)
            naive_log = request_log(store)[seen:]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r for r in naive_log if r["status"] != 200]
    if failed:
        raise BenchError(f"the naive client got {len(failed)} failed requests, e.g. {failed[0]}")
    return sync_figures(
        device,
        naive,
        device_requests=device_requests,
        naive_requests=len(naive_log),
        latency_ms=latency_ms,
        concurrency=concurrency,
        store_cpu_s=store_cpu,
        startup_s=startup_seconds(),
        wall_runs_s=sorted(r.wall_s for r, _, _ in runs),
        catalog={
            "products": products,
            "variable_share": variable_share,
            "variations_per": variations_per,
            "latency_ms": latency_ms,
        },
    )


def sync_figures(
    device: DeviceRun,
    naive: NaiveRun,
    *,
    device_requests: int,
    naive_requests: int,
    latency_ms: float,
    concurrency: int,
    catalog: dict[str, Any],
    store_cpu_s: float | None = None,
    startup_s: float | None = None,
    wall_runs_s: list[float] | None = None,
) -> list[dict[str, Any]]:
    """The figures of one run; targets: 5x the naive client, within 1.5x of the latency floor."""
    floor = device_requests * latency_ms / 1000 / concurrency
    speedup = naive.wall_s / device.wall_s
    vs_floor = device.wall_s / floor
    pulled = device.report.get("pulled", {})
    return [
        _figure(
            "initial_sync_wall_s",
            device.wall_s,
            "s",
            baseline="naive_sync_wall_s",
            baseline_value=round(naive.wall_s, 4),
            ratio=device.wall_s / naive.wall_s,
            speedup=round(speedup, 2),
            # Where the wall time went: CPU of the sync process and of the store while it ran
            # (both share this machine's cores), and the start-up included in the wall time.
            device_cpu_s=round(device.cpu_s, 3),
            store_cpu_s=None if store_cpu_s is None else round(store_cpu_s, 3),
            startup_s=None if startup_s is None else round(startup_s, 3),
            runs_s=[round(w, 3) for w in wall_runs_s or [device.wall_s]],
            target=f">= {SPEEDUP_TARGET:g}x faster than the naive client",
            met=speedup >= SPEEDUP_TARGET,
            catalog=catalog,
            pulled=pulled,
            description=(
                "`kiosk sync --once` from a fresh data dir, process start to exit, including "
                "interpreter start-up and every SQLite write; the median of the timed runs "
                "(runs_s), after one untimed run that warms the store. Baseline: a sequential "
                "client (product pages of 100 until an empty one, then one variations request per "
                "variable product, one request at a time) that only fetches products and "
                "variations and stores nothing: a lower bound for the naive approach, which "
                "favours the baseline."
            ),
        ),
        _figure("initial_sync_requests", device_requests, "requests"),
        _figure(
            "naive_sync_requests",
            naive_requests,
            "requests",
            pages=naive.pages,
            variable_products=naive.variable_products,
            fetched={"products": naive.products, "variations": naive.variations},
        ),
        _figure(
            "initial_sync_floor_s",
            floor,
            "s",
            description=(
                f"requests x latency / concurrency = {device_requests} x {latency_ms:g} ms / "
                f"{concurrency}: the fastest those requests could go"
            ),
        ),
        _figure(
            "initial_sync_vs_floor",
            vs_floor,
            "x",
            target=f"<= {FLOOR_TARGET:g}x the floor",
            met=vs_floor <= FLOOR_TARGET,
        ),
        _figure(
            "initial_sync_peak_rss_mib",
            device.peak_rss_kib / 1024,
            "MiB",
            description="the sync process's own peak RSS (VmHWM), the store not included",
        ),
    ]
