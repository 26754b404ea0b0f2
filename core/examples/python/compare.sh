#!/usr/bin/env bash
# Runs each ported process example and its Python original under every start method and diffs their
# output, with process ids replaced by "PID" (they differ from run to run).
# Usage: core/examples/python/compare.sh <build dir>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: compare.sh <build dir>}"
status=0
for name in process_hello process_info process_terminate start_methods; do
    for method in fork spawn forkserver; do
        cpp="$("$build/core/example_$name" --method "$method" | sed -E 's/[0-9]{2,}/PID/g')"
        py="$(python3 "$here/$name.py" --method "$method" | sed -E 's/[0-9]{2,}/PID/g')"
        if [[ "$cpp" == "$py" ]]; then
            echo "same: $name --method $method"
        else
            echo "DIFFERENT: $name --method $method"
            diff <(echo "$py") <(echo "$cpp") || true
            status=1
        fi
    done
done
exit $status
