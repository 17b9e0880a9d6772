#!/usr/bin/env bash
# Times `hapctl anonymize` (release build) on the ARX adult data set, with
# all nine columns as quasi-identifiers, k = 5 and a 4% suppression limit,
# and on a generated table of 1,000,000 records. Prints the wall time, the
# time the report states, the levels chosen and the utility of each run.
#
# Usage: tools/bench/disclosure.sh [ADULT_DIR]
#   ADULT_DIR (or HAP_ARX_ADULT_DIR): folder with adult.csv and its
#   adult_hierarchy_<column>.csv files; the adult run is skipped without it.
# Needs jq and awk. Generated files go to a temporary folder, removed at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

adult_dir="${1:-${HAP_ARX_ADULT_DIR:-}}"
target_dir="${CARGO_TARGET_DIR:-target}"
hapctl="$target_dir/release/hapctl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p hapctl

# Seconds ARX needs for the adult run with the loss metric on the machine
# of docs/benchmarks.md; the adult run prints its wall time as a ratio to it.
arx_seconds=1.5

# Runs hapctl anonymize with the given arguments and prints its figures.
# ARX_RATIO=1 in the environment adds the ratio to ARX's time.
run() {
    local label=$1
    shift
    local started ended
    started=$(date +%s.%N)
    "$hapctl" anonymize --output "$work/released.csv" --report "$work/report.json" "$@"
    ended=$(date +%s.%N)
    echo "-- $label"
    awk -v s="$started" -v e="$ended" 'BEGIN { printf "wall time: %.3f s\n", e - s }'
    if [[ "${ARX_RATIO:-0}" == 1 ]]; then
        awk -v s="$started" -v e="$ended" -v arx="$arx_seconds" \
            'BEGIN { printf "ratio to ARX (%.1f s): %.2f (target 0.20)\n", arx, (e - s) / arx }'
    fi
    jq -r '"reported time: \(.elapsed_ms) ms (read, search, write)",
           "records: \(.records), suppressed: \(.suppressed_records), k reached: \(.k)",
           "levels: \(.levels | to_entries | map("\(.key)=\(.value)") | join(" "))",
           "\(.metric): \(.utility)",
           "nodes checked: \(.details.search.nodes_checked) of \(.details.search.lattice_nodes)"' \
        "$work/report.json"
}

if [[ -n "$adult_dir" ]]; then
    args=(--input "$adult_dir/adult.csv" --k 5 --suppression-limit 0.04)
    for column in sex age race marital-status education native-country workclass occupation salary-class; do
        args+=(--qi "$column" --hierarchy "$column=$adult_dir/adult_hierarchy_$column.csv")
    done
    ARX_RATIO=1 run "ARX adult, 9 quasi-identifiers, k = 5, suppression limit 4%, loss" "${args[@]}"
    run "ARX adult, same, non-uniform entropy" "${args[@]}" --metric entropy
else
    echo "-- ARX adult skipped: give its folder as the first argument or in HAP_ARX_ADULT_DIR"
fi

# 1,000,000 records: age 0-99, sex, 11 counties, 40 diagnosis codes and a
# numeric score, from a fixed-seed generator.
awk 'BEGIN {
    srand(20261204)
    print "id;age;sex;county;diagnosis;score"
    for (i = 0; i < 1000000; i++) {
        printf "p%d;%d;%s;county%02d;C%02d;%d\n", i, int(rand() * 100),
            (rand() < 0.5 ? "F" : "M"), int(rand() * 11), int(rand() * 40), int(rand() * 10)
    }
}' > "$work/million.csv"
awk 'BEGIN {
    for (age = 0; age < 100; age++) {
        five = int(age / 5) * 5; ten = int(age / 10) * 10; twenty = int(age / 20) * 20
        printf "%d;%d-%d;%d-%d;%d-%d;*\n", age, five, five + 4, ten, ten + 9, twenty, twenty + 19
    }
}' > "$work/age.csv"
awk 'BEGIN {
    for (c = 0; c < 11; c++) printf "county%02d;region%d;*\n", c, int(c / 4)
}' > "$work/county.csv"
awk 'BEGIN {
    for (d = 0; d < 40; d++) printf "C%02d;C%d;*\n", d, int(d / 10)
}' > "$work/diagnosis.csv"

run "generated, 1,000,000 records, 4 quasi-identifiers, k = 5, l = 3 (score), suppression limit 1%" \
    --input "$work/million.csv" --k 5 --l 3 --sensitive score --suppression-limit 0.01 \
    --qi age --hierarchy "age=$work/age.csv" --qi sex \
    --qi county --hierarchy "county=$work/county.csv" \
    --qi diagnosis --hierarchy "diagnosis=$work/diagnosis.csv"
