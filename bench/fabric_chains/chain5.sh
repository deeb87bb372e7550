# Contract §12.5 genomeless family / flexible-family reports, genomes attached afterwards (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 5" "flexible" CONTRIBUTOR | jget id)
M=$IN/m5; mkdir -p $M; cp $IN/s1.vcf.gz $M/kid.vcf.gz; cp $IN/s1.vcf $M/mom.vcf; cp $IN/s1.vcf $M/dad.vcf
printf 'filename,label,external_id,sex,format\nkid.vcf.gz,Kid,K-5,female,vcf.gz\nmom.vcf,Mom,M-5,female,vcf\ndad.vcf,Dad,D-5,male,vcf\n' > $M/manifest.csv
$PY2 $E/GenomeWorkflows/upload_genomes_folder_with_manifest.py $PID $M > $IN/m5.json
KID=$(python3 -c 'import json,sys; print([g["genome_id"] for g in json.load(open(sys.argv[1])) if g["external_id"]=="K-5"][0])' $IN/m5.json)
MOM=$(python3 -c 'import json,sys; print([g["genome_id"] for g in json.load(open(sys.argv[1])) if g["external_id"]=="M-5"][0])' $IN/m5.json)
DAD=$(python3 -c 'import json,sys; print([g["genome_id"] for g in json.load(open(sys.argv[1])) if g["external_id"]=="D-5"][0])' $IN/m5.json)
FLEX=$($PY2 $E/ClinicalReportLaunchers/launch_flexible_family_report.py Trio ACC-FLEX --project_id $PID --hpo HP:0001250,HP:0001263 | firstjson id)
$PY2 $E/ClinicalReportLaunchers/get_report_status.py $FLEX | grep -x 'Report Status: WAITING FOR SAMPLE' >/dev/null
$PY2 $E/ClinicalReportLaunchers/add_genomes_to_flexible_family.py $FLEX --proband_genome_id $KID --proband_sex f \
   --family_1_genome_id $MOM --family_1_sex f --family_1_affected 0 --family_1_relationship mother --family_1_label Mom \
   --family_2_genome_id $DAD --family_2_sex m --family_2_affected 0 --family_2_relationship father --indels 1 --project_id $PID | field genome_id | grep -x $KID >/dev/null
NG=$($PY2 $E/ClinicalReportLaunchers/launch_family_report_no_genome.py Trio ACC-NG --project_id $PID | field id)
$PY2 $E/ClinicalReportLaunchers/add_genome_to_cr.py $NG $KID --m $MOM --f $DAD f | field mother_genome_id | grep -x $MOM >/dev/null
PT=$($PY2 $E/ClinicalReportLaunchers/launch_panel_trio_no_genomes_report.py $($PY2 $E/PanelWorkflows/post_panel.py --n "PT $PID" --d pt | firstjson id) ACC-PT $PID | field id)
$PY2 $E/ClinicalReportLaunchers/add_genome_to_cr.py $PT $KID --m $MOM --f $DAD f | field genome_id | grep -x $KID >/dev/null
$PY2 $E/ClinicalReportLaunchers/launch_flexible_family_report.py Duo ACC-FLEX2 --project_id $PID --proband_genome_id $KID --proband_sex f \
   --family_1_genome_id $MOM --family_1_sex f --family_1_relationship mother | firstjson status
echo "chain5 OK flex=$FLEX family=$NG panel_trio=$PT"
