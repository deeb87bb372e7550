# Contract §12.7 genome management, VAAST analyses, variant-report variants, secondary-analysis jobs (contracts/fabric.md), verbatim.
PID=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 7" "genomes" CONTRIBUTOR | jget id)
P2=$($PY2 $E/GenomeWorkflows/create_project.py "Acceptance 7b" "move target" NONE | jget id)
FD=$IN/f7; mkdir -p $FD; cp $IN/s1.vcf $FD/a.vcf; cp $IN/s1.vcf.gz $FD/b.vcf.gz
$PY2 $E/GenomeWorkflows/upload_genomes_folder.py $PID $FD | jget 1 genome_id
G=$($PY2 $E/GenomeWorkflows/upload_genome.py $PID "Verbose" female $IN/s1.vcf.gz --external_id EXT-7 --checksum $(md5sum < $IN/s1.vcf.gz | cut -d' ' -f1) --verbose 2>/dev/null | jget genome_id)
$PY2 $E/GenomeWorkflows/list_projects.py | tail -n +2 | jget objects 0 id
$PY2 $E/GenomeWorkflows/edit_genome.py $G --n "Renamed" --e EXT-7b --p $P2 | jget project_id
$PY2 $E/GenomeWorkflows/get_genomes.py $P2 | jget objects 0 name | grep -x Renamed >/dev/null
A=$($PY2 $E/AnalysisLaunchers/launch_analysis.py "VAAST Solo Report" --proband_genome_id $G --proband_sex f --hpo_terms HP:0001250 | jget id)
$PY2 $E/AnalysisLaunchers/get_analysis.py --id $A | jget report_status
$PY2 $E/AnalysisLaunchers/get_analysis.py --genome_id $G | jget objects 0 id
$PY2 $E/AnalysisLaunchers/export_analysis.py --id $A --filter_id 1 --format JSON --limit 10
$PY2 $E/AnalysisLaunchers/export_analysis.py --id $A --panel_id 1 --structural
CR=$($PY2 $E/ClinicalReportLaunchers/launch_solo_report.py $PID $IN/s1.vcf.gz "VR" f EXT-VR vcf.gz ACC-7 | field id)
wait_status $CR "READY TO REVIEW"
VR=$($PY2 $E/ClinicalReportLaunchers/get_clinical_report.py $CR | jget variant_report_id)
$PY2 $E/AnalysisLaunchers/get_variant_report_variants.py $VR --offset 0 --limit 10 > /dev/null
$PY2 $E/AnalysisLaunchers/get_variant_report_variants.py $VR --variant_location chr7:87160618-87160618 > /dev/null
printf 'chr7\t87160000\t87170000\n' > $IN/t.bed
$PY2 $E/AnalysisLaunchers/get_variant_report_variants.py $VR --bed_file_path $IN/t.bed > /dev/null
$PY2 $E/AnalysisLaunchers/get_variant_report_variants.py $VR --target_variants '[{"chromosome": "chr7", "start_on_chrom": 87160618, "end_on_chrom": 87160618}]' > /dev/null
$PY2 $E/AnalysisLaunchers/delete_analysis.py --id $A
$PY2 $E/GenomeWorkflows/delete_genome.py $G | jget id
U=$($PY2 $E/SecondaryAnalysis/create_job.py --a ACC-7 | jget uuid)
$PY2 $E/SecondaryAnalysis/find_job.py --uuid $U | jget objects 0 accession_id | grep -x ACC-7 >/dev/null
echo "chain7 OK"
