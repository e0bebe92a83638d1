"""Secrets live in a 0600 file, written whole, and never print themselves."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.secrets import Secrets, SecretsError, load_secrets, save_secrets, secrets_path


def test_round_trip_with_mode_0600_even_under_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = save_secrets(tmp_path, Secrets("ck_abc", "cs_def", "whsec"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secrets(tmp_path) == Secrets("ck_abc", "cs_def", "whsec")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_missing_file_means_no_secrets_yet(tmp_path: Path) -> None:
    assert load_secrets(tmp_path) == Secrets()


def test_refuses_a_file_others_can_read(tmp_path: Path) -> None:
    path = save_secrets(tmp_path, Secrets("ck_abc", "cs_def"))
    path.chmod(0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        load_secrets(tmp_path)


def test_malformed_file_names_itself(tmp_path: Path) -> None:
    secrets_path(tmp_path).write_text("[1, 2]")
    secrets_path(tmp_path).chmod(0o600)
    with pytest.raises(SecretsError, match=r"secrets\.json"):
        load_secrets(tmp_path)


def test_repr_never_shows_a_key() -> None:
    s = Secrets("ck_live_1234", "cs_live_5678", "wh_9012")
    for text in (repr(s), str(s), f"{s}", str([s])):
        assert "1234" not in text
        assert "5678" not in text
        assert "9012" not in text
    assert "consumer_key=***" in repr(s)
