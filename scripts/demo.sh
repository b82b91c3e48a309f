#!/usr/bin/env bash
# Install Barometro and run the main job on the bundled Cremona 2021 report:
# import -> plan -> master and sector templates -> filled with the 2021 actuals ->
# recalculated by LibreOffice -> line percentages vs the published ones.
# Usage: bash scripts/demo.sh [OUTDIR]   (default: out/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/barometro demo "${1:-out/demo}"
