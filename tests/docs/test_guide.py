"""Every example of the user guide (docs/guide/*.md) runs against a real server.

The harness seeds the demo workspace into a temporary data directory (``vardesk demo``), starts
``vardesk serve`` on a free loopback port and waits until the demo trio is ready to review. Then it runs
the guide page by page, in the order of ``PAGES``, each page's fenced code blocks in document order:

* ```` ```sh ```` and ```` ```bash ```` blocks run in ``bash`` with ``set -euo pipefail`` prepended;
* ```` ```python ```` blocks run in this Python (``requests`` and ``pyopencga`` are test dependencies),
  the blocks of one page sharing one namespace;
* other languages (``json``, ``text``, ``toml``, ``yaml``…) are shown, never run.

Pages run in order and a page may use what earlier pages made, so running one page alone (``-k``) runs
the pages before it first. Every block runs in one working directory shared by the whole guide, with
the environment the guide's index page describes: its "Running the examples" block writes
``vardesk.env`` (``export NAME=value`` lines), which the harness reads after each block and passes to
every later one. ``VARDESK_DATA_DIR`` and ``VARDESK_PORT`` point at the test server, so CLI examples
act on the same workspace. ``pytest -s`` shows how long each block took.

Attributes change how a block is treated; they are written with the language as the first class,
```` ```{.sh .no-run} ```` (Python-Markdown's attribute form, so MkDocs renders the block as ``sh``):

* ``.no-run`` — shown, never run (installing with pip, starting a server that never returns). These
  must stay few: ``NO_RUN`` lists every one, and the test fails when the guide's set differs.
* ``.giab`` — needs the public GIAB trio slice (``../shared/testdata/giab-trio-grch37`` beside the
  checkout, given to the block as ``VARDESK_GIAB``); skipped cleanly when the slice is absent.

Only SQLite is used: the guide describes the embedded default, and the catalog tests cover PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, TESTDATA, free_port

GUIDE = REPO / "docs" / "guide"
GIAB = TESTDATA / "giab-trio-grch37"
# The guide's pages in reading order (index.md sets up the environment for the others).
PAGES = (
    "index.md",
    "install.md",
    "demo.md",
    "configuration.md",
    "users.md",
    "importing.md",
    "cases.md",
    "filtering.md",
    "ranking.md",
    "interpretation.md",
    "sign-out.md",
    "exports.md",
    "cli.md",
    "native-api.md",
    "fabric-api.md",
)
# Every block marked {.no-run}: (page, first line). Keep this short.
NO_RUN = {
    ("install.md", "pip install ."),
    ("install.md", "pip install -e '.[test]'"),
    ("demo.md", "vardesk demo --serve"),
    (
        "configuration.md",
        "export VARDESK_DATABASE_URL=postgresql+psycopg://vardesk:secret@db.example.org/vardesk",
    ),
}
MAX_NO_RUN = 5
EXECUTED = ("sh", "bash", "python")
# ```sh, or with attributes ```{.sh .no-run} (the form Python-Markdown, hence MkDocs, understands)
FENCE = re.compile(r"^```(?:(?P<lang>[\w+-]*)|\{\s*\.(?P<braced>[\w+-]+)(?P<attrs>[^}]*)\})\s*$")


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    lang: str
    attrs: frozenset[str]
    code: str

    @property
    def where(self) -> str:
        return f"docs/guide/{self.page}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.lang in EXECUTED and ".no-run" not in self.attrs


def blocks(page: str) -> list[Block]:
    """The fenced code blocks of a guide page, in document order."""
    out: list[Block] = []
    lines = (GUIDE / page).read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/guide/{page}:{start + 1}: code block never closed"
        attrs = frozenset((m.group("attrs") or "").split())
        lang = (m.group("lang") or m.group("braced") or "").lower()
        out.append(Block(page, start + 1, lang, attrs, "\n".join(body) + "\n"))
        i += 1
    return out


def test_every_page_is_listed_and_runs_something() -> None:
    assert sorted(p.name for p in GUIDE.glob("*.md")) == sorted(PAGES)
    no_run = set()
    for page in PAGES:
        found = blocks(page)
        unconditional = [b for b in found if b.runs and ".giab" not in b.attrs]
        assert unconditional, f"docs/guide/{page} has no example that always runs"
        unknown = {a for b in found for a in b.attrs} - {".no-run", ".giab"}
        assert not unknown, f"docs/guide/{page}: unknown block attributes {unknown}"
        no_run |= {(b.page, b.code.splitlines()[0]) for b in found if ".no-run" in b.attrs}
    assert no_run == NO_RUN
    assert len(no_run) <= MAX_NO_RUN


LINK = re.compile(r"\]\((?!https?://)([^)#\s]+)?(?:#([^)\s]+))?\)")


def _anchors(path: Path) -> set[str]:
    """GitHub/MkDocs-style heading anchors of a Markdown file."""
    out = set()
    for line in path.read_text().splitlines():
        if line.startswith("#") and not line.startswith("#!"):
            text = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


def test_links_between_pages_resolve() -> None:
    for page in PAGES:
        text = (GUIDE / page).read_text()
        for target, anchor in LINK.findall(text):
            path = (GUIDE / target).resolve() if target else GUIDE / page
            assert path.is_file(), f"docs/guide/{page}: link to missing {target}"
            if anchor and path.suffix == ".md":
                assert anchor in _anchors(path), (
                    f"docs/guide/{page}: no heading #{anchor} in {target or page}"
                )


# -- the server and the environment the guide's examples run in --------------------------------------
@dataclass
class Guide:
    workdir: Path
    env: dict[str, str]
    namespaces: dict[str, dict]
    done: set[str] = field(default_factory=set)


def _wait_ready(url: str, login: str, password: str, timeout: float = 90) -> None:
    """Until the demo trio's analysis has run (the demo queues its indexing job for the server)."""
    deadline = time.time() + timeout
    status = ""
    while time.time() < deadline:
        r = requests.get(
            f"{url}/api/v2/analysis/clinical/DEMO-TRIO/info?study=demo@demo:default",
            auth=(login, password),
            timeout=10,
        )
        results = r.json()["responses"][0]["results"] if r.ok else []
        status = results[0]["status"]["id"] if results else r.text
        if status == "READY TO REVIEW":
            return
        assert status != "FAILED", "the demo case's analysis failed"
        time.sleep(0.25)
    raise AssertionError(f"the demo case never became READY TO REVIEW (last: {status})")


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guide]:
    root = tmp_path_factory.mktemp("guide")
    bindir, workdir = root / "bin", root / "work"
    bindir.mkdir()
    workdir.mkdir()
    # `vardesk` and `python3` in the examples are this interpreter, with this checkout's code
    for name, cmd in (("vardesk", f'"{sys.executable}" -m vardesk.cli.main'), ("python3", sys.executable)):
        script = bindir / name
        script.write_text(f'#!/bin/sh\nexec {cmd} "$@"\n')
        script.chmod(0o755)
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")) if p
        ),
        "VARDESK_DATA_DIR": str(root / "data"),
        "VARDESK_PORT": str(port),
        "VARDESK_LOG_FORMAT": "text",
        "VARDESK_LOG_LEVEL": "WARNING",
        # cheap password hashes: the harness logs in often; the guide does not depend on the cost
        "VARDESK_HASH_TIME_COST": "1",
        "VARDESK_HASH_MEMORY_KIB": "8192",
    }
    if GIAB.is_dir():
        env["VARDESK_GIAB"] = str(GIAB)
    seeded = subprocess.run(
        ["vardesk", "demo"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert seeded.returncode == 0, seeded.stderr
    key = json.loads(seeded.stdout)["api_key"]
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        ["vardesk", "serve", "--port", str(port)], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or busy starting its first job
                pass
            assert server.poll() is None, (root / "server.log").read_text()
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.1)
        _wait_ready(url, key["login"], key["password"])
        g = Guide(workdir, env, {})
        run_page(g, "index.md")
        assert "VARDESK_URL" in g.env, "index.md's set-up block wrote no VARDESK_URL to vardesk.env"
        yield g
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _read_env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^export ([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
        if m:
            value = m.group(2)
            out[m.group(1)] = value[1:-1] if value[:1] == value[-1:] and value[:1] in "'\"" else value
    return out


@contextmanager
def _environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_block(g: Guide, block: Block) -> None:
    if block.lang == "python":
        ns = g.namespaces.setdefault(block.page, {"__name__": "__guide__"})
        with _environment(g.env, g.workdir):
            try:
                exec(compile(block.code, block.where, "exec"), ns)  # noqa: S102 - the guide's own examples
            except Exception as exc:
                raise AssertionError(f"{block.where} failed: {exc!r}\n{block.code}") from exc
        return
    r = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + block.code],
        cwd=g.workdir,
        env=g.env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert r.returncode == 0, (
        f"{block.where} exited {r.returncode}\n--- block\n{block.code}--- stdout\n{r.stdout}"
        f"--- stderr\n{r.stderr}"
    )


def run_page(g: Guide, page: str) -> int:
    g.done.add(page)  # even when it fails: its examples run once
    ran = 0
    for block in blocks(page):
        if not block.runs or (".giab" in block.attrs and "VARDESK_GIAB" not in g.env):
            continue
        started = time.perf_counter()
        run_block(g, block)
        print(f"{block.where}: {time.perf_counter() - started:.1f} s")  # shown with pytest -s
        ran += 1
        env_file = g.workdir / "vardesk.env"
        if env_file.exists():
            g.env.update(_read_env_file(env_file))
    return ran


@pytest.mark.parametrize("page", [p for p in PAGES if p != "index.md"])
def test_page_examples_run(guide: Guide, page: str) -> None:
    # A page may use what the pages before it made (the guide is read in order, e.g. sign-out approves
    # the case interpretation interpreted), so a page run alone (-k) first runs the earlier ones.
    for earlier in PAGES[1 : PAGES.index(page)]:
        if earlier not in guide.done:
            run_page(guide, earlier)
    assert run_page(guide, page) > 0
