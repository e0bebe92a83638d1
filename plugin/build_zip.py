"""Build the installable zip of the companion plugin: `python3 plugin/build_zip.py [OUT_DIR]`.

WordPress installs a plugin zip whose single top-level folder is the plugin's slug
(Plugins > Add New > Upload Plugin). The tests, PHPUnit's config and the contract's tooling stay
out, and so do dot-files; contract.json ships, as the documentation of the routes.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

SLUG = "kiosk-pos-companion"
SOURCE = Path(__file__).resolve().parent / SLUG
LEFT_OUT = ("tests/", "phpunit.xml.dist")


def version() -> str:
    """The `Version:` header of the main plugin file."""
    main = (SOURCE / f"{SLUG}.php").read_text(encoding="utf-8")
    found = re.search(r"^ \* Version:\s*(\S+)", main, re.MULTILINE)
    if found is None:
        raise SystemExit(f"{SLUG}.php has no Version: header")
    return found.group(1)


def build(out_dir: Path) -> Path:
    """Write <out_dir>/kiosk-pos-companion-<version>.zip and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{SLUG}-{version()}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SOURCE.rglob("*")):
            rel = path.relative_to(SOURCE).as_posix()
            hidden = path.name.startswith(".") or "__pycache__" in rel
            if path.is_dir() or hidden or rel.startswith(LEFT_OUT):
                continue
            archive.write(path, f"{SLUG}/{rel}")
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dist")))
