"""The keyring: key files and the environment, their mistakes refused with a message naming the fix."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from vardesk.config import load_settings
from vardesk.storage.keys import (
    EncryptionConfigError,
    add_key_to_file,
    derived_key_id,
    load_keyring,
    new_key_line,
    parse_keyring,
)

RAW = hashlib.sha256(b"a laboratory key").digest()  # fixed: test ids must match across xdist workers
B64 = base64.b64encode(RAW).decode()


def key_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_off_without_a_key() -> None:
    assert load_keyring("", "") is None


def test_key_file_lines_first_is_current(tmp_path: Path) -> None:
    two, one = new_key_line("k2"), new_key_line("k1")
    ring = load_keyring(str(key_file(tmp_path / "keys", f"# lab keys\n{two}\n\n{one}\n")), "")
    assert ring is not None and ring.current == "k2" and sorted(ring.keys) == ["k1", "k2"]
    assert ring.keys["k1"] == base64.b64decode(one.split()[1])


def test_a_bare_key_in_the_environment_gets_a_stable_id() -> None:
    ring = load_keyring("", B64)
    assert ring is not None and ring.current == derived_key_id(RAW) and ring.keys == {ring.current: RAW}
    assert load_keyring("", f"a {B64},b {base64.b64encode(os.urandom(32)).decode()}").current == "a"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no key in it"),
        ("notbase64!!", "not valid base64"),
        (base64.b64encode(b"short").decode(), "must be 32 random bytes"),
        (f"k1 {B64}\nk1 {B64}", "given twice"),
        (f"k/1 {B64}\nk2 {B64}", "must be 1-64 letters"),
        (f"k1 {B64} extra\nk2 {B64}", "is not a line"),
    ],
)
def test_malformed_keys_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(EncryptionConfigError, match=fragment):
        parse_keyring(text, "keys")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = key_file(tmp_path / "keys", new_key_line("k1"), mode)
    with pytest.raises(EncryptionConfigError, match=f"mode {mode:04o}.*chmod 600"):
        load_keyring(str(path), "")


def test_missing_file_and_both_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EncryptionConfigError, match="does not exist"):
        load_keyring(str(tmp_path / "none"), "")
    with pytest.raises(EncryptionConfigError, match="configure one of them"):
        load_keyring(str(tmp_path / "none"), B64)


def test_adding_a_key_puts_it_first_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    add_key_to_file(path, new_key_line("k1"))
    assert (path.stat().st_mode & 0o777) == 0o600
    add_key_to_file(path, new_key_line("k2"))
    ring = load_keyring(str(path), "")
    assert ring is not None and ring.current == "k2" and sorted(ring.keys) == ["k1", "k2"]
    with pytest.raises(EncryptionConfigError, match="already has a key with id 'k1'"):
        add_key_to_file(path, new_key_line("k1"))
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]  # no temporary left behind


def test_settings_read_the_key_configuration(tmp_path: Path) -> None:
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_ENCRYPTION_KEY_FILE": "/etc/vd.keys"})
    assert (s.encryption_key_file, s.encryption_key) == ("/etc/vd.keys", "")
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_ENCRYPTION_KEY": B64})
    assert s.encryption_key == B64 and B64 not in repr(s)  # never printed with the settings
