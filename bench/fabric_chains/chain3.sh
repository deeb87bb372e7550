# Contract §12.3 family reports from manifest folders (Trio, Duo, Quad, Solo) + extended report, scored/SV variants (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 3" "families" VIEWER | jget id)
F=$IN/trio; mkdir -p $F; for m in mother father proband; do cp $IN/s1.vcf.gz $F/$m.vcf.gz; done
printf 'filename,label,external_id,sex,format\nmother.vcf.gz,Mother,M-1,female,vcf.gz\nfather.vcf.gz,Father,F-1,male,vcf.gz\nproband.vcf.gz,Proband,P-1,female,vcf.gz\n' > $F/family_manifest.csv
TRIO=$($PY2 $E/ClinicalReportLaunchers/launch_family_report.py $PID $F 1 ACC-TRIO $IN/patient_info.csv | field id)
D=$IN/duo; mkdir -p $D; cp $IN/s1.vcf.gz $D/proband.vcf.gz; cp $IN/s1.vcf.gz $D/father.vcf.gz
printf 'filename,label,external_id,sex,format,affected,relation\nproband.vcf.gz,Proband,P-2,female,vcf.gz,affected,self\nfather.vcf.gz,Father,F-2,male,vcf.gz,unaffected,father\n' > $D/duo_manifest.csv
cp $D/duo_manifest.csv $D/family_manifest.csv      # the script checks for this name but reads duo_manifest.csv
DUO=$($PY2 $E/ClinicalReportLaunchers/launch_duo_report.py $PID $D 1 ACC-DUO | field id)
Q=$IN/quad; mkdir -p $Q; for m in mother father proband sibling; do cp $IN/s1.vcf.gz $Q/$m.vcf.gz; done
printf 'filename,label,external_id,sex,format,affected_status\nmother.vcf.gz,Mother,M-3,female,vcf.gz,unaffected\nfather.vcf.gz,Father,F-3,male,vcf.gz,unaffected\nproband.vcf.gz,Proband,P-3,male,vcf.gz,affected\nsibling.vcf.gz,Sister,S-3,female,vcf.gz,unaffected\n' > $Q/family_manifest.csv
QUAD=$($PY2 $E/ClinicalReportLaunchers/launch_quad_report.py $PID $Q 1 ACC-QUAD | field id)
SOLO=$($PY2 $E/ClinicalReportLaunchers/launch_solo_report.py $PID $IN/s1.vcf.gz "Solo" f EXT-SOLO vcf.gz ACC-SOLO --patient_info $IN/patient_info.csv | field id)
for R in $TRIO $DUO $QUAD $SOLO; do wait_status $R "READY TO REVIEW"; done
$PY2 $E/ClinicalReportLaunchers/get_clinical_report.py $TRIO --e true | jget mother_genome_id
$PY2 $E/ClinicalReportLaunchers/get_patient_fields.py $TRIO | grep 'Paul Billings' >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_scored_variants.py $TRIO --scoring_status scored --audit_log true >/dev/null
$PY2 $E/ClinicalReportLaunchers/get_report_structural_variants.py $TRIO --status REVIEWED
$PY2 $E/ClinicalReportLaunchers/get_report_structural_variants.py $TRIO --format VCF | grep '^##fileformat' >/dev/null
echo "chain3 OK trio=$TRIO duo=$DUO quad=$QUAD solo=$SOLO"
