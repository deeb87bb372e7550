"""The start-up sweep: scratch work and unfinished writes of a process that died on this host are removed;
a live process's (this one, another on this host, one on another host sharing the store) are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from vardesk import processes
from vardesk.storage.blobs import LocalBlobStore

TAG_OF_CHILD = "from vardesk import processes; print(processes.tag(), flush=True)"


def dead_tag() -> str:
    """The owner tag of a process that has exited."""
    out = subprocess.run([sys.executable, "-c", TAG_OF_CHILD], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_dead_owners_scratch_and_parts_are_swept_a_live_owners_kept(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    live_child = subprocess.Popen(
        [sys.executable, "-c", TAG_OF_CHILD + "; import time; time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert live_child.stdout is not None
        live_tag = live_child.stdout.readline().strip()
        gone = dead_tag()
        assert processes.is_dead(processes.parse_tag(gone))  # type: ignore[arg-type]
        scratch = tmp_path / "blobs" / ".scratch"
        (scratch / f"{gone}_abc").mkdir()
        (scratch / f"{gone}_abc" / "upload").write_bytes(b"half an upload")
        (scratch / f"{live_tag}_def").mkdir()
        (scratch / f"0_1.2_{'other-host'}_ghi").mkdir()  # another host's: never judged from here
        store.put_bytes("uploads/1/a.vcf", b"whole")
        part_dir = tmp_path / "blobs" / "uploads" / "1"
        (part_dir / f".b.vcf~{gone}.part").write_bytes(b"half")
        (part_dir / f".c.vcf~{live_tag}.part").write_bytes(b"being written")
        old = part_dir / ".d.vcf.part"  # naming no owner: swept once old
        old.write_bytes(b"old")
        os.utime(old, (time.time() - 2 * 86400,) * 2)
        (part_dir / ".e.vcf.part").write_bytes(b"fresh")
        with store.scratch() as mine:
            (mine / "work").write_bytes(b"in progress")
            assert store.sweep() == 3
            assert (mine / "work").read_bytes() == b"in progress"  # this live process's own work
        assert sorted(p.name for p in scratch.iterdir()) == sorted(
            [f"{live_tag}_def", "0_1.2_other-host_ghi"]
        )
        assert sorted(p.name for p in part_dir.iterdir()) == sorted(
            ["a.vcf", f".c.vcf~{live_tag}.part", ".e.vcf.part"]
        )
        assert store.read_bytes("uploads/1/a.vcf") == b"whole" and store.sweep() == 0
    finally:
        live_child.kill()
        live_child.wait()


def test_a_reused_pid_does_not_keep_a_dead_owner_alive() -> None:
    me = processes.current()
    assert not processes.is_dead(me)
    assert processes.is_dead(processes.Owner(me.host, me.pid, me.start + "9")) is bool(me.start)
    assert not processes.is_dead(processes.Owner("elsewhere", 1 << 30, ""))
    assert processes.parse_tag(processes.tag(me)) == me
    assert processes.parse_tag("tmpabc") is None
