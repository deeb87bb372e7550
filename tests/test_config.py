from __future__ import annotations

from pathlib import Path

import pytest

from vardesk.config import ensure_data_dir, load_settings


def test_defaults_are_embedded(tmp_path: Path) -> None:
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path)})
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'vardesk.db'}"
    assert s.resolved_storage_url == f"file://{tmp_path / 'blobs'}"
    assert s.should_auto_migrate is True
    assert s.token_ttl_seconds == 8 * 3600


def test_environment_overrides_toml(tmp_path: Path) -> None:
    (tmp_path / "vardesk.toml").write_text('[vardesk]\nport = 9000\njob_workers = 3\nlog_level = "DEBUG"\n')
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_PORT": "9100"})
    assert (s.port, s.job_workers, s.log_level) == (9100, 3, "DEBUG")


def test_tls_settings_from_toml_and_environment(tmp_path: Path) -> None:
    assert load_settings(env={"VARDESK_DATA_DIR": str(tmp_path)}).tls_enabled is False
    toml = 'tls_cert = "/etc/x.crt"\ntls_key = "/etc/x.key"\nredirect_port = 80\n'
    (tmp_path / "vardesk.toml").write_text(toml)
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_TLS_KEY": "/srv/y.key"})
    assert (s.tls_cert, s.tls_key, s.redirect_port, s.tls_enabled) == ("/etc/x.crt", "/srv/y.key", 80, True)
    s = load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_TLS_CERT": ""})
    assert s.tls_enabled is False  # a certificate without a key is no TLS (vardesk serve refuses it)


def test_explicit_config_file_and_unknown_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "x.toml"
    cfg.write_text("no_such_setting = 1\n")
    with pytest.raises(ValueError, match="unknown setting 'no_such_setting'"):
        load_settings(env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_CONFIG": str(cfg)})
    with pytest.raises(ValueError, match="does not exist"):
        load_settings(env={"VARDESK_CONFIG": str(tmp_path / "missing.toml")})


def test_postgres_is_not_migrated_automatically(tmp_path: Path) -> None:
    s = load_settings(
        env={"VARDESK_DATA_DIR": str(tmp_path), "VARDESK_DATABASE_URL": "postgresql+psycopg://u:p@h/db"}
    )
    assert s.should_auto_migrate is False


def test_secret_key_generated_once_and_kept(tmp_path: Path) -> None:
    s1 = ensure_data_dir(load_settings(env={"VARDESK_DATA_DIR": str(tmp_path / "d")}))
    s2 = ensure_data_dir(load_settings(env={"VARDESK_DATA_DIR": str(tmp_path / "d")}))
    assert len(s1.secret_key) >= 40 and s1.secret_key == s2.secret_key
    assert (tmp_path / "d" / "secret.key").stat().st_mode & 0o077 == 0
    s3 = ensure_data_dir(
        load_settings(env={"VARDESK_DATA_DIR": str(tmp_path / "d"), "VARDESK_SECRET_KEY": "given"})
    )
    assert s3.secret_key == "given"
