"""A realistic clinical report document (fictional patient) for the rendering tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from vardesk.domain.enums import Classification, Sex
from vardesk.reports.model import (
    Accreditation,
    Confirmation,
    Finding,
    HpoTerm,
    Laboratory,
    Patient,
    Physician,
    QcMetric,
    ReportDocument,
    ReportInfo,
    ReportStatus,
    Signature,
    Specimen,
    TestInfo,
    Zygosity,
)

HPO = [
    ("HP:0001250", "Seizure"),
    ("HP:0001263", "Global developmental delay"),
    ("HP:0001252", "Hypotonia"),
    ("HP:0000252", "Microcephaly"),
    ("HP:0001249", "Intellectual disability"),
    ("HP:0000729", "Autistic behavior"),
    ("HP:0002376", "Developmental regression"),
    ("HP:0001332", "Dystonia"),
    ("HP:0002072", "Chorea"),
    ("HP:0000486", "Strabismus"),
    ("HP:0000639", "Nystagmus"),
    ("HP:0001344", "Absent speech"),
    ("HP:0002079", "Hypoplasia of the corpus callosum"),
    ("HP:0002119", "Ventriculomegaly"),
    ("HP:0001508", "Failure to thrive"),
    ("HP:0002020", "Gastroesophageal reflux"),
    ("HP:0000717", "Autism"),
    ("HP:0001270", "Motor delay"),
    ("HP:0002353", "EEG abnormality"),
    ("HP:0011097", "Epileptic spasm"),
    ("HP:0001274", "Agenesis of corpus callosum"),
    ("HP:0000750", "Delayed speech and language development"),
    ("HP:0001251", "Ataxia"),
    ("HP:0002061", "Lower limb spasticity"),
]

METHODOLOGY = (
    "Genomic DNA extracted from the specimen was enriched for the coding exons and ±10 bp of flanking "
    "intronic sequence of the genes on the panel and sequenced on an Illumina NovaSeq 6000 (2×150 bp). "
    "Reads were aligned to GRCh38 with BWA-MEM; variants were called with GATK HaplotypeCaller and "
    "annotated by Vardesk against RefSeq/MANE transcripts, gnomAD v4.1 and ClinVar. Variants were "
    "classified according to the ACMG/AMP 2015 guidelines with ClinGen SVI recommendations.\n\n"
    "Pathogenic and likely pathogenic variants were confirmed by Sanger sequencing when quality metrics "
    "required it."
)
LIMITATIONS = (
    "This test does not detect large deletions or duplications, structural rearrangements, repeat "
    "expansions, low-level mosaicism (< 15% variant allele fraction) or variants in regions of low "
    "coverage or high homology (e.g. pseudogenes). Interpretation depends on the accuracy of the clinical"
    " information provided and on the current state of scientific knowledge, which may change."
)
DISCLAIMER = (
    "This test was developed and its performance characteristics determined by Riverside Genomics "
    "Laboratory. It has not been cleared or approved by the U.S. Food and Drug Administration. The "
    "laboratory is certified under CLIA to perform high-complexity clinical testing. Results should be "
    "interpreted in the context of the patient's clinical findings and family history; genetic "
    "counselling is recommended."
)


def sample_document(status: ReportStatus = ReportStatus.FINAL, **changes: object) -> ReportDocument:
    """The fictional proband's epilepsy panel report; ``changes`` replace top-level fields."""
    approved = None if status is ReportStatus.PREVIEW else datetime(2024, 3, 14, 16, 30, tzinfo=UTC)
    signatures = (
        ()
        if status is ReportStatus.PREVIEW
        else (
            Signature("Interpreted by", "Maya Okafor", "PhD, FACMG", date(2024, 3, 13)),
            Signature("Approved by (Laboratory Director)", "Daniel Reyes", "MD, PhD", date(2024, 3, 14)),
        )
    )
    doc = ReportDocument(
        laboratory=Laboratory(
            name="Riverside Genomics Laboratory",
            address_lines=("1200 Harbor Blvd, Suite 300", "Oakland, CA 94607, USA"),
            accreditations=(Accreditation("CLIA", "05D2145789"), Accreditation("CAP", "8012345")),
            director="Daniel Reyes, MD, PhD",
            phone="+1 510 555 0142",
            email="lab@riverside-genomics.example",
        ),
        report=ReportInfo(
            report_id="R-2024-00113",
            accession="ACC-778812",
            status=status,
            report_date=date(2024, 3, 14),
            version=2 if status is ReportStatus.AMENDED else 1,
            created=datetime(2024, 3, 1, 9, 12, tzinfo=UTC),
            approved=approved,
            amendment_reason="Updated the SCN1A classification after segregation data became available."
            if status is ReportStatus.AMENDED
            else "",
        ),
        patient=Patient(
            first_name="Ada",
            last_name="Quintero-Lind",
            date_of_birth=date(2019, 7, 3),
            sex=Sex.FEMALE,
            mrn="MRN-0045521",
            ethnicity="Hispanic or Latino",
        ),
        specimen=Specimen(
            type="Peripheral blood (EDTA)",
            sample_id="S-24-01887",
            collected=date(2024, 2, 20),
            received=date(2024, 2, 22),
        ),
        physician=Physician("Dr. Helen Marsh", "Bayview Children's Hospital, Neurology", "+1 510 555 0199"),
        test=TestInfo(
            name="Comprehensive Epilepsy Gene Panel",
            code="EPI-300",
            panel_name="Epilepsy and Seizure Disorders",
            panel_version="4.2",
            genes_count=312,
            indication="Early-onset refractory seizures with developmental delay; family history negative.",
            hpo_terms=tuple(HpoTerm(i, label) for i, label in HPO),
            methodology=METHODOLOGY,
            limitations=LIMITATIONS,
        ),
        primary_findings=(
            Finding(
                gene="SCN1A",
                transcript="NM_001165963.4",
                hgvs_c="c.2836C>T",
                hgvs_p="p.(Arg946Cys)",
                genomic="chr2:166002569 G>A (GRCh38)",
                zygosity=Zygosity.HETEROZYGOUS,
                inheritance="AD",
                condition="Developmental and epileptic encephalopathy 6B (Dravet syndrome)",
                classification=Classification.PATHOGENIC,
                criteria=("PS2", "PM1", "PM2_Supporting", "PP3", "PS4_Moderate"),
                interpretation=(
                    "This missense variant has been reported de novo in multiple individuals with Dravet "
                    "syndrome and is absent from gnomAD. It lies in the S5-S6 pore region of domain II."
                ),
                confirmation=Confirmation.CONFIRMED,
                confirmation_method="Sanger sequencing",
            ),
            Finding(
                gene="KCNQ2",
                transcript="NM_172107.4",
                hgvs_c="c.1678C>T",
                hgvs_p="p.(Arg560Trp)",
                zygosity=Zygosity.HETEROZYGOUS,
                inheritance="AD",
                condition="Self-limited familial neonatal epilepsy",
                classification=Classification.UNCERTAIN_SIGNIFICANCE,
                criteria=("PM2_Supporting", "PP3"),
                interpretation="Insufficient evidence to determine the significance of this variant.",
                confirmation=Confirmation.PENDING,
            ),
        ),
        secondary_findings=(
            Finding(
                gene="BRCA2",
                transcript="NM_000059.4",
                hgvs_c="c.5946del",
                hgvs_p="p.(Ser1982ArgfsTer22)",
                zygosity=Zygosity.HETEROZYGOUS,
                inheritance="AD",
                condition="Hereditary breast and ovarian cancer syndrome",
                classification=Classification.PATHOGENIC,
                criteria=("PVS1", "PS4", "PM2_Supporting"),
                interpretation="ACMG SF v3.2 gene. Referral for genetic counselling is recommended.",
                confirmation=Confirmation.CONFIRMED,
                confirmation_method="Sanger sequencing",
            ),
        ),
        secondary_findings_analysed=True,
        qc=(
            QcMetric("Mean coverage (target)", "186×", True),
            QcMetric("Target bases ≥ 20×", "99.2%", True),
            QcMetric("Target bases ≥ 100×", "94.7%", True),
            QcMetric("Contamination estimate", "0.4%", True),
            QcMetric("Sex check", "Female (concordant)", None),
        ),
        signatures=signatures,
        disclaimer=DISCLAIMER,
    )
    return replace(doc, **changes) if changes else doc  # type: ignore[arg-type]
