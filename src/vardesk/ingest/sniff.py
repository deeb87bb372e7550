"""Compression sniffing and guarded, streaming decompression (gzip/BGZF, bzip2, plain).

The compression is read from the first bytes, never from the file name. Decompression streams in
bounded blocks and stops with :class:`Invalid` on truncated or corrupt streams and on
decompression bombs (a ratio or total-size limit), so an upload can never fill memory or disk.
"""

from __future__ import annotations

import bz2
import hashlib
import queue
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from vardesk.domain.errors import Invalid, TooLarge

_READ = 1 << 20


class Compression(StrEnum):
    PLAIN = "plain"
    GZIP = "gzip"
    BGZF = "bgzf"
    BZIP2 = "bzip2"


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one VCF. All are configurable per call."""

    max_line_bytes: int = 1 << 20
    max_ratio: float = 200.0
    ratio_grace_bytes: int = 64 << 20
    max_uncompressed_bytes: int = 1 << 40
    block_bytes: int = 8 << 20


def sniff_compression(path: Path | str) -> Compression:
    """Compression of ``path`` from its magic bytes (gzip ``1f 8b``, BGZF = gzip + ``BC`` extra, ``BZh``)."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] == b"\x1f\x8b":
        if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
            return Compression.BGZF
        return Compression.GZIP
    if head[:3] == b"BZh":
        return Compression.BZIP2
    return Compression.PLAIN


def check_size(path: Path | str, max_bytes: int) -> int:
    """Size of ``path``; :class:`TooLarge` when over ``max_bytes``."""
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise TooLarge(
            f"file is {size} bytes, over the limit of {max_bytes} bytes", size=size, limit=max_bytes
        )
    return size


def md5sum(path: Path | str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ * 4):
            digest.update(chunk)
    return digest.hexdigest()


def verify_md5(path: Path | str, expected: str) -> None:
    """:class:`Invalid` when the MD5 of ``path`` is not ``expected`` (hex, case-insensitive)."""
    actual = md5sum(path)
    if actual != expected.strip().lower():
        raise Invalid(f"MD5 mismatch: file has {actual}, expected {expected.strip().lower()}")


class ReadCounter:
    """Counts compressed bytes read and bytes produced, and enforces the bomb limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.read = 0
        self.out = 0
        # compressed bytes behind the blocks handed to the consumer so far, when decompression reads
        # ahead on a thread (``read`` then runs a few blocks ahead of what has been parsed)
        self.consumed: int | None = None

    def account(self, read: int, out: int) -> None:
        self.read += read
        self.out += out
        lim = self.limits
        if self.out > lim.max_uncompressed_bytes:
            raise Invalid(
                f"decompressed size exceeds the limit of {lim.max_uncompressed_bytes} bytes "
                "(possible decompression bomb)"
            )
        if self.out > lim.ratio_grace_bytes and self.out > lim.max_ratio * max(self.read, 1):
            raise Invalid(
                f"compression ratio over {lim.max_ratio:g}:1 after {self.out} bytes "
                "(possible decompression bomb)"
            )


def _raw_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ):
            yield chunk


def _gzip_blocks(path: Path, guard: ReadCounter, block: int) -> Iterator[bytes]:
    return _coalesce(_gzip_members(path, guard, block), block)


def _coalesce(parts: Iterator[bytes], block: int) -> Iterator[bytes]:
    """Join small outputs (BGZF members are 64 KiB) into blocks of about ``block`` bytes."""
    acc: list[bytes] = []
    size = 0
    for part in parts:
        acc.append(part)
        size += len(part)
        if size >= block:
            yield b"".join(acc)
            acc, size = [], 0
    if acc:
        yield b"".join(acc)


def _gzip_members(path: Path, guard: ReadCounter, block: int) -> Iterator[bytes]:
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    carry = b""
    for chunk in _raw_chunks(path):
        guard.account(len(chunk), 0)
        pending = carry + chunk
        carry = b""
        while pending:
            if d.eof:
                if len(pending) < 2:
                    carry = pending
                    break
                if pending[:2] != b"\x1f\x8b":
                    if pending.strip(b"\x00"):
                        raise Invalid("trailing garbage after the end of the gzip stream")
                    break
                d = zlib.decompressobj(zlib.MAX_WBITS | 16)
            try:
                out = d.decompress(pending, block)
            except zlib.error as exc:
                raise Invalid(f"corrupt gzip data: {exc}") from None
            pending = d.unused_data if d.eof else d.unconsumed_tail
            if out:
                guard.account(0, len(out))
                yield out
    if not d.eof:
        raise Invalid("truncated gzip file: the compressed stream ends before its end marker")


def _bzip2_blocks(path: Path, guard: ReadCounter, block: int) -> Iterator[bytes]:
    return _coalesce(_bzip2_parts(path, guard, block), block)


def _bzip2_parts(path: Path, guard: ReadCounter, block: int) -> Iterator[bytes]:
    d = bz2.BZ2Decompressor()
    for chunk in _raw_chunks(path):
        guard.account(len(chunk), 0)
        data = chunk
        while True:
            if d.eof:
                rest = d.unused_data + data
                if not rest:
                    break
                if rest[:3] != b"BZh":
                    raise Invalid("trailing garbage after the end of the bzip2 stream")
                d = bz2.BZ2Decompressor()
                data = rest
            try:
                out = d.decompress(data, block)
            except OSError as exc:
                raise Invalid(f"corrupt bzip2 data: {exc}") from None
            data = b""
            if out:
                guard.account(0, len(out))
                yield out
            if d.eof or d.needs_input:
                if d.eof and d.unused_data:
                    continue
                break
    if not d.eof:
        raise Invalid("truncated bzip2 file: the compressed stream ends before its end marker")


def _plain_blocks(path: Path, guard: ReadCounter, block: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            guard.account(len(chunk), len(chunk))
            yield chunk


def decompressed_blocks(
    path: Path | str, limits: Limits | None = None, *, threaded: bool = True
) -> tuple[Compression, Iterator[bytes], ReadCounter]:
    """(compression, iterator of decompressed blocks of about ``limits.block_bytes``, byte counter).

    With ``threaded`` the decompression runs ahead on a background thread (zlib and bz2 release
    the GIL), so it overlaps with parsing; errors surface in the consumer in order.
    """
    lim = limits or Limits()
    path = Path(path)
    comp = sniff_compression(path)
    guard = ReadCounter(lim)
    make = {
        Compression.GZIP: _gzip_blocks,
        Compression.BGZF: _gzip_blocks,
        Compression.BZIP2: _bzip2_blocks,
        Compression.PLAIN: _plain_blocks,
    }[comp]
    gen = make(path, guard, lim.block_bytes)
    return comp, (_ahead_counted(gen, guard) if threaded else gen), guard


def _ahead_counted(gen: Iterator[bytes], guard: ReadCounter) -> Iterator[bytes]:
    """:func:`_ahead`, keeping ``guard.consumed`` at the compressed position of the last block handed out."""
    guard.consumed = 0
    inner = _ahead((block, guard.read) for block in gen)  # type: ignore[arg-type]
    try:
        for block, position in inner:  # type: ignore[misc]
            guard.consumed = position
            yield block
    finally:
        inner.close()


_END = object()


def _ahead(gen: Iterator[bytes], depth: int = 4) -> Iterator[bytes]:
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in gen:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)

    worker = threading.Thread(target=run, name="vcf-decompress", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.05)
