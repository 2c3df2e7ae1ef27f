#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage (in the VM): selftests/config_check.sh [FILTER ...]
#
# Every configuration the selftests build, exported, applied to a fresh
# namespace and exported again: identical? graph_check.sh --config, which
# says how.  selftests/vm.sh selftests/config_check.sh test_config
exec "$(dirname "$(realpath "$0")")/graph_check.sh" --config "$@"
