"""``vardesk keys``: generating a key (printed, or first into an owner-only key file), rotating, and a
server that refuses to start without the key its blobs need — each as one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.console import assert_clean_failure, vardesk


def test_generate_prints_a_key_line(tmp_path: Path) -> None:
    r = vardesk(["keys", "generate", "--id", "lab-1"], data_dir=tmp_path / "data")
    assert r.returncode == 0, r.stderr
    key_id, encoded = r.stdout.split()
    assert key_id == "lab-1" and len(encoded) == 44  # base64 of 32 bytes


def test_keys_generate_rotate_and_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, keys = tmp_path / "data", tmp_path / "vardesk.keys"
    r = vardesk(["keys", "generate", "--id", "k1", "-o", str(keys)], data_dir=data)
    assert r.returncode == 0 and json.loads(r.stdout)["key_id"] == "k1", r.stderr
    assert (keys.stat().st_mode & 0o777) == 0o600 and "k1 " in keys.read_text()
    monkeypatch.setenv("VARDESK_ENCRYPTION_KEY_FILE", str(keys))
    r = vardesk(["keys", "rotate"], data_dir=data)  # enables encryption for the store
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) | {"by_key": {}} == {
        "current_key": "k1",
        "rewrapped": 0,
        "encrypted": 0,
        "up_to_date": 0,
        "plaintext": 0,
        "vanished": 0,
        "unreadable": 0,
        "by_key": {},
        "complete": True,
    }
    keys.chmod(0o644)
    assert_clean_failure(vardesk(["keys", "rotate"], data_dir=data), "chmod 600")
    keys.chmod(0o600)
    monkeypatch.delenv("VARDESK_ENCRYPTION_KEY_FILE")
    r = vardesk(["keys", "rotate"], data_dir=data)  # the server's start-up check refuses the same way
    assert_clean_failure(r, "encrypted (key ids: k1) but no encryption key is configured")
