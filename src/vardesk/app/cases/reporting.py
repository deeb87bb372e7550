"""Clinical report PDFs of a case: a preview while it is reviewed, the final once it is approved."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from vardesk.app.auth import AuthService
from vardesk.app.cases import interpretability
from vardesk.app.cases.interpretation import InterpretationService
from vardesk.app.cases.records import CaseRecords
from vardesk.app.cases.report_rendering import ReportKind, ReportRendering
from vardesk.app.cases.service import CaseView
from vardesk.app.context import ServiceContext, audit
from vardesk.app.jobs import JobService
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor
from vardesk.domain.annotation_source import SYNTHETIC_BANNER, describe
from vardesk.domain.cases import Case, ReportVariant, ToReport, VariantStatus
from vardesk.domain.enums import Classification, Sex
from vardesk.domain.errors import NotFound, Unprocessable
from vardesk.domain.models import Job
from vardesk.reports import model as rm
from vardesk.storage.blobs import BlobStore

# What a report shows, as the faces receive it from :meth:`ReportService.latest_approved`.
ReportDocument = rm.ReportDocument
_ZYGOSITY = {1: rm.Zygosity.HETEROZYGOUS, 2: rm.Zygosity.HOMOZYGOUS, 3: rm.Zygosity.HEMIZYGOUS}
_CONFIRMATION = {
    VariantStatus.CONFIRMED: rm.Confirmation.CONFIRMED,
    VariantStatus.FAILED_CONFIRMATION: rm.Confirmation.FAILED,
}
_MODE = {
    "DE_NOVO": "De novo",
    "AUTOSOMAL_DOMINANT": "AD",
    "AUTOSOMAL_RECESSIVE_HOMOZYGOUS": "AR",
    "COMPOUND_HETEROZYGOUS": "AR (compound het)",
    "X_LINKED_RECESSIVE": "XLR",
    "X_LINKED_DE_NOVO": "XL de novo",
}


_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")


def parse_date(value: Any, today: date | None = None) -> date | None:
    """A date as the faces write it: ISO ``2000-01-31`` (a time after it ignored) or Fabric's US
    ``1/31/2000`` and ``1/31/00`` (a two-digit year is this century's up to this year, else the last's)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    m = _MDY.fullmatch(text)
    if m is None:
        return None
    month, day, year = (int(g) for g in m.groups())
    if len(m.group(3)) == 2:
        this_year = (today or date.today()).year
        year += 2000 if 2000 + year <= this_year else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Each patient and specimen fact the report prints once, and the patient-field names the faces and the
# patient-info files write it under (compared ignoring case and spacing); other fields print as they are.
FACT_NAMES = {
    "first_name": ("First Name", "Patient First Name", "Given Name"),
    "last_name": ("Last Name", "Patient Last Name", "Family Name", "Surname"),
    "full_name": ("Patient Name", "Name", "Full Name"),
    "dob": ("Patient DOB", "DOB", "Date of Birth", "Patient Date of Birth", "Birth Date"),
    "sex": ("Patient Sex", "Sex", "Gender", "Patient Gender"),
    "mrn": ("MRN", "Patient MRN", "Medical Record Number"),
    "ethnicity": ("Patient Ethnicity", "Ethnicity"),
    "accession": ("Accession ID", "Accession", "Accession Number"),
    "specimen_type": ("Specimen Type", "Sample Type"),
    "collected": ("Date Specimen Collected", "Specimen Collected", "Collection Date", "Date Collected"),
    "received": ("Date Specimen Received", "Specimen Received", "Received Date", "Date Received"),
    "physician": ("Ordering Physician", "Physician"),
    "indication": ("Indication for Testing", "Indication"),
}
_FACT_OF = {" ".join(n.lower().split()): fact for fact, names in FACT_NAMES.items() for n in names}
_SEX_WORDS = {
    "m": Sex.MALE, "male": Sex.MALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
}  # fmt: skip
_KNOWN_SEX = {Sex.MALE: Sex.MALE, Sex.FEMALE: Sex.FEMALE}  # UNKNOWN: not known
_DATE_FACTS = ("dob", "collected", "received")


def patient_facts(
    fields: dict[str, Any], today: date
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The canonical facts among a case's patient fields (dates parsed, sex as the report words it) and the
    fields left to print as extra rows: those with no canonical home, a value that cannot be read (an
    unreadable date), and a second field that contradicts the first one given for the same fact; third, the
    field name each fact was read from."""
    facts: dict[str, Any] = {}
    extra: dict[str, str] = {}
    named: dict[str, str] = {}
    for name, raw in fields.items():
        text = str(raw if raw is not None else "").strip()
        fact = _FACT_OF.get(" ".join(str(name).lower().split()))
        if fact is None:
            extra[str(name)] = str(raw if raw is not None else "")
            continue
        if not text:
            continue
        value: Any = text
        if fact in _DATE_FACTS:
            value = parse_date(text, today)
        elif fact == "sex":
            value = _SEX_WORDS.get(text.lower())
        if value is None or (fact in facts and facts[fact] != value):
            extra[str(name)] = text  # shown as entered rather than lost or silently overridden
        else:
            facts[fact] = value
            named.setdefault(fact, str(name))
    return facts, extra, named


def _finding(rv: ReportVariant, build: str) -> rm.Finding:
    proband = rv.genotypes[0] if rv.genotypes else {}
    modes = [m for m in rv.inheritance_modes if m in _MODE]
    zyg = (
        rm.Zygosity.COMPOUND_HETEROZYGOUS
        if "COMPOUND_HETEROZYGOUS" in modes and proband.get("zygosity") == 1
        else _ZYGOSITY.get(int(proband.get("zygosity") or 1), rm.Zygosity.HETEROZYGOUS)
    )
    return rm.Finding(
        gene=rv.gene or "intergenic",
        hgvs_c=rv.hgvs_c or f"g.{rv.pos}{rv.ref}>{rv.alt}",
        classification=Classification(rv.classification) if rv.classification else None,
        zygosity=zyg,
        transcript=rv.transcript,
        hgvs_p=rv.hgvs_p,
        genomic=f"chr{rv.chrom}:{rv.pos} {rv.ref}>{rv.alt} ({build})",
        inheritance=", ".join(_MODE[m] for m in modes),
        criteria=tuple(rv.criteria_labels),
        interpretation=rv.interpretation,
        confirmation=_CONFIRMATION.get(rv.status, rm.Confirmation.NOT_REQUIRED),
    )


class ReportService:
    def __init__(
        self,
        ctx: ServiceContext,
        cases: CaseRecords,
        interpretation: InterpretationService,
        auth: AuthService,
        store: BlobStore,
        jobs: JobService,
        run_if_idle: Callable[[int], None],
    ) -> None:
        self.ctx = ctx
        self.cases = cases
        self.interpretation = interpretation
        self.auth = auth
        self.store = store
        self.rendering = ReportRendering(ctx, self, store, jobs, run_if_idle)

    def document(
        self, view: CaseView, variants: list[ReportVariant], status: rm.ReportStatus, names: dict[int, str]
    ) -> rm.ReportDocument:
        s = self.ctx.settings
        case = view.case
        pf = case.patient_fields
        reported = [v for v in variants if v.to_report is not ToReport.DO_NOT_REPORT]
        if status.signed:  # a preview shows them as not yet classified; sign-out needs all
            dc.check_classified(reported)
        build = next((g.build for _, g in view.members if g is not None), "")
        sources = [(m.relation.title(), describe(g)) for m, g in view.members if g is not None]
        panel = None
        if case.panel_id:
            with self.ctx.uow() as uow:
                panel = uow.panels.get(case.panel_id)
        proband_member, _ = view.proband
        facts, extra, named = patient_facts(pf, self.ctx.clock().date())
        individual = None
        if proband_member.individual_id:
            with self.ctx.uow() as uow:
                individual = uow.individuals.get(proband_member.individual_id)

        def settled(fact: str, known: Any) -> Any:
            """What the case or its members already record wins (the analysis used it); a patient field
            saying otherwise stays visible as its own row."""
            entered = facts.get(fact)
            if known and entered is not None and entered != known:
                extra[named[fact]] = entered.label if isinstance(entered, Sex) else str(entered)
            return known or entered

        sex = settled(
            "sex",
            _KNOWN_SEX.get(proband_member.sex) or (individual and _KNOWN_SEX.get(individual.sex)),
        )
        accession = settled("accession", case.accession_id) or ""
        if individual is not None:  # the pedigree's record fills what the patient fields leave empty
            if not any(f in facts for f in ("first_name", "last_name", "full_name")) and individual.name:
                facts["full_name"] = individual.name
            if "dob" not in facts and parse_date(individual.date_of_birth):
                facts["dob"] = parse_date(individual.date_of_birth)
            if "ethnicity" not in facts and individual.ethnicity:
                facts["ethnicity"] = individual.ethnicity
        first, last = facts.get("first_name", ""), facts.get("last_name", "")
        if not (first or last):
            first = facts.get("full_name", "")
        elif "full_name" in facts and facts["full_name"].lower() != f"{first} {last}".strip().lower():
            extra[named["full_name"]] = facts["full_name"]  # a name that is not the first and last given
        signatures = []
        if case.last_interpreter_id:
            signatures.append(rm.Signature("Interpreted by", names.get(case.last_interpreter_id, "")))
        if case.approved_by:
            signatures.append(
                rm.Signature(
                    "Approved by (Laboratory Director)",
                    names.get(case.approved_by, ""),
                    signed_on=case.report_approved_date.date() if case.report_approved_date else None,
                )
            )
        accreditations = tuple(
            rm.Accreditation(a, i) for a, i in (("CLIA", s.lab_clia), ("CAP", s.lab_cap)) if i
        )
        return rm.ReportDocument(
            laboratory=rm.Laboratory(
                name=s.lab_name,
                address_lines=tuple(filter(None, s.lab_address.split("|"))),
                accreditations=accreditations,
                director=s.lab_director,
                phone=s.lab_phone,
                email=s.lab_email,
            ),
            report=rm.ReportInfo(
                report_id=case.code,
                accession=accession,
                status=status,
                report_date=(case.report_approved_date or self.ctx.clock()).date(),
                version=case.version,
                created=case.created_at,
                approved=case.report_approved_date,
                amendment_reason=case.status_reason.removeprefix("amendment: ")
                if status is rm.ReportStatus.AMENDED
                else "",
            ),
            patient=rm.Patient(
                first_name=first,
                last_name=last,
                date_of_birth=facts.get("dob"),
                sex=sex or Sex.UNKNOWN,
                mrn=facts.get("mrn", ""),
                ethnicity=facts.get("ethnicity", ""),
            ),
            specimen=rm.Specimen(
                type=facts.get("specimen_type", ""),
                sample_id=proband_member.label,
                collected=facts.get("collected"),
                received=facts.get("received"),
            ),
            physician=rm.Physician(facts["physician"]) if facts.get("physician") else None,
            test=rm.TestInfo(
                name=panel.name if panel else f"{case.type.value.replace('_', ' ').title()} analysis",
                code=panel.test_code if panel else "",
                panel_name=panel.name if panel else "",
                panel_version=panel.version if panel else "",
                genes_count=len(panel.genes) if panel else None,
                indication=facts.get("indication", ""),
                hpo_terms=tuple(rm.HpoTerm(t["id"], t.get("name") or t["id"]) for t in case.hpo_terms),
                methodology=panel.methodology if panel else "",
                limitations=panel.limitations if panel else "",
            ),
            primary_findings=tuple(
                _finding(v, build) for v in reported if v.to_report is ToReport.PRIMARY_FINDING
            ),
            secondary_findings=tuple(
                _finding(v, build) for v in reported if v.to_report is ToReport.SECONDARY_FINDING
            ),
            qc=tuple(rm.QcMetric(str(k), str(v)) for k, v in case.qc_data.items()),
            signatures=tuple(signatures),
            page_size=s.report_page_size,
            extra=extra,
            not_interpretable_reason=self._not_interpretable(view),
            synthetic_banner=SYNTHETIC_BANNER if any(d["synthetic"] for _, d in sources) else "",
            annotation_sources=tuple(f"{rel}: {d['label']}" for rel, d in sources),
        )

    def _not_interpretable(self, view: CaseView) -> str:
        """Why the report cannot state a result: recorded by the analysis, or found in the genomes now (an
        analysis made before the checks existed, a genome re-annotated since)."""
        case = view.case
        if case.analysis_result == dc.NOT_INTERPRETABLE:
            return case.analysis_result_reason or "the analysis could not see the genes"
        with self.ctx.uow() as uow:
            demo = interpretability.in_demo_workspace(uow, case.workspace_id)
        return "; ".join(interpretability.genome_problems(view.members, demo=demo))

    def _load(
        self, actor: Actor, ref: str, study_ref: str | None
    ) -> tuple[CaseView, list[ReportVariant], dict[int, str]]:
        view = self.cases.get(actor, ref, study_ref)
        variants = self.interpretation.variants(actor, ref, study_ref=study_ref)
        with self.ctx.uow() as uow:
            ids = {i for i in (view.case.last_interpreter_id, view.case.approved_by) if i}
            names = {i: (u.name or u.email) for i in ids if (u := uow.users.get(i)) is not None}
        return view, variants, names

    # -- PDFs: rendered by report.render jobs (see report_rendering) -------------------------------------
    def render_and_wait(
        self, actor: Actor, ref: str, kind: ReportKind | str, study_ref: str | None = None
    ) -> bytes:
        """The preview or final PDF of a case now: as already rendered for this content, else rendered by
        a job this call waits for (a bounded time, then :class:`~vardesk.domain.errors.Unavailable`)."""
        return self.rendering.render_and_wait(actor, ref, ReportKind.parse(kind), study_ref)

    def submit_render(
        self, actor: Actor, ref: str, kind: ReportKind | str, study_ref: str | None = None
    ) -> Job:
        """Queue the render of a case's PDF; download it with :meth:`rendered` once the job is DONE."""
        return self.rendering.submit(actor, ref, ReportKind.parse(kind), study_ref)

    def rendered(
        self, actor: Actor, ref: str, job_ref: str, study_ref: str | None = None
    ) -> tuple[CaseView, ReportKind, bytes]:
        return self.rendering.rendered(actor, ref, job_ref, study_ref)

    def preview(self, actor: Actor, ref: str, study_ref: str | None = None) -> bytes:
        return self.render_and_wait(actor, ref, ReportKind.PREVIEW, study_ref)

    def final(self, actor: Actor, ref: str, study_ref: str | None = None) -> bytes:
        return self.render_and_wait(actor, ref, ReportKind.FINAL, study_ref)

    # -- approved versions (clients that read the signed report rather than a PDF) ---------------------
    def approved_versions(self, actor: Actor, ref: str) -> list[CaseView]:
        """The approved versions of a case (the original and its amendments), oldest first."""
        return [v for v in self.cases.versions(actor, ref) if v.case.status == dc.APPROVED]

    def latest_approved(self, actor: Actor, ref: str) -> tuple[CaseView, ReportDocument]:
        """The document of the most recent approved version of a case: what its final PDF shows."""
        approved = self.approved_versions(actor, ref)
        if not approved:
            raise Unprocessable(f"case {ref} has no approved report yet")
        view = approved[-1]
        _, variants, names = self._load(actor, str(view.case.id), None)
        status = rm.ReportStatus.AMENDED if view.case.amends_case_id else rm.ReportStatus.FINAL
        document = self.document(view, variants, status, names)
        self._audit(actor, view, "report_read")
        return view, document

    def final_link(self, actor: Actor, ref: str, version_id: int, ttl_seconds: int) -> tuple[CaseView, str]:
        """A signed token, valid ``ttl_seconds``, for the final PDF of approved version ``version_id`` of
        case ``ref``; the PDF is rendered now so the download only serves it."""
        view = next((v for v in self.approved_versions(actor, ref) if v.case.id == version_id), None)
        if view is None:
            raise NotFound(f"report {version_id} is not an approved report of case {ref}")
        self.final(actor, str(version_id))
        return view, self.auth.issue_link(actor, _pdf_resource(view.case), ttl_seconds)

    def final_from_link(self, token: str, version_id: int) -> tuple[CaseView, bytes]:
        """The final PDF a signed link points at, with the rights of the user it was issued to."""
        with self.ctx.uow() as uow:
            case = uow.cases.get(version_id)
            resource = _pdf_resource(case) if case else "report-pdf:none"
        actor = self.auth.authenticate_link(token, resource)
        view = self.cases.get(actor, str(version_id))
        return view, self.final(actor, str(version_id))

    def _audit(self, actor: Actor, view: CaseView, action: str) -> None:
        with self.ctx.uow() as uow:
            audit(uow, action, actor=actor, entity_type="case", entity_id=view.case.id)
            uow.commit()


def _pdf_resource(case: Case) -> str:
    """What a download link names: the version's uuid, never a patient detail."""
    return f"report-pdf:{case.uuid}:{case.version}"
