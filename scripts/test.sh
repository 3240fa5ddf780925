#!/usr/bin/env bash
# Set everything up (see setup.sh, with test tools) and run the whole test suite.
# Extra arguments go to pytest, e.g. -k config or -x.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh" --test
cd "$here"
exec "$here/.venv/bin/python" -m pytest "$@"
