# Contract §12.8 FE3 cases (Python 3 script + curl shell scripts) (contracts/fabric.md), verbatim.
F3=$EX/fe3
OUT=$($PY3 $F3/python/post_new_case.py --analysis WGS --accession P-8 --sex MALE --hpo_terms HP:0001250 HP:0001263 \
      --genome "P-8 genome" --vcf $IN/s1.vcf.gz --f1_accession M-8 --f1_sex FEMALE --f1_relationship MOTHER \
      --f1_genome "M-8 genome" --f1_vcf $IN/s1.vcf.gz --patient_info_file <(printf 'key,value\nfirst_name,John\nlast_name,Doe\ndob,2021-01-01\nspecimen_type,Blood\nf1_dob,1990-02-03\n'))
CASE=$(echo "$OUT" | sed -n 's/^SUCCESS: created case container //p')
echo "$OUT" | grep 'SUCCESS: uploaded vcf files to members' >/dev/null
$PY3 $F3/python/post_new_case.py --analysis PANEL --test_id 460737 --accession P-9 --sex FEMALE --genome g9 --vcf $IN/s1.vcf --platform ONT --checksum abc | grep SUCCESS >/dev/null
cd $F3/shell
NEW=$(sh create_case.sh sample_data/new_panel_case.json 2>/dev/null)
C2=$(echo "$NEW" | jget case_container_id); M2=$(echo "$NEW" | jget urls 0 member_id)
sh get_cases.sh 2>/dev/null | jget objects 0 members 0 accession
sh upload_genome.sh $C2 $M2 $IN/s1.vcf.gz 2>/dev/null
sh get_report.sh $CASE 2>/dev/null          # JSON (error JSON until a report is approved)
echo "chain8 OK case=$CASE case2=$C2"
