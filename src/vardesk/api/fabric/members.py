"""Translating the Fabric report bodies (contract §5.3) into the core's case type and member list.

Fabric names members by keys (``proband_genome_id``, ``mother_genome_id``, ``family_1`` …); the core keeps
an ordered list of members with a relation. A report is created with a member slot for every relative its
type implies, genome or not, so the core keeps it WAITING FOR SAMPLE until every genome is attached. Keys
that are null or absent leave a member unchanged (§1.7).
"""

from __future__ import annotations

from typing import Any

from vardesk.api.fabric.common import blank, clean_text, to_bool, to_int, to_sex
from vardesk.domain.cases import RELATION_SEX, CaseType, default_members
from vardesk.domain.errors import Invalid

FAMILY_KEYS = ("family_1", "family_2", "family_3", "family_4")
RELATIONS = {
    "mother": "MOTHER",
    "father": "FATHER",
    "sibling": "SIBLING",
    "brother": "SIBLING",
    "sister": "SIBLING",
    "child": "CHILD",
    "other": "OTHER",
}


def is_flexible(body: dict[str, Any]) -> bool:
    return "proband" in body or any(k in body for k in FAMILY_KEYS)


def case_type(body: dict[str, Any]) -> tuple[str, str]:
    """(core case type, Fabric test type). Flexible families are the core's ``quintet`` (proband + up to four
    relatives of any relation), whatever size the script named."""
    given = clean_text(body.get("report_type"))
    if not given:
        raise Invalid("report_type is required")
    if is_flexible(body):
        return "quintet", given
    kind = given.lower()
    kind = "exome" if kind == "solo" else kind
    if kind not in {t.value for t in CaseType}:
        raise Invalid(
            f"report_type {given!r} is not one of panel, somatic_panel, panel_trio, exome, Duo, Trio, Quad"
        )
    return kind, given


def slots(kind: str) -> list[dict[str, Any]]:
    return default_members(CaseType(kind))


def from_view(members: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "relation": m.relation,
            "genome_id": m.genome_id,
            "sex": m.sex.value,
            "affected": m.affected.value,
            "label": m.label,
        }
        for m, _ in members
    ]


def _affected(value: Any) -> str | None:
    flag = to_bool(value)
    return None if flag is None else ("AFFECTED" if flag else "UNAFFECTED")


def _set(
    member: dict[str, Any], genome: Any = None, sex: Any = None, affected: Any = None, label: Any = None
) -> None:
    gid = to_int(genome, "genome id")
    if gid is not None:
        member["genome_id"] = gid
    if not blank(sex):
        member["sex"] = to_sex(sex)
    aff = _affected(affected)
    if aff is not None:
        member["affected"] = aff
    if not blank(label):
        member["label"] = clean_text(label)


def overlay(members: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The member list after applying a create/update body's member keys."""
    out = [dict(m) for m in members]

    def slot(relation: str) -> dict[str, Any]:
        for m in out:
            if m["relation"] == relation:
                return m
        m = {"relation": relation, "genome_id": None, "sex": RELATION_SEX.get(relation, "")}
        out.append(m)
        return m

    proband = slot("PROBAND")
    out.remove(proband)
    out.insert(0, proband)
    nested = body.get("proband") if isinstance(body.get("proband"), dict) else {}
    genome = next(
        (
            v
            for v in (body.get("proband_genome_id"), body.get("genome_id"), nested.get("genome_id"))
            if not blank(v)
        ),
        None,
    )
    _set(proband, genome, body.get("proband_sex") or nested.get("sex"))
    for relation, prefix in (("MOTHER", "mother"), ("FATHER", "father"), ("SIBLING", "sibling")):
        gid = body.get(f"{prefix}_genome_id")
        if not blank(gid) or any(m["relation"] == relation for m in out):
            _set(slot(relation), gid, body.get(f"{prefix}_sex"), body.get(f"{prefix}_affected"))
    duo_gid = body.get("duo_relation_genome_id")
    duo_rel = RELATIONS.get(clean_text(body.get("duo_relation")).lower())
    if not blank(duo_gid) or duo_rel:
        relative = out[1] if len(out) > 1 else slot(duo_rel or "OTHER")
        if duo_rel:
            relative["relation"] = duo_rel
            relative["sex"] = relative.get("sex") or RELATION_SEX.get(duo_rel, "")
        _set(relative, duo_gid, None, body.get("duo_affected", body.get("duo_relation_affected")))
    for i, key in enumerate(FAMILY_KEYS, start=1):
        item = body.get(key)
        if not isinstance(item, dict) or all(blank(v) for v in item.values()):
            continue
        if i < len(out):
            member = out[i]
        else:
            member = {"relation": "OTHER", "genome_id": None, "sex": ""}
            out.append(member)
        rel = RELATIONS.get(clean_text(item.get("relationship")).lower())
        if rel:
            member["relation"] = rel
        _set(member, item.get("genome_id"), item.get("sex"), item.get("affected"), item.get("label"))
    return out


def genome_ids(members: list[dict[str, Any]]) -> list[int]:
    return [m["genome_id"] for m in members if m.get("genome_id") is not None]


def options(body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Fabric-only launch options kept with the report and echoed back (§3.3)."""
    opts = dict(current or {})
    for key in ("test_type", "disease_id", "background"):
        if not blank(body.get(key)):
            if isinstance(body[key], dict | list):
                raise Invalid(f"{key} must be a string")
            opts[key] = clean_text(body[key])
    if not blank(body.get("vaast_report_id")):
        opts["vaast_report_id"] = to_int(body["vaast_report_id"], "vaast_report_id")
    for key in ("include_cosmic", "score_indels"):
        flag = to_bool(body.get(key))
        if flag is not None:
            opts[key] = flag
    if "filter_id" in body:  # null (or -1) removes the filter
        fid = to_int(body.get("filter_id"), "filter_id")
        opts["filter_id"] = None if fid is None or fid < 0 else fid
    return opts
