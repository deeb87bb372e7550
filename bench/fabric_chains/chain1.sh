# Contract §12.1 project -> genome -> panel -> panel report -> patient fields -> status -> variants -> PDFs (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 1" "panel chain" CONTRIBUTOR | jget id)
GID=$($PY2 $E/GenomeWorkflows/upload_genome.py $PID "NA12878 panel" female $IN/s1.vcf.gz --external_id EXT-1 | jget genome_id)
PANEL=$($PY2 $E/PanelWorkflows/post_panel.py --n "Cardio $PID" --d "cardio genes" --t CARD-$PID --g "BRCA1, MYH7, NOTAGENE" | firstjson id)
$PY2 $E/PanelWorkflows/get_panel_regions.py $PANEL | grep BRCA1 >/dev/null
CR=$($PY2 $E/ClinicalReportLaunchers/launch_panel_report_existing_genome.py $GID $PANEL ACC-P1 --patient_info_file $IN/patient_info.csv | field id)
$PY2 $E/ClinicalReportLaunchers/post_patient_fields.py $CR '{"Patient Age": "24", "Indication for Testing": "Cardiomyopathy"}' >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_patient_fields.py $CR | grep '"Patient Age": "24"' >/dev/null
wait_status $CR "READY TO REVIEW"
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR | jget objects 0 id
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR --format VCF | grep '^#CHROM' >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR --format CSV | head -1
$PY2 $E/get_clinical_report_variants.py $CR >/dev/null
cd $IN && $PY2 $E/ClinicalReportLaunchers/get_pdf_preview.py $CR && head -c 4 report_$CR.pdf | grep '%PDF' >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_clinical_report_pdf.py $CR $IN --preview True && ls $IN/*.pdf
$PY2 $E/ClinicalReportLaunchers/get_clinical_report_pdf.py $CR $IN | grep description >/dev/null   # 422: not approved
echo "chain1 OK report=$CR"
