#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz/run.sh NAME BINARY CORPUS MIN [LIBFUZZER-OPTION...]
#
# One fuzzing session of `make fuzz-run`: run BINARY on CORPUS with the
# options, keep its output in BINARY.log, then print one line
#   fuzz.NAME 1234 exec/s
# (executions from libFuzzer's final stats over the wall time, start-up and
# the seed corpus included: what a session really gets done).  Fails if
# libFuzzer found something, or if fewer than MIN executions a second ran.
set -u
name=$1 bin=$2 corpus=$3 min=$4
shift 4
log=$bin.log
start=$(date +%s%N)
"$bin" -print_final_stats=1 "$@" "$corpus" >"$log" 2>&1
rc=$?
end=$(date +%s%N)
if [ $rc -ne 0 ]; then
	tail -n 40 "$log"
	echo "fuzz.$name: libFuzzer exited with $rc (log: $log)"
	exit 1
fi
units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ -z "$units" ]; then
	echo "fuzz.$name: no stat::number_of_executed_units in $log"
	exit 1
fi
rate=$(awk -v u="$units" -v ns="$((end - start))" \
	'BEGIN { printf "%d", (ns > 0 ? u * 1e9 / ns : 0) }')
echo "fuzz.$name $rate exec/s ($units executions)"
if [ "$rate" -lt "$min" ]; then
	echo "fuzz.$name: below $min exec/s (FUZZ_MIN_EXEC_PER_SEC)"
	exit 1
fi
