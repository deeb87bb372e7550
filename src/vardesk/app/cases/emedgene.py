"""The Emedgene case-creation body (contract §1.3) → the core's :class:`CreateCaseFromStorage` command.

Shared by the Emedgene face (the JSON body of ``POST /api/cases/v2/cases``) and the batch CSV
(``emedgene_batch.py``, which builds the same body per family, as Emedgene's batch CLI does). Only the
body's format is handled here: where each field is, its spellings (``storage_id`` as a number or a
string, phenotypes as ``phenotypes/EMG_PHENOTYPE_nnnnnnn`` ids, ``HP:`` ids or names), the family tree with
its virtual members. The use case checks the values. What the core has no field for (labels, the preset
group, sharing level, the tree as drawn) is kept on the case as the Emedgene record the face shows back."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from vardesk.app.cases.intake import CreateCaseFromStorage, StorageSample
from vardesk.app.commands import CreateCase, NewMember
from vardesk.app.phenotypes import PhenotypeLookup
from vardesk.domain import cases as dc
from vardesk.domain.errors import Invalid, Unprocessable

EMG_PHENOTYPE = "phenotypes/EMG_PHENOTYPE_"
NO_PHENOTYPE = {"unaffected", "no-hpo", "healthy", "none"}
RELATIONS = {"test subject": "PROBAND", "mother": "MOTHER", "father": "FATHER", "sibling": "SIBLING"}
GENDERS = {
    "male": "MALE",
    "m": "MALE",
    "female": "FEMALE",
    "f": "FEMALE",
    "unknown": "UNKNOWN",
    "u": "UNKNOWN",
}
VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf", ".gvcf", ".gvcf.gz")
# the fields of test_data (and of the top level) kept on the case as sent, for GET /api/test/{name}
KEPT = (
    "type",
    "sample_type",
    "gene_list",
    "gene_list_visible",
    "boostGenes",
    "analysis_type",
    "sequence_info",
    "selected_preset_set",
    "labels",
    "consanguinity",
    "disease_penetrance",
    "disease_severity",
    "diseases",
    "inheritance_modes",
    "incidental_findings",
    "indication_for_testing",
    "notes",
    "due_date",
    "extra_data",
    "needReanalysis",
    "reanalysis",
    "remove_aa_tags",
)
TOP_KEPT = ("should_upload", "sharing_level", "enrich_disease_phenotypes", "include_incidental_parents")
MAX_NOTES = 4000


# The preset groups a case can name in ``selected_preset_set`` (case-insensitive): each is a filter preset
# of the core's analysis (overrides of its default: gnomAD AF <= 1 %, protein-altering or splice). Emedgene's
# preset groups are defined per organization and their JSON format is not public (contract §2.4), so these
# are Vardesk's own, named after Emedgene's simple filters (§2.3); an unknown name is refused rather than
# analysed with another preset than the one asked for.
PRESETS: dict[str, dict[str, Any]] = {
    "Default": {},
    "High quality": {"pass_only": True, "min_dp": 10},
    "Moderate quality": {"min_dp": 10},
    "Polymorphism 5%": {"max_af": 0.05},
    "All variants": {"max_af": None, "consequences": []},
}
_PRESET_NAMES = {name.lower(): name for name in PRESETS}


def analysis_preset(name: Any, *, boost: bool = False, secondary: bool = False) -> dict[str, Any]:
    """The core filter preset of a case: the named preset group (empty or null: ``Default``), whether the
    gene list boosts its genes instead of limiting the analysis to them, and the secondary-findings
    consent (the analysis then also looks for incidental findings in the ACMG SF genes)."""
    text = "" if name is None else str(name).strip()
    key = _PRESET_NAMES.get((text or "Default").lower())
    if key is None:
        known = ", ".join(PRESETS)
        raise Invalid(f"test_data.selected_preset_set {text[:60]!r} is not a preset of this server ({known})")
    return {**PRESETS[key], "name": key, "boost_genes": boost, "secondary_findings": secondary}


def secondary_consent(value: Any) -> bool:
    """``incidental_findings``: ``"Yes"`` (or true) is the secondary-findings opt-in; ``null``, ``"No"``,
    ``""`` or false is no consent."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("yes", "true"):
        return True
    if text in ("", "no", "false"):
        return False
    raise Invalid("test_data.incidental_findings must be Yes or No")


def new_case_name() -> str:
    """A case name as Emedgene makes them: ``EMG`` and nine digits (random, so it says nothing of the
    patient or of how many cases the lab has)."""
    return f"EMG{secrets.randbelow(10**9):09d}"


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None or value == "":  # [PY26] sends "extra_data": ""
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"{where} must be a list")
    return value


def _date(value: Any, where: str) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    m = re.fullmatch(r"(\d{4})[-/](\d{2})[-/](\d{2})", text)
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise Invalid(f"{where} {text!r} is not a date YYYY-MM-DD") from None


def _flag(value: Any, where: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise Invalid(f"{where} must be true or false")


def phenotype_ids(items: Any, where: str, lookup: PhenotypeLookup) -> list[str]:
    """HPO ids of phenotypes in any of the three shapes: ``{"id": "phenotypes/EMG_PHENOTYPE_0001250"}``,
    an ``HP:`` id, or ``{"name": "Seizure"}`` (looked up by exact name)."""
    ids: list[str] = []
    names: list[str] = []
    for i, item in enumerate(_list(items, where)):
        raw_id = item.get("id") if isinstance(item, dict) else item
        name = item.get("name") if isinstance(item, dict) else None
        text = str(raw_id or "").strip()
        if text.startswith(EMG_PHENOTYPE):
            ids.append("HP:" + text[len(EMG_PHENOTYPE) :])
        elif text:
            ids.append(text)
        elif name and str(name).strip().lower() not in NO_PHENOTYPE:
            names.append(str(name).strip())
        elif not name:
            raise Invalid(f"{where}[{i}] needs an id or a name")
    return ids + (lookup.ids_of_names(names) if names else [])


def _member(node: dict[str, Any], relation: str, where: str) -> NewMember:
    gender = str(node.get("gender") or "Unknown").strip().lower()
    if gender not in GENDERS:
        raise Invalid(f"{where}.gender {node.get('gender')!r} is not one of Male, Female, Unknown")
    healthy = node.get("healthy")
    affected = (
        None if healthy is None else ("UNAFFECTED" if _flag(healthy, f"{where}.healthy") else "AFFECTED")
    )
    _date(node.get("date_of_birth"), f"{where}.date_of_birth")
    return NewMember(
        relation=relation, sex=GENDERS[gender], affected=affected, label=str(node.get("id") or "")
    )


def _family(patients: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    """(node, relation, where) of every person with a patient object, proband first; virtual parents
    (ids a node points at without a patient object) are drawn by the client only."""
    out = []
    proband = _obj(patients.get("proband"), "test_data.patients.proband")
    if not proband:
        raise Invalid("test_data.patients.proband is required")
    out.append((proband, "PROBAND", "test_data.patients.proband"))
    for key in ("mother", "father"):
        node = _obj(patients.get(key), f"test_data.patients.{key}")
        if node:
            out.append((node, key.upper(), f"test_data.patients.{key}"))
    for i, node in enumerate(_list(patients.get("other"), "test_data.patients.other")):
        where = f"test_data.patients.other[{i}]"
        node = _obj(node, where)
        rel = RELATIONS.get(str(node.get("relationship") or "").strip().lower(), "OTHER")
        out.append((node, "OTHER" if rel in ("PROBAND", "MOTHER", "FATHER") else rel, where))
    return out


def _sample_file(sample: dict[str, Any], where: str) -> tuple[Any, str, str] | None:
    """(storage id, path, VCF column) of the sample's VCF, or None when it names none."""
    for j, f in enumerate(_list(sample.get("sampleFiles"), f"{where}.sampleFiles")):
        f = _obj(f, f"{where}.sampleFiles[{j}]")
        path = str(f.get("path") or f.get("filename") or "")
        if path.lower().endswith(VCF_SUFFIXES):
            storage = f.get("storage_id", sample.get("storage_id"))
            if storage in (None, ""):
                raise Invalid(f"{where}.sampleFiles[{j}].storage_id is required")
            return storage, path, str(f.get("vcf_column_name") or "")
    return None


def case_command(
    body: dict[str, Any], project: str, lookup: PhenotypeLookup, *, dry_run: bool
) -> CreateCaseFromStorage:
    data = _obj(body.get("test_data"), "test_data")
    if not data:
        raise Invalid("test_data is required")
    patients = _obj(data.get("patients"), "test_data.patients")
    family = _family(patients)
    members = [_member(node, rel, where) for node, rel, where in family]
    proband = family[0][0]
    hpo = phenotype_ids(proband.get("phenotypes"), "test_data.patients.proband.phenotypes", lookup)
    for node, _, where in family[1:]:
        phenotype_ids(node.get("phenotypes"), f"{where}.phenotypes", lookup)  # checked, kept as sent

    by_sample: dict[str, int] = {}
    for pos, (node, _, where_) in enumerate(family):
        # the sample with files, or the name of an empty sample ("pending", files to come) [CLI]
        name = str(node.get("fastq_sample") or node.get("pending_sample_name") or "").strip()
        if name:
            if name in by_sample:
                raise Invalid(f"{where_}: its sample is already another family member's")
            by_sample[name] = pos
    samples: list[StorageSample] = []
    for i, sample in enumerate(_list(data.get("samples"), "test_data.samples")):
        where = f"test_data.samples[{i}]"
        sample = _obj(sample, where)
        name = str(sample.get("fastq") or "").strip()
        if name not in by_sample:
            raise Invalid(f"{where}.fastq names no family member's fastq_sample or pending_sample_name")
        pos = by_sample[name]
        if sample.get("id") not in (None, ""):  # a sample already on the platform
            members[pos] = NewMember(**{**members[pos].__dict__, "genome": sample["id"]})
            continue
        found = _sample_file(sample, where)
        if found is not None:
            storage, path, column = found
            samples.append(StorageSample(pos, storage, path, column, name))

    notes = str(data.get("notes") or "")
    if len(notes) > MAX_NOTES:
        raise Invalid(f"test_data.notes has at most {MAX_NOTES} characters")
    due = _date(data.get("due_date"), "test_data.due_date")
    labels = _list(data.get("labels"), "test_data.labels")
    if any(not isinstance(x, int) or isinstance(x, bool) for x in labels):
        raise Invalid("test_data.labels must be a list of label ids (numbers)")
    sharing = body.get("sharing_level", 1)
    if sharing not in (0, 1):
        raise Invalid("sharing_level must be 0 or 1")
    should_upload = _flag(body.get("should_upload"), "should_upload")
    boost = _flag(data.get("boostGenes"), "test_data.boostGenes")
    extra = _obj(data.get("extra_data"), "test_data.extra_data")

    gene_list = _obj(data.get("gene_list"), "test_data.gene_list")
    list_type = str(gene_list.get("type") or "all").strip().lower()
    panel, panel_name, panel_genes = None, "", []
    if list_type == "existing":
        panel = gene_list.get("id")
        if panel in (None, ""):
            raise Invalid("test_data.gene_list.id is required for an existing gene list")
    elif list_type == "new":
        panel_name = str(gene_list.get("name") or "").strip()
        for j, g in enumerate(_list(gene_list.get("genes"), "test_data.gene_list.genes")):
            symbol = str(g.get("name") if isinstance(g, dict) else g or "").strip()
            if not symbol:
                raise Invalid(f"test_data.gene_list.genes[{j}] needs a name")
            panel_genes.append(symbol)
        if not panel_genes:  # what the case-creation screen sends for "all genes"
            panel_name = ""
    elif list_type != "all":
        raise Invalid(f"test_data.gene_list.type {list_type!r} is not one of all, existing, new")

    facts: dict[str, Any] = {str(k): v for k, v in extra.items() if not isinstance(v, (dict, list))}
    dob = _date(proband.get("date_of_birth"), "test_data.patients.proband.date_of_birth")
    if dob:
        facts["Patient DOB"] = dob
    facts["Patient Sex"] = str(proband.get("gender") or "Unknown")
    ethnicity = _obj(proband.get("detailed_ethnicity"), "test_data.patients.proband.detailed_ethnicity")
    groups = [str(x) for side in ("maternal", "paternal") for x in _list(ethnicity.get(side), "ethnicity")]
    if groups:
        facts["Patient Ethnicity"] = "; ".join(dict.fromkeys(groups))
    if data.get("indication_for_testing"):
        facts["Indication for Testing"] = str(data["indication_for_testing"])

    preset = analysis_preset(
        data.get("selected_preset_set"),
        boost=boost and (panel is not None or bool(panel_genes)),
        secondary=secondary_consent(data.get("incidental_findings")),
    )
    record = {k: data[k] for k in KEPT if k in data} | {k: body[k] for k in TOP_KEPT if k in body}
    record["patients"] = patients
    record["samples"] = data.get("samples") or []
    kind = str(data.get("type") or "").strip().lower()
    case_type = "FAMILY" if len(members) > 1 else ("panel" if kind == "custom panel" else "exome")
    case = CreateCase(
        study="",
        type=case_type,
        title=notes[:200],
        panel=panel,
        filter_preset=preset,
        hpo_terms=hpo,
        members=members,
        patient_fields=facts,
        external_ids={"emedgene": record},
        dates={"due": due} if due else {},
    )
    return CreateCaseFromStorage(
        case=case,
        project=project,
        project_name="Emedgene cases",
        samples=samples,
        panel_name=panel_name,
        panel_genes=panel_genes,
        dry_run=dry_run,
        defer=should_upload,
    )


def label_filter(values: list[str]) -> set[int]:
    """The label ids of ``GET /api/test?labels=12&labels=13`` (or ``labels=12,13``)."""
    out: set[int] = set()
    for v in values:
        for part in v.split(","):
            text = part.strip()
            if not text:
                continue
            if not text.isascii() or not text.isdigit():
                raise Invalid("labels must be label ids (numbers)")
            out.add(int(text))
    return out


def has_labels(record: dict[str, Any], wanted: set[int]) -> bool:
    """A case carries one of the labels asked for (every case when none is asked)."""
    return not wanted or bool(wanted & {x for x in record.get("labels") or [] if isinstance(x, int)})


# The lifecycle statuses of §1.8 a user may ask for → the core's status machine (which decides what may
# follow what, and who may finalize); any other name is one of the workspace's review statuses (Emedgene's
# custom statuses between Delivered and Finalized), as the face shows them.
STATUS_OF = {
    "delivered": dc.READY_TO_REVIEW,
    "finalized": dc.APPROVED,
    "issue reported": dc.FAILED,
    "in progress": dc.WAITING,  # a failed case sent back to its analysis
    "re-analysis": dc.WAITING,
}
SYSTEM_ONLY = ("uploading", "pending sequencing", "queued")
NOT_SUPPORTED = ("trash bin", "move to trash")


def core_status(name: Any) -> str:
    """The core status a status change names (``{"status": "Finalized"}``)."""
    if not isinstance(name, str) or not name.strip():
        raise Invalid("status must be a case status name, e.g. Delivered or Finalized")
    key = " ".join(name.split()).lower()
    if key in SYSTEM_ONLY:
        raise Unprocessable(f"the status {name.strip()[:40]!r} is set by the system, not by a request")
    if key in NOT_SUPPORTED:
        raise Unprocessable("cases are not deleted through this API; Vardesk keeps every case")
    return STATUS_OF.get(key, key.upper())
