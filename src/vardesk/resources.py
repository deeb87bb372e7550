"""Package data read into memory once, so a running server never reads its install directory again.

A reinstall (``pip install .`` over ``pip install -e .`` or the reverse) removes or replaces the files of
the installed package under a running process; anything the server opened lazily from there would then
fail. Templates and static assets are therefore read here, when the module that needs them is imported.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def _walk(node: Traversable, prefix: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                out.update(_walk(child, name + "/"))
        elif not child.name.endswith((".py", ".pyc")):
            out[name] = child.read_bytes()
    return out


def package_bytes(package: str, directory: str) -> dict[str, bytes]:
    """Every data file under ``directory`` of ``package``, by path relative to it ('/'-separated)."""
    root = files(package).joinpath(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"package {package} has no {directory!r} directory")
    return _walk(root, "")


def package_texts(package: str, directory: str) -> dict[str, str]:
    """Like :func:`package_bytes`, decoded as UTF-8 (templates)."""
    return {name: data.decode("utf-8") for name, data in package_bytes(package, directory).items()}
