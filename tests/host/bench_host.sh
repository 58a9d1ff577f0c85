#!/bin/sh
# Runs each benchmark of a host bench program under callgrind, counting only
# its run_NAME function, and prints `BENCH host_NAME <insn per op> <unit>`.
#   tests/host/bench_host.sh PROGRAM OUTDIR
set -eu
prog=$1
out=$2
mkdir -p "$out"
"$prog" --list | while read -r name ops unit; do
	file="$out/callgrind.$name.out"
	if ! valgrind --tool=callgrind --callgrind-out-file="$file" \
		--toggle-collect="run_$name" "$prog" "$name" \
		>"$out/$name.log" 2>&1; then
		echo "bench-host: $name failed; see $out/$name.log" >&2
		exit 1
	fi
	ir=$(awk '$1 == "summary:" || $1 == "totals:" { ir = $2 } END { print ir }' "$file")
	awk -v n="$name" -v ir="$ir" -v ops="$ops" -v u="$unit" \
		'BEGIN { printf "BENCH host_%s %.1f %s\n", n, ir / ops, u }'
done
