# Contract §12.6 workspace configuration: assay types, QC data, panels, condition genes (contracts/fabric.md), verbatim.
AT=$($PY2 $E/AssayTypeWorkflows/get_assay_types.py | jget objects 0 wso_id)
$PY2 $E/AssayTypeWorkflows/get_assay_types.py --assay_type_id $AT | jget quality_control_fields
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 6" "qc" CONTRIBUTOR | jget id)
PANEL=$($PY2 $E/PanelWorkflows/post_panel.py --n "Hearing $PID" --d "hearing loss" --m NGS --l "none" --f "LDT" --t HL-$PID | firstjson id)
$PY2 $E/PanelWorkflows/post_panel.py --i $PANEL --n "Hearing $PID v2" --d "hearing loss v2" --g "GJB2, SLC26A4" | grep '^added : ' >/dev/null
$PY2 $E/PanelWorkflows/get_panels.py --n "Hearing $PID" | jget objects 0 id | grep -x $PANEL >/dev/null
$PY2 $E/PanelWorkflows/get_panels.py --t HL-$PID >/dev/null
$PY2 $E/PanelWorkflows/get_panel_regions.py $PANEL | grep GJB2 >/dev/null
CR=$($PY2 $E/ClinicalReportLaunchers/launch_panel_report_new_genome.py --project_id $PID "QC sample" female $IN/s1.vcf.gz $PANEL ACC-6 | field id)
$PY2 $E/ClinicalReportLaunchers/post_qc_data.py $CR '{"Cluster Density": "170", "Clusters PF": ".82"}' | grep 'Cluster Density' >/dev/null
GID=$($PY2 $E/GenomeWorkflows/get_genomes.py $PID | jget objects 0 id)
$PY2 $E/ClinicalReportLaunchers/launch_somatic_panel_report_existing_genome.py $GID $PANEL C0006142 ACC-SOM | field test_type
$PY2 $E/PanelWorkflows/upload_condition_genes.py $E/PanelWorkflows/condition_genes.csv.gz --verbose 2>&1 | grep -c 'Created condition-gene'
$PY2 $E/PanelWorkflows/upload_condition_genes.py $E/PanelWorkflows/condition_genes.csv.gz --check --verbose 2>&1 | tail -1
echo "chain6 OK panel=$PANEL report=$CR"
