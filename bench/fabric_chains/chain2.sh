# Contract §12.2 genomeless panel report, genome attached later, search (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 2" "late genome" NONE | jget id)
PANEL=$($PY2 $E/PanelWorkflows/post_panel.py --n "Onc $PID" --d "onc" | firstjson id)
CR=$($PY2 $E/ClinicalReportLaunchers/launch_panel_report_no_genome.py $PANEL ACC-P2-$PID --project_id $PID | field id)
$PY2 $E/ClinicalReportLaunchers/get_report_status.py $CR | grep -x 'Report Status: WAITING FOR SAMPLE' >/dev/null
cd $IN && $PY2 $E/ClinicalReportLaunchers/get_pdf_preview.py $CR && grep description >/dev/null report_$CR.pdf   # 422 JSON saved as .pdf
$PY2 $E/ClinicalReportLaunchers/upload_genome_to_panel_report.py $CR $PID "Late sample" male vcf.gz $IN/s1.vcf.gz | field genome_id
$PY2 $E/ClinicalReportLaunchers/get_report_status.py $CR | grep -E 'WAITING|READY TO REVIEW' >/dev/null
G2=$($PY2 $E/GenomeWorkflows/upload_genome.py $PID "Replacement" male $IN/s1.vcf | jget genome_id)
$PY2 $E/ClinicalReportLaunchers/add_genome_to_cr.py $CR $G2 m --filter_id -1 | field genome_id | grep -x $G2 >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_clinical_reports.py --a ACC-P2-$PID | jget objects 0 id | grep -x $CR >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_clinical_reports.py --g $G2 | jget objects 0 id
$PY2 $E/ClinicalReportLaunchers/get_clinical_report.py $CR --e true | jget accession_id
echo "chain2 OK report=$CR"
