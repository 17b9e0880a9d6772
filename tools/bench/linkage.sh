#!/usr/bin/env bash
# Linkage benchmark: the same cohort-and-join in DuckDB and in `hapctl link`
# on the same Parquet files, with wall time and peak resident memory of both.
#
# The data is generated once by DuckDB and cached:
#   HAP_BENCH_PERSONS   persons in the spine (default 5000000)
#   HAP_BENCH_EVENTS    event rows (default 50000000)
#   HAP_BENCH_DIR       cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/bench)
#   HAP_BENCH_RUNS      runs of each engine, alternating (default 3)
# Flags --persons N, --events N and --runs N override them.
#
# The two engines run in turn, DuckDB first, and the line compares the
# median time and the median peak memory of each. One run of either engine
# varies by several percent on a shared machine, more than the margin the
# ratios are read against.
#
# The cohort: persons born 1930-2010 with at least one event whose ICD-10
# code starts with C. Both engines write the cohort persons and all their
# events to Parquet. hapctl also validates every identity number and
# writes a keyed-hash pseudonym (one hash per person) where DuckDB writes
# the number. The last line has the form
#   linkage: hap 9.1 s 0.48 GB, duckdb 12.2 s 0.57 GB, time ratio 0.75, memory ratio 0.84
set -euo pipefail
cd "$(dirname "$0")/../.."

persons=${HAP_BENCH_PERSONS:-5000000}
events=${HAP_BENCH_EVENTS:-50000000}
runs=${HAP_BENCH_RUNS:-3}
while [ $# -gt 0 ]; do
  case "$1" in
    --persons) persons=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown argument $1; use --persons N, --events N or --runs N" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "the number of runs must be a whole number above 0, found \`$runs\`" >&2
  exit 2
fi

cache=${HAP_BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/bench}
data="$cache/data-$persons-$events"
venv="$cache/venv"
mkdir -p "$cache"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  echo "== installing the duckdb Python package into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi
py="$venv/bin/python"

if [ ! -f "$data/done" ]; then
  echo "== generating $persons persons and $events events into $data (once)"
  rm -rf "$data" && mkdir -p "$data"
  "$py" - "$data" "$persons" "$events" <<'PY'
import sys, duckdb
data, persons, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
outsiders = max(persons // 10, 10)
candidates = int((persons + outsiders) * 2.2) + 1000
con = duckdb.connect()
# Valid ordinary numbers: birth dates 1920-2019, individual numbers 000-499
# in the 1900s and 500-999 in the 2000s, both classic check digits.
con.execute(f"""
CREATE TABLE candidates AS
WITH drawn AS (
  SELECT i, DATE '1920-01-01' + CAST(hash(i) % 36500 AS INTEGER) AS born, hash(i * 7 + 3) % 500 AS draw
  FROM range({candidates}) t(i)
), nine AS (
  SELECT i, born, strftime(born, '%d%m%y') ||
         lpad(CAST(CASE WHEN year(born) < 2000 THEN draw ELSE draw + 500 END AS VARCHAR), 3, '0') AS s
  FROM drawn
), digits AS (
  SELECT i, born, s, [CAST(substr(s, k, 1) AS INTEGER) FOR k IN range(1, 10)] AS d FROM nine
), first AS (
  SELECT *, (11 - (3*d[1] + 7*d[2] + 6*d[3] + d[4] + 8*d[5] + 9*d[6] + 4*d[7] + 5*d[8] + 2*d[9]) % 11) % 11 AS k1
  FROM digits
), second AS (
  SELECT *, (11 - (5*d[1] + 4*d[2] + 3*d[3] + 2*d[4] + 7*d[5] + 6*d[6] + 5*d[7] + 4*d[8] + 3*d[9] + 2*k1) % 11) % 11 AS k2
  FROM first WHERE k1 < 10
)
SELECT min(i) AS i, s || k1 || k2 AS person_id, any_value(born) AS born,
       any_value(CASE WHEN d[9] % 2 = 1 THEN 'male' ELSE 'female' END) AS sex
FROM second WHERE k2 < 10 GROUP BY person_id
""")
available = con.execute("SELECT count(*) FROM candidates").fetchone()[0]
if available < persons + outsiders:
    sys.exit(f"generated only {available} distinct numbers; lower the person count")
con.execute(f"""
CREATE TABLE numbered AS
SELECT row_number() OVER (ORDER BY i) - 1 AS n, person_id, born, sex FROM candidates
QUALIFY n < {persons + outsiders}
""")
con.execute(f"""
COPY (SELECT person_id, sex, CAST(year(born) AS INTEGER) AS birth_year FROM numbered
      WHERE n < {persons} ORDER BY n)
TO '{data}/persons.parquet' (FORMAT parquet)
""")
# Nine events in ten belong to spine persons, one to numbers outside the
# spine; one in a thousand has a broken check digit, one in two thousand
# no number, one in two thousand a lost leading zero.
con.execute(f"""
COPY (
  WITH drawn AS (
    SELECT i, hash(i * 3 + 1) AS h, hash(i * 5 + 2) AS g FROM range({events}) t(i)
  ), picked AS (
    SELECT i, h, g, CASE WHEN h % 10 = 0 THEN {persons} + g % {outsiders} ELSE g % {persons} END AS n
    FROM drawn
  )
  SELECT
    CASE
      WHEN h % 2000 = 1 THEN NULL
      WHEN h % 2000 = 2 THEN ltrim(person_id, '0')
      WHEN h % 1000 = 3 THEN substr(person_id, 1, 10) || CAST((CAST(substr(person_id, 11, 1) AS INTEGER) + 1) % 10 AS VARCHAR)
      ELSE person_id
    END AS person_id,
    CASE WHEN (h >> 8) % 10 < 7 THEN 'C' ELSE substr('ABDEFGHIJKLMNOPQRSTUVWXYZ', CAST((h >> 12) % 25 AS INTEGER) + 1, 1) END
      || lpad(CAST((h >> 20) % 100 AS VARCHAR), 2, '0') || '.' || CAST((h >> 28) % 10 AS VARCHAR) AS icd10,
    DATE '2000-01-01' + CAST((h >> 32) % 9000 AS INTEGER) AS event_date
  FROM picked JOIN numbered USING (n)
  ORDER BY i
) TO '{data}/events.parquet' (FORMAT parquet)
""")
PY
  cat > "$data/spine.json" <<'JSON'
{"file": {"path": "persons.parquet", "format": "parquet"},
 "identifier": "person_id", "sex": "sex", "birth_year": "birth_year"}
JSON
  cat > "$data/events.json" <<'JSON'
{"name": "events", "file": {"path": "events.parquet", "format": "parquet"},
 "identifiers": ["person_id"],
 "variables": [{"name": "icd10", "type": "text"}, {"name": "event_date", "type": "date"}],
 "year": "event_date"}
JSON
  cat > "$data/criteria.json" <<'JSON'
{"all": [{"birth_year": {"from": 1930, "to": 2010}},
         {"event": {"registry": "events", "icd10": {"column": "icd10", "prefixes": ["C"]}}}]}
JSON
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$data/master.key"
  touch "$data/done"
fi

echo "== building hapctl (release)"
cargo build --release --quiet -p hapctl
target=${CARGO_TARGET_DIR:-target}
hapctl="$target/release/hapctl"

work=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Prints "seconds gigabytes" of a command from GNU time.
measure() {
  local log=$1; shift
  /usr/bin/time -v "$@" > "$log.out" 2> "$log"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  awk -v w="$wall" -v r="$rss" 'BEGIN { printf "%.2f %.3f\n", w, r / 1048576 }'
}

echo "== duckdb $("$py" -c 'import duckdb; print(duckdb.__version__)')"
cat > "$work/duck.py" <<PY
import duckdb
con = duckdb.connect()
con.execute("""
CREATE TEMP TABLE cohort AS
SELECT person_id, sex, birth_year FROM read_parquet('$data/persons.parquet')
WHERE birth_year BETWEEN 1930 AND 2010
  AND person_id IN (SELECT person_id FROM read_parquet('$data/events.parquet') WHERE icd10 LIKE 'C%')
""")
con.execute("COPY cohort TO '$work/duck-persons.parquet' (FORMAT parquet)")
con.execute("""
COPY (SELECT e.person_id, e.icd10, e.event_date FROM read_parquet('$data/events.parquet') e
      WHERE e.person_id IN (SELECT person_id FROM cohort))
TO '$work/duck-events.parquet' (FORMAT parquet)
""")
PY
# Prints the median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

duck_times=() duck_memories=() hap_times=() hap_memories=()
for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs: duckdb"
  rm -f "$work/duck-persons.parquet" "$work/duck-events.parquet"
  read -r seconds gigabytes < <(measure "$work/duck.log" "$py" "$work/duck.py")
  echo "duckdb: $seconds s, $gigabytes GB"
  duck_times+=("$seconds") duck_memories+=("$gigabytes")

  echo "== run $run of $runs: hapctl link"
  rm -rf "$work/hap"
  read -r seconds gigabytes < <(measure "$work/hap.log" "$hapctl" link \
    --spine "$data/spine.json" --registry "$data/events.json" --criteria "$data/criteria.json" \
    --master-key-file "$data/master.key" --project 00000000-0000-4000-8000-000000000001 \
    --out "$work/hap")
  cat "$work/hap.log.out"
  echo "hap: $seconds s, $gigabytes GB"
  hap_times+=("$seconds") hap_memories+=("$gigabytes")
done
duck_s=$(median "${duck_times[@]}") duck_gb=$(median "${duck_memories[@]}")
hap_s=$(median "${hap_times[@]}") hap_gb=$(median "${hap_memories[@]}")
echo "medians of $runs runs: duckdb $duck_s s $duck_gb GB, hap $hap_s s $hap_gb GB"

read -r duck_rows duck_persons hap_rows hap_persons < <("$py" - <<PY
import duckdb
con = duckdb.connect()
count = lambda glob: con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
print(count('$work/duck-events.parquet'), count('$work/duck-persons.parquet'),
      count('$work/hap/events/*.parquet'), count('$work/hap/persons.parquet'))
PY
)
echo "rows written: duckdb $duck_rows events of $duck_persons persons, hap $hap_rows events of $hap_persons persons"
if [ "$duck_rows" != "$hap_rows" ] || [ "$duck_persons" != "$hap_persons" ]; then
  echo "the two engines wrote different row counts" >&2
  exit 1
fi

awk -v hs="$hap_s" -v hg="$hap_gb" -v ds="$duck_s" -v dg="$duck_gb" 'BEGIN {
  printf "linkage: hap %.1f s %.2f GB, duckdb %.1f s %.2f GB, time ratio %.2f, memory ratio %.2f\n",
    hs, hg, ds, dg, hs / ds, hg / dg }'
