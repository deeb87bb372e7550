"""Storage providers: registration rules, and that no path — ``..``, an absolute path, a symbolic link —
reaches a file outside a provider's root."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Forbidden, Invalid, NotFound
from vardesk.domain.providers import provider_path


def test_provider_path_parts() -> None:
    assert provider_path("/run/S1/x.vcf.gz") == ("run", "S1", "x.vcf.gz")
    assert provider_path("run//./S1/") == ("run", "S1")
    assert provider_path("") == provider_path("/") == ()
    for bad in ("../x", "/run/../../etc/passwd", "a\\b", "a\x00b"):
        with pytest.raises(Invalid):
            provider_path(bad)


def test_registration_and_confinement(services: Services, tmp_path: Path) -> None:
    world = build_world(services, ("lab-a", "lab-b"))
    ws = services.admin.get_workspace("lab-a")
    root = tmp_path / "runs"
    (root / "run1").mkdir(parents=True)
    (root / "run1" / "a.vcf").write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.vcf").write_text("x")
    (root / "run1" / "link.vcf").symlink_to(outside / "secret.vcf")
    (root / "out").symlink_to(outside)

    analyst = world.member("lab-a", Role.ANALYST).actor
    with pytest.raises(Forbidden):
        services.storage_providers.add_local(ws.id or 0, "Runs", root, actor=analyst)
    with pytest.raises(Invalid):
        services.storage_providers.add_local(ws.id or 0, "Missing", tmp_path / "nope")
    provider = services.storage_providers.add_local(ws.id or 0, "Runs", root)
    with pytest.raises(Conflict):
        services.storage_providers.add_local(ws.id or 0, "Runs", root)

    listing = services.storage_providers.listing(analyst, provider.id, "/run1")
    assert [e.name for e in listing.entries] == ["a.vcf"]  # the link to the outside is not listed
    found = services.storage_providers.locate(analyst, str(provider.id), "/run1/a.vcf")
    assert services.storage_providers.vcf_samples(found) == ["S1"]
    for bad in ("/run1/link.vcf", "/out/secret.vcf", str(outside / "secret.vcf"), "/run1"):
        with pytest.raises((NotFound, Invalid)):
            services.storage_providers.locate(analyst, provider.id, bad)
    with pytest.raises(NotFound):
        services.storage_providers.listing(analyst, provider.id, "/out")
    stranger = world.member("lab-b", Role.ADMIN).actor
    with pytest.raises(NotFound):
        services.storage_providers.get(stranger, provider.id)
    assert services.storage_providers.list(stranger) == []
