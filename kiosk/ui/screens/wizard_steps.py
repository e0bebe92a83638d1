"""Each setup step's screen: what it shows from its Form, and what it sends to Wizard.submit.

VIEWS[step](screen) lays the step out on the WizardScreen frame (wizard.py); PREPARE[step]
reads what a step shows before it is drawn (the WiFi networks in range).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.uix.progressbar import ProgressBar

from kiosk.config import Config
from kiosk.setup.steps import DEVICES, Form, HardwareTests
from kiosk.ui import theme
from kiosk.ui.screens.wizard import WizardScreen
from kiosk.ui.widgets.basics import PosLabel
from kiosk.ui.widgets.sheet import Sheet

LOCALES = (
    ("English (UK)", "en_GB"),
    ("English (US)", "en_US"),
    ("Deutsch", "de_DE"),
    ("Français", "fr_FR"),
    ("Español", "es_ES"),
    ("Italiano", "it_IT"),
)
CURRENCIES = (("£ GBP", "GBP"), ("€ EUR", "EUR"), ("$ USD", "USD"), ("$ CAD", "CAD"),
              ("$ AUD", "AUD"), ("CHF", "CHF"))  # fmt: skip
SKIP_REASONS = ("Not plugged in yet", "This till has none")
DEVICE_NAMES = {"scanner": "Barcode scanner", "printer": "Receipt printer", "drawer": "Cash drawer"}
SHOWN_NETWORKS = 6
PROGRESS_EVERY_S = 0.25


def _other(screen: WizardScreen, name: str, label: str, known: tuple[tuple[str, str], ...]) -> None:
    value = str(screen.values.get(name, ""))
    custom = value and value not in {v for _, v in known}
    line = screen.row()
    line.add_widget(
        screen.button(
            f"Other: {value}" if custom else "Another…",
            lambda: screen.edit(name, label),
            role=f"other-{name}",
            tone=theme.ACCENT if custom else theme.TILE,
        )
    )


# -- language and shop ---------------------------------------------------------------------------


def locale_view(screen: WizardScreen) -> None:
    v = screen.values
    screen.note("How prices, dates and receipts are written.", color=theme.MUTED)
    screen.note("Language and country")
    screen.choices("locale", LOCALES)
    _other(screen, "locale", "Language and country (e.g. nl_NL)", LOCALES)
    screen.note("Money")
    screen.choices("currency", CURRENCIES)
    _other(screen, "currency", "Currency (3 letters, e.g. SEK)", CURRENCIES)
    screen.primary(
        "Next",
        lambda: screen.submit({"locale": v.get("locale", ""), "currency": v.get("currency", "")}),
    )


# -- network -------------------------------------------------------------------------------------


async def network_prepare(screen: WizardScreen, form: Form) -> None:
    tools = screen.setup.tools
    if "seen" not in screen.state:
        screen.state["seen"], screen.state["scan_error"] = await tools.networks()
    if "country" not in screen.values:
        screen.values["country"] = await tools.country()


def network_view(screen: WizardScreen) -> None:
    form, v = screen.form, screen.values
    assert form is not None
    screen.note(f"In use now: {form.info.get('link', 'Network unknown')}", color=theme.ACCENT)
    seen = screen.state.get("seen", [])
    screen.note("WiFi networks in range: tap yours" if seen else "No WiFi networks found")
    for network in seen[:SHOWN_NETWORKS]:

        def pick(ssid: str = network.ssid) -> None:
            v["ssid"], v["hidden"] = ssid, False
            screen.render()

        chosen = v.get("ssid") == network.ssid
        screen.row().add_widget(
            screen.button(
                network.label, pick, role="wifi", tone=theme.ACCENT if chosen else theme.TILE
            )
        )
    if screen.state.get("scan_error"):
        screen.note(screen.state["scan_error"], color=theme.WARN)
    screen.row().add_widget(screen.button("Scan again", lambda: _rescan(screen), role="rescan"))
    screen.field("ssid", "Network name")
    screen.field("password", "Password", secret=True, hint="Tap to type (none if open)")
    v.setdefault("hidden", False)
    screen.choices("hidden", (("In the list", False), ("Hidden network", True)), cols=2)
    screen.field("country", "WiFi country", hint="Two letters, e.g. GB")
    screen.row().add_widget(
        screen.button(
            "Skip: Ethernet or cellular is in use",
            lambda: screen.submit({"skip": True}),
            role="skip-network",
        )
    )
    screen.note("Cellular (a SIM in the modem), used when WiFi fails", color=theme.MUTED)
    screen.field("apn", "APN", hint="From the SIM's provider")
    screen.field("pin", "SIM PIN", secret=True, hint="If the SIM has one")
    screen.row().add_widget(
        screen.button("Save and test cellular", lambda: _cellular(screen), role="cellular")
    )
    screen.primary("Join WiFi", lambda: _spawn(screen, _join(screen)))


def _spawn(screen: WizardScreen, job: Coroutine[Any, Any, None]) -> None:
    screen.spawn(job)


def _rescan(screen: WizardScreen) -> None:
    async def again() -> None:
        screen.set_busy("Looking for WiFi networks…")
        try:
            screen.state["seen"], screen.state["scan_error"] = await screen.setup.tools.networks()
        finally:
            screen.set_busy("")
        screen.render()

    screen.spawn(again())


async def _join(screen: WizardScreen) -> None:
    form, v, tools = screen.form, screen.values, screen.setup.tools
    assert form is not None
    country = str(v.get("country", "")).strip()
    if country and country != await tools.country():
        errors = await tools.set_country(country)
        if errors:
            await screen.show(Form(form.step, errors, {}, form.info))
            return
    password = str(v.get("password", ""))
    data = {"ssid": v.get("ssid", ""), "hidden": bool(v.get("hidden", False))}
    if password:
        data["password"] = password
    screen.set_busy("Joining the WiFi…")
    try:
        result = await screen.wizard.submit("network", data)
    finally:
        screen.set_busy("")
    if isinstance(result, Form) and result.errors:  # the command line's words, the screen's
        said = {
            k: m.replace("use --hidden", "choose Hidden network") for k, m in result.errors.items()
        }
        result = Form(result.step, said, result.values, result.info)
    await screen.show(result)


def _cellular(screen: WizardScreen) -> None:
    async def check() -> None:
        form, v = screen.form, screen.values
        assert form is not None
        screen.set_busy("Bringing the cellular link up…")
        try:
            errors = await screen.setup.tools.set_cellular(
                str(v.get("apn", "")), str(v.get("pin", ""))
            )
        finally:
            screen.set_busy("")
        await screen.show(Form(form.step, errors, {}, form.info))
        if not errors:
            screen.say("The cellular link works: it takes over when WiFi fails")

    screen.spawn(check())


# -- the store -----------------------------------------------------------------------------------


def store_view(screen: WizardScreen) -> None:
    form, v = screen.form, screen.values
    assert form is not None
    kinds = screen.setup.stores
    if form.values.get("name") and not form.errors:
        screen.note(f"Connected to {form.values['name']}", color=theme.ACCENT)
    screen.note("Which kind of online shop?")
    screen.choices("platform", [(k.title, k.platform) for k in kinds], cols=max(len(kinds), 1))
    kind = next((k for k in kinds if k.platform == v.get("platform")), None)
    if kind is None:
        return
    for spec in kind.fields:
        screen.field(spec.name, spec.label, secret=spec.secret, hint=spec.hint)

    def test() -> None:
        data = {"platform": kind.platform, **{f.name: v.get(f.name, "") for f in kind.fields}}
        screen.submit(data, busy="Testing the store…")

    screen.primary("Test and go on", test)


# -- the initial sync ----------------------------------------------------------------------------


def _count_words(counts: dict[str, int]) -> str:
    shown = [f"{n:,} {kind}" for kind, n in counts.items() if n]
    return "Copied: " + (", ".join(shown) if shown else "nothing (the shop is empty)")


def _progress_words(progress: dict[str, Any]) -> str:
    done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
    if not total:
        return "Asking the store what it has…"
    words = f"{done:,} of {total:,} items copied"
    left = progress.get("estimate_s")
    if left is not None:
        words += " · about " + (f"{round(left / 60)} min left" if left >= 90 else
                                f"{max(round(left), 1)} s left")  # fmt: skip
    return words


def sync_view(screen: WizardScreen) -> None:
    form = screen.form
    assert form is not None
    running: asyncio.Task[Any] | None = screen.state.get("task")
    if (old := screen.state.pop("ticker", None)) is not None:
        old.cancel()  # a redraw makes a new bar, and a new ticker for it
    if running is not None and not running.done():
        progress = screen.wizard.progress
        bar = ProgressBar(max=1000, size_hint_y=None, height=screen.th.row)
        words = screen.note(_progress_words(progress))
        screen.add(bar)

        def tick(_dt: float = 0) -> None:
            p = screen.wizard.progress
            total = int(p.get("total", 0))
            bar.value = 1000 * int(p.get("done", 0)) / total if total else 0
            words.text = _progress_words(p)

        tick()
        screen.state["ticker"] = Clock.schedule_interval(tick, PROGRESS_EVERY_S)
        screen.row().add_widget(
            screen.button("Stop copying", lambda: _stop_sync(screen), role="cancel-sync")
        )
        return
    screen.note(
        "The till keeps its own copy of the shop's products, prices and customers, so it "
        "sells when the internet is down. The first copy takes a few minutes."
    )
    if form.values.get("counts"):
        screen.note(_count_words(dict(form.values["counts"])), color=theme.ACCENT)
    if screen.state.get("stopped"):
        screen.note("Stopped. Start again to go on from where it stopped.", color=theme.WARN)
    screen.primary(
        "Copy again" if form.values.get("counts") else "Start copying", lambda: _sync(screen)
    )


def _sync(screen: WizardScreen) -> None:
    async def run() -> None:
        screen.wizard.progress = {}
        try:
            result = await screen.wizard.submit("sync", {"start": True})
        finally:
            ticker = screen.state.pop("ticker", None)
            if ticker is not None:
                ticker.cancel()
        screen.state.pop("task", None)
        await screen.show(result)

    # The copy runs for minutes and can be stopped: a tap does not wait for it to end.
    screen.state["stopped"] = False
    screen.state["task"] = screen.spawn(run(), waits_on_person=True)
    screen.render()


def _stop_sync(screen: WizardScreen) -> None:
    task = screen.state.pop("task", None)
    ticker = screen.state.pop("ticker", None)
    if ticker is not None:
        ticker.cancel()
    if task is not None:
        task.cancel()  # the sync engine stops; its cursors keep what was copied
    screen.state["stopped"] = True
    screen.render()


# -- scanner, printer and drawer -----------------------------------------------------------------


class WedgeTests:
    """The hardware tests, with the scanner test also passed by a keyboard-mode scanner's code
    (it types into the screen) as well as by one read directly."""

    def __init__(self, inner: HardwareTests, screen: WizardScreen) -> None:
        self.inner, self.screen = inner, screen

    async def print_test(self, config: Config) -> None:
        await self.inner.print_test(config)

    async def open_drawer(self, config: Config) -> None:
        await self.inner.open_drawer(config)

    async def read_code(self, config: Config) -> str | None:
        waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.screen.scan_waiter = waiter
        direct: asyncio.Future[str | None] = asyncio.ensure_future(self.inner.read_code(config))
        try:
            done, _ = await asyncio.wait({waiter, direct}, return_when=asyncio.FIRST_COMPLETED)
            return (waiter if waiter in done else direct).result()
        finally:
            self.screen.scan_waiter = None
            direct.cancel()
            waiter.cancel()


def hardware_view(screen: WizardScreen) -> None:
    form, v, th = screen.form, screen.values, screen.th
    assert form is not None
    tests = dict(form.info.get("tests", {}))
    screen.note("Test each one, or skip it and say why.", color=theme.MUTED)
    for device in DEVICES:
        reason = str(v.get(f"{device}_skip", ""))
        if tests.get(device):
            status, colour = "Works", theme.ACCENT
        elif reason:
            status, colour = f"Skipped: {reason}", theme.MUTED
        elif device in tests:
            status, colour = "Did not work", theme.WARN
        else:
            status, colour = "Not tested", theme.MUTED
        if screen.state.get("testing") == device:
            status, colour = (
                "Scan any barcode now…" if device == "scanner" else "Testing…",
                theme.TEXT,
            )
        line = screen.row()
        line.add_widget(PosLabel(text=DEVICE_NAMES[device], font_size=th.font, size_hint_x=0.3))
        line.add_widget(PosLabel(text=status, font_size=th.small, color=colour, size_hint_x=0.3))
        line.add_widget(
            screen.button("Test", partial(_test, screen, device), role=f"test-{device}",
                          size_hint_x=0.2)
        )  # fmt: skip
        skip = partial(_skip_reason, screen, device, f"{device}_skip")
        line.add_widget(screen.button("Skip", skip, role=f"skip-{device}", size_hint_x=0.2))
        screen.error(device)
    skips = {f"{d}_skip": v[f"{d}_skip"] for d in DEVICES if v.get(f"{d}_skip")}
    screen.primary("Next", lambda: screen.submit({"next": True, **skips}))


def _test(screen: WizardScreen, device: str) -> None:
    async def run() -> None:
        screen.state["testing"] = device
        screen.values.pop(f"{device}_skip", None)
        screen.render()
        try:
            result = await screen.wizard.submit("hardware", {"test": device})
        finally:
            screen.state.pop("testing", None)
        await screen.show(result)

    # The scanner test waits for a person to scan: a tap does not wait for it.
    screen.spawn(run(), waits_on_person=device == "scanner")


def _skip_reason(
    screen: WizardScreen, device: str, key: str, then: Callable[[str], None] | None = None
) -> None:
    """Ask why `device` is skipped; the reason goes in values[key] (or to `then`)."""
    th = screen.th
    what = DEVICE_NAMES.get(device, device).lower()
    sheet = Sheet(th, f"Why skip the {what}?", back="Cancel")

    def chosen(reason: str) -> None:
        sheet.dismiss()
        if then is not None:
            then(reason)
        else:
            screen.change(key, reason)
            screen.render()

    def another() -> None:
        sheet.dismiss()
        screen.edit(key, "Reason", done=chosen)

    reasons: list[tuple[str, Callable[[], None]]] = [(r, partial(chosen, r)) for r in SKIP_REASONS]
    sheet.choices([*reasons, ("Another reason…", another)])
    sheet.open()


# -- the card reader -----------------------------------------------------------------------------


async def reader_prepare(screen: WizardScreen, form: Form) -> None:
    if "country" not in screen.values:
        locale = str(screen.wizard.state.values.get("locale", {}).get("locale", ""))
        screen.values["country"] = locale.rpartition("_")[2] if "_" in locale else ""


def reader_view(screen: WizardScreen) -> None:
    form, v = screen.form, screen.values
    assert form is not None
    if form.values.get("reader"):
        screen.note(f"Paired: reader {form.values['reader']}", color=theme.ACCENT)
    elif skipped := form.values.get("skipped"):
        why = f" ({skipped})" if isinstance(skipped, str) else ""
        screen.note(
            f"Skipped{why}: the till takes cash only until a reader is paired", color=theme.MUTED
        )
    screen.note(
        "On the reader: Settings, then Generate pairing code. Type the words it shows.",
        color=theme.MUTED,
    )
    screen.field("api_key", "Stripe key", secret=True, hint="Restricted key, rk_…")
    screen.field("registration_code", "Pairing code", hint="e.g. apple-grape-orange")
    screen.field("label", "Reader's name", hint="Optional, e.g. Counter 1")
    screen.field("country", "Shop's country", hint="Two letters, e.g. GB")
    fields = ("api_key", "registration_code", "label", "country")

    def pair() -> None:
        data = {f: v.get(f, "") for f in fields}
        screen.submit({**data, "api_base": screen.setup.reader_base}, busy="Pairing the reader…")

    def skip(reason: str) -> None:
        screen.submit({"skip": True, "reason": reason})

    screen.row().add_widget(
        screen.button(
            "Skip: no card reader",
            lambda: _skip_reason(screen, "card reader", "reader_skip", then=skip),
            role="skip-reader",
        )
    )
    screen.primary("Pair the reader", pair)


# -- staff ---------------------------------------------------------------------------------------


def staff_view(screen: WizardScreen) -> None:
    form, v = screen.form, screen.values
    assert form is not None
    names = list(form.info.get("staff", []))
    screen.note("Add everyone who uses the till, and at least one manager.", color=theme.MUTED)
    screen.note("On the till: " + (", ".join(n.title() for n in names) if names else "nobody yet"))
    v.setdefault("role", "manager" if not names else "cashier")
    screen.field("name", "Name")
    screen.choices("role", (("Cashier", "cashier"), ("Manager", "manager")), cols=2)
    screen.field("pin", "PIN", secret=True, hint="4 to 12 digits")
    screen.row().add_widget(
        screen.button("Add this person", lambda: _add(screen), role="add-staff")
    )
    screen.primary("Finish", lambda: screen.submit({"done": True}))


def _add(screen: WizardScreen) -> None:
    async def add() -> None:
        v = screen.values
        data = {
            "name": v.get("name", ""),
            "role": v.get("role", "cashier"),
            "pin": v.get("pin", ""),
        }
        result = await screen.wizard.submit("staff", data)
        if isinstance(result, Form) and not result.errors:
            for name in ("name", "pin", "role"):
                v.pop(name, None)  # ready for the next person; the PIN is not kept
        await screen.show(result)

    screen.spawn(add())


VIEWS: dict[str, Callable[[WizardScreen], None]] = {
    "locale": locale_view,
    "network": network_view,
    "store": store_view,
    "sync": sync_view,
    "hardware": hardware_view,
    "reader": reader_view,
    "staff": staff_view,
}
PREPARE: dict[str, Callable[[WizardScreen, Form], Awaitable[None]]] = {
    "network": network_prepare,
    "reader": reader_prepare,
}
