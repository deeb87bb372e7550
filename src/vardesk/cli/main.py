"""The ``vardesk`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from vardesk import __version__
from vardesk.cli.errors import run_command

# Only the standard library and light vardesk modules are imported here: ``vardesk --help`` and
# ``--version`` must answer at once. Each command imports what it needs (the service container,
# DuckDB, pysam, pyarrow, FastAPI, WeasyPrint) when it runs.


def _services(migrate: bool | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    from vardesk.app.composition import build_services
    from vardesk.config import load_settings

    return build_services(load_settings(**overrides), migrate=migrate)


def cmd_serve(args: argparse.Namespace) -> int:
    from vardesk.cli.serve import check_tls, serve
    from vardesk.config import load_settings

    tls = {"tls_cert": args.tls_cert, "tls_key": args.tls_key, "redirect_port": args.redirect_port}
    check_tls(load_settings(port=args.port, **tls))  # before the catalog is opened or migrated
    return serve(
        _services(**tls),
        host=args.host,
        port=args.port,
        emedgene_port=args.emedgene_port,
        workers=args.workers,
    )


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"not a number of processes (1-64): {value}")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    from vardesk.cli.demo import seed_demo
    from vardesk.cli.serve import serve

    services = _services()
    info = seed_demo(services)
    settings = services.settings
    host = args.host or settings.host
    port = args.port or settings.port
    base = f"{'https' if settings.tls_enabled else 'http'}://{host}:{port}"
    urls = {
        "url": f"{base}/api/v2",
        "home": f"{base}/",
        # the web application: sign in with one of the users' emails and passwords above
        "app": f"{base}/",
        "about": f"{base}/about",
        "docs": f"{base}/docs",
        "pyopencga": f"{base}/opencga",
    }
    print(json.dumps(info | urls, indent=2))
    if args.serve:
        return serve(services, host=host, port=port)
    services.close()
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from vardesk.app.composition import upgrade_catalog
    from vardesk.config import load_settings

    print(f"catalog at schema revision {upgrade_catalog(load_settings())}")
    return 0


def cmd_create_workspace(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.create_workspace(args.name, code=args.code)
        print(json.dumps({"id": ws.id, "code": ws.code, "name": ws.name}))
    finally:
        services.close()
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    services = _services()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        user, pw = services.admin.create_user(
            args.workspace, args.email, args.role, name=args.name or "", password=password
        )
        out = {"id": user.id, "login": user.login, "email": user.email, "role": user.role.value}
        if password is None:
            out["password"] = pw
        print(json.dumps(out))
    finally:
        services.close()
    return 0


def cmd_create_api_key(args: argparse.Namespace) -> int:
    services = _services()
    try:
        key = services.admin.create_api_key(args.workspace, args.user, description=args.description or "")
        print(json.dumps({"login": key.login, "password": key.password}))
    finally:
        services.close()
    return 0


def cmd_storage_add(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        if args.local:
            provider = services.storage_providers.add_local(ws.id or 0, args.name, args.local)
        else:
            provider = services.storage_providers.add_s3(
                ws.id or 0, args.name, args.s3, endpoint_url=args.endpoint_url or ""
            )
        print(json.dumps({"id": provider.id, "name": provider.name, "scheme": provider.scheme.value}))
    finally:
        services.close()
    return 0


def _provider_doc(p: Any) -> dict[str, Any]:
    doc = {"id": p.id, "name": p.name, "scheme": p.scheme.value, "root": p.root}
    return doc | ({"endpoint_url": p.endpoint_url} if p.endpoint_url else {})


def cmd_storage_list(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        print(json.dumps([_provider_doc(p) for p in services.storage_providers.of_workspace(ws.id or 0)]))
    finally:
        services.close()
    return 0


def cmd_storage_remove(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        provider = services.storage_providers.remove(ws.id or 0, args.provider)
        print(json.dumps({"removed": _provider_doc(provider)}))
    finally:
        services.close()
    return 0


def cmd_webhook_list(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        hooks = services.webhooks.hooks(ws.id or 0, removed=args.all)
        print(
            json.dumps(
                [
                    {"id": h.id, "url": h.url, "active": h.active, "created": h.created_at.isoformat()}
                    for h in hooks
                ]
            )
        )
    finally:
        services.close()
    return 0


def cmd_webhook_remove(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        hook = services.webhooks.remove(ws.id or 0, args.id)
        print(json.dumps({"removed": {"id": hook.id, "url": hook.url}}))
    finally:
        services.close()
    return 0


def cmd_webhook_add(args: argparse.Namespace) -> int:
    services = _services()
    try:
        ws = services.admin.get_workspace(args.workspace)
        hook, secret = services.webhooks.add(ws.id or 0, args.url, args.secret or None)
        print(json.dumps({"id": hook.id, "url": hook.url, "secret": secret}))
    finally:
        services.close()
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from vardesk.app.encryption import generate_key

    output = Path(args.output).expanduser() if args.output else None
    line = generate_key(args.id, output)
    if output is None:
        print(line)
    else:  # the key itself stays in the file
        key_id = line.split()[0]
        print(json.dumps({"key_id": key_id, "key_file": str(output), "current": True}))
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    services = _services()
    try:
        result = services.keys.rotate(encrypt_plaintext=args.encrypt_plaintext)
        print(json.dumps(result.as_dict()))
    finally:
        services.close()
    return 0 if result.complete else 1


def cmd_openapi(args: argparse.Namespace) -> int:
    from vardesk.cli.output import check_output_file, write_atomically

    output = check_output_file(args.output) if args.output else None
    from vardesk.api.openapi import current_schema, render

    text = render(current_schema())
    if output is not None:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vardesk", description="Vardesk clinical genome interpretation server")
    p.add_argument("--version", action="version", version=f"vardesk {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the HTTP server (and the local job executor)")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.add_argument(
        "--emedgene-port",
        type=_port,
        default=None,
        metavar="P",
        help="also serve the Emedgene-compatible API at the root of this port (https://host:P/api/...)",
    )
    s.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)")
    s.add_argument("--tls-key", metavar="FILE", help="the certificate's unencrypted PEM private key")
    s.add_argument(
        "--redirect-port",
        type=_port,
        metavar="PORT",
        help="with TLS, also listen for plain HTTP here and answer 302 to the HTTPS origin",
    )
    s.add_argument(
        "--workers",
        type=_count,
        default=None,
        metavar="N",
        help="API worker processes sharing the listening port(s) (default VARDESK_SERVE_WORKERS, 1)",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("demo", help="create a ready demo workspace and print its credentials")
    s.add_argument("--serve", action="store_true", help="then start the server")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="catalog database").add_subparsers(dest="db_command", required=True)
    s = db.add_parser("upgrade", help="apply catalog migrations")
    s.set_defaults(func=cmd_db_upgrade)

    adm = sub.add_parser("admin", help="workspaces, users, API keys").add_subparsers(
        dest="admin_command", required=True
    )
    s = adm.add_parser("create-workspace", help="create a workspace")
    s.add_argument("name")
    s.add_argument("--code", help="short id (default: derived from the name)")
    s.set_defaults(func=cmd_create_workspace)

    s = adm.add_parser("create-user", help="create a user; prints a generated password once")
    s.add_argument("--workspace", required=True)
    s.add_argument("--email", required=True)
    s.add_argument("--role", required=True, choices=["admin", "director", "analyst", "viewer"])
    s.add_argument("--name")
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    s.set_defaults(func=cmd_create_user)

    s = adm.add_parser("create-api-key", help='issue an API key; prints {"login": …, "password": …}')
    s.add_argument("--workspace", required=True)
    s.add_argument("--user", required=True, help="the user's e-mail")
    s.add_argument("--description")
    s.set_defaults(func=cmd_create_api_key)
    st = sub.add_parser("storage", help="storage providers cases read their files from").add_subparsers(
        dest="storage_command", required=True
    )
    s = st.add_parser("add", help='register a directory or S3 bucket as a storage provider; prints {"id": …}')
    s.add_argument("--workspace", required=True)
    s.add_argument("--name", required=True)
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", metavar="DIR", help="a directory of this server")
    where.add_argument("--s3", metavar="URL", help="s3://bucket/prefix (credentials from the environment)")
    s.add_argument("--endpoint-url", metavar="U", help="the S3-compatible object store's URL (default AWS)")
    s.set_defaults(func=cmd_storage_add)
    s = st.add_parser("list", help="the workspace's storage providers, as JSON")
    s.add_argument("--workspace", required=True)
    s.set_defaults(func=cmd_storage_list)
    s = st.add_parser("remove", help="unregister a storage provider (its files and imported genomes stay)")
    s.add_argument("--workspace", required=True)
    s.add_argument("provider", help="the provider's id or name")
    s.set_defaults(func=cmd_storage_remove)
    wh = sub.add_parser("webhook", help="webhooks told of case status changes").add_subparsers(
        dest="webhook_command", required=True
    )
    s = wh.add_parser("add", help="register a URL for the workspace's case status changes; prints its secret")
    s.add_argument("--workspace", required=True)
    s.add_argument("--url", required=True)
    s.add_argument("--secret", help="the HMAC-SHA256 key (default: generated and printed once)")
    s.set_defaults(func=cmd_webhook_add)
    s = wh.add_parser("list", help="the workspace's webhooks, as JSON (never their secrets)")
    s.add_argument("--workspace", required=True)
    s.add_argument("--all", action="store_true", help="also the removed ones")
    s.set_defaults(func=cmd_webhook_list)
    s = wh.add_parser("remove", help="stop a webhook; its pending deliveries are dropped, its log kept")
    s.add_argument("--workspace", required=True)
    s.add_argument("id", type=int, help="the webhook's id (webhook list)")
    s.set_defaults(func=cmd_webhook_remove)
    keys = sub.add_parser("keys", help="encryption at rest: keys and rotation").add_subparsers(
        dest="keys_command", required=True
    )
    s = keys.add_parser("generate", help="make a new encryption key; prints '<key-id> <base64>'")
    s.add_argument("--id", help="the key id (default: key-<date>-<random>)")
    s.add_argument(
        "-o",
        "--output",
        metavar="KEY_FILE",
        help="put the key first into this key file (created 0600): it becomes the current key, the "
        "keys already there are kept for reading",
    )
    s.set_defaults(func=cmd_keys_generate)
    s = keys.add_parser(
        "rotate", help="re-wrap every encrypted blob's data key under the current key (idempotent)"
    )
    s.add_argument(
        "--encrypt-plaintext",
        action="store_true",
        help="also encrypt uploads, reports and exports stored before encryption was enabled",
    )
    s.set_defaults(func=cmd_keys_rotate)

    from vardesk.cli import data

    data.add_parsers(sub, lambda name: lambda args: data.dispatch(name, args, _services))

    from vardesk.cli import acmg, cases, rank, worker

    acmg.add_parsers(sub, _services)
    cases.add_parsers(sub, _services)
    rank.add_parser(sub, _services)
    worker.add_parser(sub)

    s = sub.add_parser("openapi", help="print the OpenAPI document of the HTTP API")
    s.add_argument("-o", "--output", help="write to this file instead of standard output")
    s.set_defaults(func=cmd_openapi)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
