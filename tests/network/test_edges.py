"""sdbus stays at the package edge: only kiosk/network/nm*.py import it."""

from __future__ import annotations

import ast
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def imports_sdbus(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(n.split(".")[0] in ("sdbus", "sdbus_async") for n in names):
            return True
    return False


def test_only_the_networkmanager_adapters_import_sdbus() -> None:
    importers = {str(p.relative_to(KIOSK)) for p in KIOSK.rglob("*.py") if imports_sdbus(p)}
    assert importers == {"network/nm.py", "network/nm_control.py", "network/nm_setup.py"}
