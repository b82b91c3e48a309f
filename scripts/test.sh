#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs LibreOffice and the Python
# dependencies when missing, then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
echo "==> running the tests"
exec .venv/bin/python -m pytest "$@"
