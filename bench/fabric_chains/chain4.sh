# Contract §12.4 variant interpretation and external confirmation loop (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 4" "variants" CONTRIBUTOR | jget id)
GID=$($PY2 $E/GenomeWorkflows/upload_genome.py $PID "Interp" male $IN/s1.vcf.gz | jget genome_id)
CR=$($PY2 $E/ClinicalReportLaunchers/launch_solo_report.py $PID $IN/s1.vcf.gz "Interp solo" m EXT-4 vcf.gz ACC-4 | field id)
wait_status $CR "READY TO REVIEW"
RV=$($PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR | jget objects 0 id)
$PY2 $E/ClinicalReportLaunchers/patch_report_variant.py $CR $RV --status REVIEWED --to_report PRIMARY_FINDING | jget to_report | grep -x PRIMARY_FINDING >/dev/null
$PY2 $E/ClinicalReportLaunchers/add_report_variant_note.py $CR $RV "Sent for Sanger" | jget note
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR --status REVIEWED --format VCF > $IN/to_confirm.vcf
sed -E '/^#/! s/^([^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t)[^\t]*/\1CONFIRMED/' $IN/to_confirm.vcf > $IN/confirmed.vcf
$PY2 $E/ClinicalReportLaunchers/set_report_variants.py $CR $IN/confirmed.vcf --format vcf
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR --status CONFIRMED | jget objects 0 status | grep -x CONFIRMED >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_report_variants.py $CR --status CONFIRMED,FAILED_CONFIRMATION --to_report PRIMARY_FINDING --chrom 7 --start_on_chrom 87160000 --end_on_chrom 87170000 --alt C --extended true | jget objects 0 id
$PY2 $E/ClinicalReportLaunchers/get_report_selectable_variants.py $CR | jget objects
$PY2 $E/ClinicalReportLaunchers/download_report_variants.py $CR $IN && ls $IN/*.vcf
$PY2 $E/ClinicalReportLaunchers/update_clinical_report_status.py $CR "READY FOR INTERPRETATION" | grep status_name >/dev/null  # 422 text
echo "chain4 OK report=$CR variant=$RV"
