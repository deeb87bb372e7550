"""Settings from the environment (``VARDESK_*``) and an optional TOML file.

Precedence: environment > TOML file (``VARDESK_CONFIG`` or ``<data_dir>/vardesk.toml``) > defaults.
The embedded default is SQLite plus a local data directory and the in-process job executor (a broker URL
moves the jobs to ``vardesk worker`` processes). The
secret key used to sign tokens is generated and persisted in the data directory on first start when
none is given.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "VARDESK_"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path.home() / ".vardesk")
    database_url: str = ""  # default: sqlite:///<data_dir>/vardesk.db
    # file://<dir> or s3://bucket/prefix (the standard AWS_* variables configure the S3 client); default:
    # file://<data_dir>/blobs
    storage_url: str = ""
    # local work of a remote (S3) store: materialised copies for tools, scratch work; default:
    # <data_dir>/scratch. A local store keeps its scratch beside its blobs (a finished result is renamed in)
    scratch_dir: str = ""
    secret_key: str = ""  # default: generated into <data_dir>/secret.key
    # Encryption at rest of uploads, report PDFs and exports (docs/guide/security.md): a key file of
    # "<key-id> <base64 of 32 random bytes>" lines, the first the current key (owner-only, 0600), or the
    # key(s) themselves; neither: no encryption
    encryption_key_file: str = ""
    encryption_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    # HTTPS: a PEM certificate (chain) and its unencrypted PEM private key; with both, vardesk serve speaks
    # TLS only and every response carries Strict-Transport-Security
    tls_cert: str = ""
    tls_key: str = ""
    redirect_port: int = 0  # with TLS: a plain-HTTP listener here answers 302 to the HTTPS origin; 0: none
    # vardesk serve: API worker processes (each with its own services, catalog pool, DuckDB and job
    # executor; they share only the catalog, the blob store and the broker); 1: one process, no supervisor
    serve_workers: int = 1
    # Catalog connections per process (SQLAlchemy's pool; PostgreSQL only, SQLite opens as needed): kept
    # open, and the extra ones opened under load beyond them. A deployment needs, on the database,
    # serve_workers x (db_pool_size + db_max_overflow) plus the workers' own, under max_connections.
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pool_timeout_seconds: float = 30.0
    token_ttl_seconds: int = 8 * 3600
    refresh_ttl_seconds: int = 7 * 24 * 3600
    # Failed logins per window: per account from one address, from one address on any accounts, and per
    # account from every address (beyond which an address that failed on the account is refused).
    login_max_failures: int = 10
    login_source_max_failures: int = 50
    login_account_max_failures: int = 100
    login_failure_window_seconds: int = 60
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated; "" trusts none)
    trusted_proxies: str = ""
    api_key_cache_seconds: int = 60
    # How long a process trusts the account behind a verified token or API key (active, role, workspace)
    # without reading it again; a change made by this process is seen at once, one made by another process
    # within this many seconds. 0: read it on every request.
    credential_cache_seconds: float = 5.0
    # argon2id cost for new password and API-key hashes (argon2-cffi's RFC 9106 low-memory profile)
    hash_time_cost: int = 3
    hash_memory_kib: int = 65536
    hash_concurrency: int = 0  # argon2 computations at once; 0: one per core
    hash_queue: int = -1  # requests waiting for one; beyond, 429 at once; -1: twice hash_concurrency
    job_workers: int = 2
    job_poll_seconds: float = 0.5
    job_heartbeat_seconds: float = 5.0
    job_stale_seconds: float = 60.0
    job_max_attempts: int = 2
    job_plugins: str = ""  # comma-separated modules that register extra job tools
    # A Celery broker (redis://host:port/db, rediss:// for TLS): jobs run in `vardesk worker` processes,
    # and `vardesk serve` submits them there instead of running them; "": the in-process executor
    broker_url: str = field(default="", repr=False)
    max_upload_bytes: int = 50 * 1024**3
    fabric_prefix: str = "/fabric"
    # The Emedgene-compatible face: its URL prefix, and the project of each workspace that holds its cases
    emedgene_prefix: str = "/emedgene"
    emedgene_project: str = "emedgene"
    # Webhook deliveries: attempts in all, the wait before the second (doubling), each POST's timeout
    webhook_attempts: int = 5
    webhook_backoff_seconds: float = 2.0
    webhook_timeout_seconds: float = 10.0
    emedgene_port: int = 0  # vardesk serve: also the Emedgene face alone at the root of this port; 0: none
    # The externally visible base URL (scheme, host, any proxy path) for absolute URLs the server hands
    # out, e.g. FE3 upload and download URLs; default: taken from each request (Host header, root path).
    public_url: str = ""
    download_link_seconds: int = 600  # lifetime of signed report download URLs
    # The web application's browser sessions: ended after this many idle minutes (the page warns a minute
    # before) and at the latest this many hours after signing in
    web_idle_minutes: int = 15
    web_session_hours: int = 12
    fabric_timezone: str = "America/Los_Angeles"
    # The laboratory printed on clinical reports
    lab_name: str = "Clinical Genomics Laboratory"
    lab_address: str = ""  # lines separated by "|"
    lab_clia: str = ""
    lab_cap: str = ""
    lab_director: str = ""
    lab_phone: str = ""
    lab_email: str = ""
    report_page_size: str = "A4"
    report_wait_seconds: float = 120.0  # how long a PDF request waits for its render job before a 503
    # variant queries: one DuckDB database per process; at most query_slots heavy queries at once (0: one
    # per core), query_queue waiting (-1: sixteen per slot), each waiting up to query_wait_seconds, then 503;
    # DuckDB's memory limit is query_memory_mib per slot (spilling to disk beyond), its threads query_threads
    query_slots: int = 0
    query_queue: int = -1
    query_wait_seconds: float = 60.0
    query_memory_mib: int = 1024
    query_threads: int = 0
    log_level: str = "INFO"
    log_format: str = "json"  # json | text
    auto_migrate: bool | None = None  # default: True for SQLite, False otherwise

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vardesk.db'}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{self.data_dir / 'blobs'}"

    @property
    def resolved_scratch_dir(self) -> Path:
        return Path(self.scratch_dir).expanduser() if self.scratch_dir else self.data_dir / "scratch"

    @property
    def tls_enabled(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def should_auto_migrate(self) -> bool:
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate


def _coerce(value: Any, typ: Any) -> Any:
    t = str(typ)
    if value is None:
        return None
    if "Path" in t:
        return Path(value).expanduser()
    if "bool" in t:
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off"):
            return False
        if s in ("", "none", "auto"):
            return None
        raise ValueError(f"not a boolean: {value!r}")
    if t == "int":
        return int(value)
    if t == "float":
        return float(value)
    return str(value)


def load_settings(env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from ``env`` (default ``os.environ``), an optional TOML file and overrides."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    from_env = {name: env[ENV_PREFIX + name.upper()] for name in types if ENV_PREFIX + name.upper() in env}
    data_dir = Path(overrides.get("data_dir") or from_env.get("data_dir") or Settings().data_dir).expanduser()
    toml_path = Path(env["VARDESK_CONFIG"]) if env.get("VARDESK_CONFIG") else data_dir / "vardesk.toml"
    if toml_path.is_file():
        with toml_path.open("rb") as fh:
            doc = tomllib.load(fh)
        section = doc.get("vardesk", doc)
        for key, value in section.items():
            if key not in types:
                raise ValueError(f"{toml_path}: unknown setting {key!r}")
            values[key] = value
    elif env.get("VARDESK_CONFIG"):
        raise ValueError(f"VARDESK_CONFIG points to {toml_path}, which does not exist")
    values.update(from_env)
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["data_dir"] = data_dir
    coerced = {k: _coerce(v, types[k]) for k, v in values.items()}
    return Settings(**coerced)


def owner_only_umask() -> None:
    """Everything this process creates from now on is readable by its owner alone (umask 077, never
    loosened): the catalog, blobs, indexes, reports and scratch files hold patient data."""
    os.umask(os.umask(0o077) | 0o077)


def ensure_data_dir(settings: Settings) -> Settings:
    """Create the data directory (0700) and, when no secret key is configured, load or create one there
    (0600)."""
    owner_only_umask()
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret.key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    key_file.chmod(0o600)
    return replace(settings, secret_key=key_file.read_text().strip())
