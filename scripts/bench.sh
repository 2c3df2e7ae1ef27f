#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the data path against Linux forwarding in one VM boot
# without slub_debug, then the policy core's instruction counts.
set -euo pipefail
cd "$(dirname "$0")/.."
selftests/vm.sh --no-slub-debug selftests/bench_datapath.sh
scripts/bench-core.sh
