#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: [FUZZ_TIME=S] [FUZZ_OUT=DIR] fuzz/run.sh NAME...
#
# Runs each libFuzzer target fuzz/fuzz_NAME (built by "make fuzz") for S
# seconds (60 by default), one process, nice'd, from its seed corpus
# fuzz/corpus/NAME with fuzz/NAME.dict when there is one. New inputs go to
# DIR/NAME/corpus and a crash to DIR/NAME/ (the committed seeds stay as
# they are); the log is DIR/NAME/log. Prints TAP: for each target the
# runs, exec/s, edges covered (cov) and features (ft) at the end; a target
# that crashed or failed a check fails, with the line that says why.
set -u

cd "$(dirname "$0")"
time=${FUZZ_TIME:-60}
out=${FUZZ_OUT:-../../.build/fuzz}
status=0
n=0

echo "1..$#"
for name in "$@"; do
	n=$((n + 1))
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	args=(-max_total_time="$time" -print_final_stats=1
	      -artifact_prefix="$dir/")
	[ -f "$name.dict" ] && args+=(-dict="$name.dict")
	case $name in
	lpm|acl) args+=(-max_len=1024 -len_control=0) ;;
	esac
	seeds=()
	[ -d "corpus/$name" ] && seeds=("corpus/$name")
	start=$(date +%s)
	nice -n 10 "./fuzz_$name" "${args[@]}" "$dir/corpus" "${seeds[@]}" \
		>"$dir/log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	done_line=$(grep -a 'DONE' "$dir/log" | tail -n 1)
	runs=$(grep -a 'stat::number_of_executed_units' "$dir/log" |
	       awk '{ print $2 }')
	field() { sed -n "s/.* $1: *\([0-9]*\).*/\1/p" <<<"$done_line"; }
	if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
		echo "ok $n - fuzz_$name: ${runs:-?} runs in $secs s," \
		     "$(field exec\\/s) exec/s, cov $(field cov), ft $(field ft)," \
		     "corpus $(sed -n 's/.* corp: *\([0-9]*\).*/\1/p' <<<"$done_line")"
	else
		status=1
		echo "not ok $n - fuzz_$name: exit $rc after $secs s (log: $dir/log)"
		grep -a -E 'check failed|ERROR: |runtime error|Test unit written' \
			"$dir/log" | head -n 5 | sed 's/^/# /'
	fi
done
exit $status
