"""The Fabric Genomics (Opal / Omicia FE2 and FE3) compatible face: contracts/fabric.md."""

from __future__ import annotations

from fastapi import APIRouter

from vardesk.api.fabric import (
    routes_analysis,
    routes_cases,
    routes_config,
    routes_panels,
    routes_projects,
    routes_reports,
    routes_variants,
)
from vardesk.api.fabric.common import fabric_renderer, fabric_status


def build_router() -> APIRouter:
    """Every Fabric route, in both slash forms, never redirecting."""
    router = APIRouter(redirect_slashes=False)
    for sub in (
        routes_projects,
        routes_reports,
        routes_variants,
        routes_panels,
        routes_config,
        routes_analysis,
        routes_cases,
    ):
        router.include_router(sub.router)
    return router


__all__ = ["build_router", "fabric_renderer", "fabric_status"]
