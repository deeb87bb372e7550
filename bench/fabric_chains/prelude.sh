# Contract §12.0 Prelude (inputs + helpers) (contracts/fabric.md), verbatim.
export FABRIC_API_URL=${FABRIC_API_URL:-http://127.0.0.1:8000}
export FABRIC_API_LOGIN=${FABRIC_API_LOGIN:-testlogin} FABRIC_API_PASSWORD=${FABRIC_API_PASSWORD:-testpass}
export OMICIA_API_URL=$FABRIC_API_URL OMICIA_API_LOGIN=$FABRIC_API_LOGIN OMICIA_API_PASSWORD=$FABRIC_API_PASSWORD
: "${EX:?set EX to the checkout of omicia_api_examples}"
E=$EX/fe2/python
PY2=${PY2:-python2.7}     # with requests<2.28 and simplejson
PY3=${PY3:-python3}       # with requests
set -euo pipefail
jget() { python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1:]: d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$@"; }                                   # jget KEY|INDEX ... on pure-JSON stdout
firstjson() { python3 -c 'import json,sys
t=sys.stdin.read(); i=min(x for x in (t.find("{"), t.find("[")) if x>=0)
d=json.JSONDecoder().raw_decode(t[i:])[0]
for k in sys.argv[1:]: d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$@"; }                                   # first JSON value inside mixed text
field() { awk -F': ' -v k="$1" '$1==k {print $2; exit}'; }    # "id: 123" lines of launcher output
wait_status() { for i in $(seq 30); do
  $PY2 $E/ClinicalReportLaunchers/get_report_status.py "$1" | grep -qx "Report Status: $2" && return 0; sleep 1; done
  echo "report $1 never reached $2" >&2; return 1; }
IN=$(mktemp -d)
printf '##fileformat=VCFv4.1\n##reference=GRCh37\n##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr7\t87160618\trs2032582\tA\tC\t1484.13\tPASS\t.\tGT\t1/1\nchr17\t41245466\t.\tG\tA\t200\tPASS\t.\tGT\t0/1\n' > $IN/s1.vcf
gzip -c $IN/s1.vcf > $IN/s1.vcf.gz
printf 'Opal Patient Information,value\nPatient Last Name,Doe\nPatient First Name,John\nPatient DOB,1/1/2000\nAccession ID,JD1\nPatient Sex,Male\nPatient Ethnicity,Caucasian\nIndication for Testing,Ataxia\nSpecimen Type,Blood\nDate Specimen Collected,9/9/2014\nDate Specimen Received,9/13/2014\nOrdering Physician,Paul Billings\n' > $IN/patient_info.csv
