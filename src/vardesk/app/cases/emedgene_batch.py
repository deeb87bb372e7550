"""The Emedgene batch CSV (contract §1.10): many cases from one file, checked whole before any is created.

The file is Emedgene's batch template: a ``[Data]`` line, then the (case-sensitive) column names, then one
row per sample; the rows of one ``Family Id`` are one case. :func:`read_batch` checks every row as
Emedgene's batch CLI does and builds, per family, the case-creation body the CLI would send
(``emedgene.case_command`` turns it into the core's command, exactly as for the face's JSON body).
:meth:`CaseBatch.check` adds what only the server knows — the storage providers, the files and their sample
columns, every rule of the case itself (a dry run of :class:`CaseIntake`) — and :meth:`CaseBatch.create`
creates the cases of a plan without problems, one family after the other.

Problems name the row (the row number a spreadsheet shows: the ``[Data]`` line is row 1) and the column,
never a cell's value where it may identify a patient (family ids, sample names, dates).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from vardesk.app.cases.emedgene import EMG_PHENOTYPE, NO_PHENOTYPE, case_command, new_case_name
from vardesk.app.cases.intake import CaseIntake
from vardesk.app.phenotypes import PhenotypeLookup
from vardesk.app.storage_providers import StorageProviderService
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, NotFound, VardeskError, error_text

# the template ``batchCasesCreator.js saveTemplateFile`` writes [CLI]
COLUMNS = (
    "Family Id",
    "Case Type",
    "Files Names",
    "Sample Type",
    "BioSample Name",
    "Visualization Files",
    "Storage Provider Id",
    "Default Project",
    "Execute Now",
    "Relation",
    "Sex",
    "Phenotypes",
    "Phenotypes Id",
    "Date Of Birth",
    "Boost Genes",
    "Gene List Id",
    "Kit Id",
    "Intersect Bed Id",
    "Selected Preset",
    "Label Id",
    "Clinical Notes",
    "Due Date",
    "Opt In",
)
ALIASES = {"Gender": "Sex"}
MAX_CASES = 50
MAX_BYTES = 5 * 2**20  # "Maximum file size: 5 MB, 50 cases"
MAX_PHENOTYPES = 100
MAX_NOTES = 4000
RELATIONSHIP = {"proband": "Test Subject", "mother": "Mother", "father": "Father", "sibling": "Sibling"}
SEXES = {"m": "Male", "male": "Male", "f": "Female", "female": "Female", "u": "Unknown", "unknown": "Unknown"}
FASTQ_SUFFIXES = (".fastq.gz", ".fq.gz", ".bam", ".cram")
VCF_SUFFIXES = (".vcf.gz", ".vcf", "gvcf.gz", "gvcf")
VISUALISATION_SUFFIXES = (
    ".bam",
    ".cram",
    ".tn.bw",
    ".baf.bw",
    ".roh.bed",
    ".target.counts.bw",
    ".metrics.tar.gz",
)
FILE_COLUMNS = ("Files Names", "Storage Provider Id", "BioSample Name")
HPO_ID = re.compile(r"HP:(\d{7})")


@dataclass(frozen=True)
class BatchProblem:
    row: int
    column: str
    message: str

    def text(self) -> str:
        return (
            f"row {self.row}, column {self.column!r}: {self.message}"
            if self.column
            else (f"row {self.row}: {self.message}")
        )


@dataclass
class BatchFamily:
    rows: list[int]  # the family's rows, in file order
    body: dict[str, Any]  # the case-creation body of contract §1.3
    vcfs: list[tuple[int, int, str, str]] = field(default_factory=list)  # (row, storage id, path, column)


@dataclass
class BatchPlan:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells) of every sample row
    families: list[BatchFamily]
    problems: list[BatchProblem]

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one input row: its family's case name, or why none was created."""

    row: int
    case: str = ""
    error: str = ""


# -- reading the file ---------------------------------------------------------------------------------


# What the batch CLI can do on Emedgene and a file cannot ask of Vardesk: why, and what to give instead.
UNSUPPORTED = {
    "auto": "Files Names auto finds the files in a BaseSpace project (Default Project); Vardesk has no "
    "BaseSpace storage: give the paths of the sample's VCF in a storage provider (Storage Provider Id) "
    "instead",
    "existing": "Files Names existing reuses a sample already on Emedgene, found by BioSample Name; a batch "
    "file cannot do that on Vardesk: give the path of the sample's VCF (the API accepts samples[].id)",
    "fastq": "FASTQ, BAM and CRAM samples are not supported: Vardesk runs no secondary analysis (alignment "
    "and variant calling); give the sample's VCF (e.g. DRAGEN's .hard-filtered.vcf.gz) in Files Names",
}


def _flag(text: str, column: str, problems: list[BatchProblem], row: int, default: bool) -> bool:
    value = text.strip().lower()
    if value in ("true", "false"):
        return value == "true"
    if value:
        problems.append(BatchProblem(row, column, f"{column} must be true or false"))
    return default


def _number(text: str, column: str, problems: list[BatchProblem], row: int) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        problems.append(BatchProblem(row, column, f"{column} must be a number"))
        return None
    return int(value)


def _date(text: str, column: str, problems: list[BatchProblem], row: int) -> str:
    value = text.strip()
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})([-/])(\d{2})\2(\d{2})", value)
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[3]), int(m[4])).isoformat()
    except ValueError:  # never the value itself: a date of birth identifies
        problems.append(BatchProblem(row, column, f"{column} must be a date YYYY-MM-DD or YYYY/MM/DD"))
        return ""


def _items(text: str) -> list[str]:
    return [x.strip() for x in text.split(";") if x.strip()]


def _header(lines: list[list[str]], problems: list[BatchProblem]) -> list[str] | None:
    if not lines or [c.strip() for c in lines[0] if c.strip()] != ["[Data]"]:
        problems.append(BatchProblem(1, "", "the file must start with a [Data] line"))
        return None
    if len(lines) < 2 or not any(c.strip() for c in lines[1]):
        problems.append(BatchProblem(2, "", "row 2 must hold the column names"))
        return None
    header = [ALIASES.get(c.strip(), c.strip()) for c in lines[1]]
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.append(BatchProblem(2, "", "a column has no name"))
        elif name in seen:
            problems.append(BatchProblem(2, name, "the column appears twice"))
        elif name not in COLUMNS and " " in name:
            problems.append(BatchProblem(2, name, "a custom column name must not contain spaces"))
        seen.add(name)
    for name in ("Family Id", "Case Type"):
        if name not in seen:
            problems.append(BatchProblem(2, name, f"the column {name} is required"))
    if "Phenotypes" not in seen and "Phenotypes Id" not in seen:
        problems.append(BatchProblem(2, "Phenotypes", "One of Phenotypes or Phenotypes Id is required"))
    return header


def _files(row: int, cells: dict[str, str], problems: list[BatchProblem]) -> tuple[str, list[str]]:
    """The row's sample type and its files (the type taken from the files' extensions when there are)."""
    names = _items(cells.get("Files Names", ""))
    given = cells.get("Sample Type", "").strip().upper()
    if given and given not in ("FASTQ", "VCF"):
        problems.append(BatchProblem(row, "Sample Type", "Sample Type must be FASTQ or VCF"))
    if [n.lower() for n in names] in (["auto"], ["existing"]):
        problems.append(BatchProblem(row, "Files Names", UNSUPPORTED[names[0].lower()]))
        return given, []
    if not names:
        if not given:
            problems.append(
                BatchProblem(row, "Sample Type", "Sample Type is required when Files Names is empty")
            )
        return given, []
    kinds = set()
    for name in names:
        low = name.lower()
        if low.endswith(VCF_SUFFIXES):
            kinds.add("VCF")
        elif low.endswith(FASTQ_SUFFIXES):
            kinds.add("FASTQ")
        else:
            problems.append(
                BatchProblem(
                    row,
                    "Files Names",
                    "a file is neither FASTQ (.fastq.gz, .fq.gz, "
                    ".bam, .cram) nor VCF (.vcf.gz, .vcf, gvcf.gz, gvcf)",
                )
            )
    if len(kinds) > 1:
        problems.append(
            BatchProblem(row, "Files Names", "the files of a sample must be all FASTQ or all VCF")
        )
    return (kinds.pop() if len(kinds) == 1 else given), names


def _person(row: int, cells: dict[str, str], relation: str, problems: list[BatchProblem]) -> dict[str, Any]:
    sex = cells.get("Sex", "").strip()
    if sex and sex.lower() not in SEXES:
        problems.append(BatchProblem(row, "Sex", f"Sex {sex[:20]} is not valid"))
    ids = _items(cells.get("Phenotypes Id", ""))
    names = _items(cells.get("Phenotypes", ""))
    if not ids and not names:
        problems.append(BatchProblem(row, "Phenotypes", "One of Phenotypes or Phenotypes Id is required"))
    for column, items in (("Phenotypes Id", ids), ("Phenotypes", names)):
        if len(items) > MAX_PHENOTYPES:
            problems.append(BatchProblem(row, column, f"{column} has at most {MAX_PHENOTYPES} entries"))
    phenotypes: list[dict[str, str]] = []
    for item in ids:
        m = HPO_ID.fullmatch(item)
        if m is None:
            problems.append(BatchProblem(row, "Phenotypes Id", f"{item[:20]} is not an HPO id (HP:nnnnnnn)"))
        else:
            phenotypes.append({"id": EMG_PHENOTYPE + m[1]})
    phenotypes += [{"name": n} for n in names if n.lower() not in NO_PHENOTYPE]
    return {
        "relationship": RELATIONSHIP[relation],
        "gender": SEXES.get(sex.lower(), "Unknown"),
        "healthy": not phenotypes,
        "phenotypes": phenotypes,
        "date_of_birth": _date(cells.get("Date Of Birth", ""), "Date Of Birth", problems, row),
        "detailed_ethnicity": {"maternal": [], "paternal": []},
    }


def _sample(
    row: int, cells: dict[str, str], person: dict[str, Any], names: list[str], problems: list[BatchProblem]
) -> tuple[dict[str, Any] | None, tuple[int, int, str, str] | None]:
    """The member's sample (None for a member without one) and its VCF (row, storage, path, column)."""
    biosample = cells.get("BioSample Name", "").strip()
    storage_text = cells.get("Storage Provider Id", "")
    storage = _number(storage_text, "Storage Provider Id", problems, row)
    visual = _items(cells.get("Visualization Files", ""))
    for name in visual:
        if not name.lower().endswith(VISUALISATION_SUFFIXES):
            problems.append(
                BatchProblem(
                    row,
                    "Visualization Files",
                    "a visualization file must be .bam, .cram, "
                    ".tn.bw, .baf.bw, .roh.bed, .target.counts.bw or .metrics.tar.gz",
                )
            )
    bams = [n for n in visual if n.lower().endswith(".bam")]
    if len(bams) > 1:
        problems.append(BatchProblem(row, "Visualization Files", "at most one BAM file"))
    if " " in biosample:
        problems.append(BatchProblem(row, "BioSample Name", "BioSample Name must not contain spaces"))
    if not names:
        if biosample:
            person["pending_sample_name"] = biosample
        return None, None
    if not biosample:
        problems.append(
            BatchProblem(row, "BioSample Name", "BioSample Name is required when files are given")
        )
    if storage is None and not storage_text.strip():
        problems.append(
            BatchProblem(row, "Storage Provider Id", "Storage Provider Id is required with files")
        )
    person["fastq_sample"] = biosample
    files = [
        {"path": p, "filename": p.rsplit("/", 1)[-1], "storage_id": storage, "status": "uploaded"}
        for p in [*names, *visual]
    ]
    vcf = next((f for f in files if f["path"].lower().endswith(VCF_SUFFIXES)), None)
    if vcf is not None:
        vcf["vcf_column_name"] = biosample
    sample = {"fastq": biosample, "storage_id": storage, "status": "uploaded", "sampleFiles": files}
    if bams:
        sample["bam_location"] = bams[0]
    found = (row, storage, vcf["path"], biosample) if vcf is not None and storage is not None else None
    return sample, found


def _family(
    rows: list[tuple[int, dict[str, str]]], extra_columns: list[str], problems: list[BatchProblem]
) -> BatchFamily:
    first = rows[0][0]
    span = f"rows {first}-{rows[-1][0]}" if len(rows) > 1 else f"row {first}"
    people: dict[str, Any] = {"other": []}
    samples: list[dict[str, Any]] = []
    vcfs = []
    types: set[str] = set()
    proband_cells: dict[str, str] | None = None
    for row, cells in rows:
        raw = cells.get("Relation", "").strip()
        relation = raw.lower() or "proband"
        if relation not in RELATIONSHIP:
            problems.append(BatchProblem(row, "Relation", f"Relation {raw[:20]} is not valid"))
            continue
        if relation in ("proband", "mother", "father") and relation in people:
            problems.append(
                BatchProblem(row, "Relation", f"the family of {span} has more than one {relation}")
            )
            continue
        sample_type, names = _files(row, cells, problems)
        if sample_type == "FASTQ":
            problems.append(BatchProblem(row, "Sample Type", UNSUPPORTED["fastq"]))
        types.add(sample_type)
        person = _person(row, cells, relation, problems)
        sample, vcf = _sample(row, cells, person, names, problems)
        if sample is not None:
            samples.append(sample)
        if vcf is not None:
            vcfs.append(vcf)
        if relation == "sibling":
            person["id"] = f"sibling{len(people['other']) + 1}"
            people["other"].append(person)
        else:
            person["id"] = relation
            people[relation] = person
        if relation == "proband":
            proband_cells = cells
    if len(types) > 1:
        problems.append(
            BatchProblem(
                first, "Sample Type", f"the members of the family of {span} must have the same Sample Type"
            )
        )
    if proband_cells is None:
        problems.append(BatchProblem(first, "Relation", f"the family of {span} has no proband"))
        return BatchFamily([r for r, _ in rows], {}, vcfs)
    for node in [*people["other"], people["proband"]]:
        node["mother"] = "mother" if "mother" in people else None
        node["father"] = "father" if "father" in people else None
    return BatchFamily(
        [r for r, _ in rows], _body(rows, proband_cells, people, samples, extra_columns, problems, span), vcfs
    )


def _body(
    rows: list[tuple[int, dict[str, str]]],
    cells: dict[str, str],
    people: dict[str, Any],
    samples: list[dict[str, Any]],
    extra_columns: list[str],
    problems: list[BatchProblem],
    span: str,
) -> dict[str, Any]:
    """The case-creation body the batch CLI sends for a family; case fields from the proband's row."""
    row = next(r for r, c in rows if c is cells)
    case_type = cells.get("Case Type", "").strip()
    if not case_type:
        problems.append(BatchProblem(row, "Case Type", "Case Type is required"))
    for other, c in rows:
        if c is not cells and c.get("Case Type", "").strip() not in ("", case_type):
            problems.append(BatchProblem(other, "Case Type", f"the family of {span} has two case types"))
    gene_list_id = _number(cells.get("Gene List Id", ""), "Gene List Id", problems, row)
    gene_list = {"type": "all"} if gene_list_id in (None, 1) else {"type": "existing", "id": gene_list_id}
    labels = [_number(x, "Label Id", problems, row) for x in _items(cells.get("Label Id", ""))]
    notes = cells.get("Clinical Notes", "")
    if len(notes) > MAX_NOTES:
        problems.append(
            BatchProblem(row, "Clinical Notes", f"Clinical Notes has at most {MAX_NOTES} characters")
        )
    sequence_info = {
        key: value
        for key, column in (("kit_id", "Kit Id"), ("intersect_bed_id", "Intersect Bed Id"))
        if (value := _number(cells.get(column, ""), column, problems, row)) is not None
    }
    execute = _flag(cells.get("Execute Now", ""), "Execute Now", problems, row, True)
    for other, c in rows:  # case fields are read from the proband's row; the others' must still be valid
        if c is not cells:
            for column in ("Execute Now", "Boost Genes", "Opt In"):
                _flag(c.get(column, ""), column, problems, other, True)
            for column in ("Gene List Id", "Kit Id", "Intersect Bed Id"):
                _number(c.get(column, ""), column, problems, other)
            for label in _items(c.get("Label Id", "")):
                _number(label, "Label Id", problems, other)
            _date(c.get("Due Date", ""), "Due Date", problems, other)
            if len(c.get("Clinical Notes", "")) > MAX_NOTES:
                problems.append(
                    BatchProblem(
                        other, "Clinical Notes", f"Clinical Notes has at most {MAX_NOTES} characters"
                    )
                )
    data: dict[str, Any] = {
        "type": case_type,
        "sample_type": "vcf",
        "gene_list": gene_list,
        "boostGenes": _flag(cells.get("Boost Genes", ""), "Boost Genes", problems, row, False),
        "labels": [x for x in labels if x is not None],
        "notes": notes,
        "due_date": _date(cells.get("Due Date", ""), "Due Date", problems, row),
        "sequence_info": sequence_info,
        "extra_data": {c: cells[c] for c in extra_columns if cells.get(c, "").strip()},
        "patients": people,
        "samples": samples,
    }
    preset = cells.get("Selected Preset", "").strip()
    if preset:
        data["selected_preset_set"] = preset
    return {
        "should_upload": not execute,
        "sharing_level": 1 if _flag(cells.get("Opt In", ""), "Opt In", problems, row, True) else 0,
        "test_data": data,
    }


def read_batch(raw: bytes) -> BatchPlan:
    """Every row checked, every family's body built; the problems of the whole file at once."""
    problems: list[BatchProblem] = []
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the batch file is over {MAX_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the batch file is not UTF-8 text") from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise Invalid(f"the batch file is not CSV: {exc}") from None
    header = _header(lines, problems)
    if header is None:
        return BatchPlan([], [], [], problems)
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    body = lines[2:]
    while body and not any(c.strip() for c in body[-1]):  # a spreadsheet's trailing empty rows
        body.pop()
    by_family: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for i, cells in enumerate(body, start=3):
        rows.append((i, cells))
        if not any(c.strip() for c in cells):
            problems.append(BatchProblem(i, "", "the file must have no empty rows"))
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(BatchProblem(i, "", f"the row has {len(cells)} cells; the header names {width}"))
        named = {name: (cells[j] if j < len(cells) else "") for j, name in enumerate(header) if name}
        family = named.get("Family Id", "").strip()
        if not family:
            problems.append(BatchProblem(i, "Family Id", "Family Id is required"))
            continue
        by_family.setdefault(family, []).append((i, named))
    if not rows:
        problems.append(BatchProblem(3, "", "the file has no sample rows"))
    if len(by_family) > MAX_CASES:
        problems.append(
            BatchProblem(3, "Family Id", f"at most {MAX_CASES} cases per file; this one has {len(by_family)}")
        )
    extra = [c for c in header if c and c not in COLUMNS]
    families = [_family(members, extra, problems) for members in by_family.values()]
    problems.sort(key=lambda p: p.row)
    return BatchPlan(header, rows, families, problems)


# -- the use case -------------------------------------------------------------------------------------


class CaseBatch:
    """Checks a batch file against the actor's workspace (a dry run of every case) and creates its cases."""

    def __init__(
        self,
        intake: CaseIntake,
        providers: StorageProviderService,
        phenotypes: PhenotypeLookup,
        project: Callable[[], str],
    ) -> None:
        self.intake = intake
        self.providers = providers
        self.phenotypes = phenotypes
        self.project = project

    def check(self, actor: Actor, raw: bytes) -> BatchPlan:
        """The plan of ``raw`` with every problem of the file and of each family's dry run."""
        plan = read_batch(raw)
        for family in plan.families:
            before = len(plan.problems)
            for row, storage, path, column in family.vcfs:  # every file, whatever the family's other rows
                if not any(p.row == row and p.column in FILE_COLUMNS for p in plan.problems):
                    plan.problems.extend(self._check_file(actor, row, storage, path, column))
            if not family.body or len(plan.problems) > before:
                continue
            if not any(p.row in family.rows for p in plan.problems):
                try:
                    self.intake.run(actor, self._command(family, dry_run=True))
                except VardeskError as exc:
                    plan.problems.append(BatchProblem(family.rows[0], "", error_text(exc)))
        plan.problems.sort(key=lambda p: p.row)
        return plan

    def create(
        self, actor: Actor, plan: BatchPlan, progress: Callable[[int, int], None] | None = None
    ) -> list[BatchOutcome]:
        """Create the case of each family of a valid plan; one outcome per row. A family whose creation
        fails (the workspace changed since the check) is reported and the others still created."""
        if not plan.valid:
            raise Invalid("the batch file has problems; nothing was created")
        outcomes: dict[int, BatchOutcome] = {}
        for done, family in enumerate(plan.families):
            try:
                view = self.intake.run(actor, self._command(family, dry_run=False))
                name, error = (view.case.code if view is not None else ""), ""
            except VardeskError as exc:
                name, error = "", error_text(exc)
            for row in family.rows:
                outcomes[row] = BatchOutcome(row, name, error)
            if progress is not None:
                progress(done + 1, len(plan.families))
        return [outcomes.get(row, BatchOutcome(row)) for row, _ in plan.rows]

    def _command(self, family: BatchFamily, *, dry_run: bool):  # type: ignore[no-untyped-def]
        command = case_command(family.body, self.project(), self.phenotypes, dry_run=dry_run)
        return replace(command, case=replace(command.case, code=new_case_name()))

    def _check_file(
        self, actor: Actor, row: int, storage: int, path: str, column: str
    ) -> Sequence[BatchProblem]:
        try:
            self.providers.get(actor, storage)
        except NotFound as exc:
            return [BatchProblem(row, "Storage Provider Id", error_text(exc))]
        try:
            columns = self.providers.vcf_samples(self.providers.locate(actor, storage, path))
        except VardeskError as exc:
            return [BatchProblem(row, "Files Names", error_text(exc))]
        if column not in columns:
            return [BatchProblem(row, "BioSample Name", "the VCF has no sample column of that name")]
        return []
