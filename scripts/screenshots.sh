#!/usr/bin/env bash
# The README's pictures of the sector workbook and of the Relazione, made by LibreOffice:
#   docs/img/sector-first-screen.png  the line sheet as it opens in Calc (GUI on Xvfb, 1366x768)
#   docs/img/sector-printed.png       its first printed page (PDF by LibreOffice, pdftoppm)
#   docs/img/relazione-pages.png      the first pages of `barometro consolidate --pdf`
# Needs the GUI build of LibreOffice Calc (it replaces Debian's -nogui variant, which cannot
# draw a window; headless use is unchanged), Xvfb and ImageMagick: installed here with apt-get.
# Usage: bash scripts/screenshots.sh [SECTOR_FILE_SLUG]   (default: settore-politiche-sociali)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO="sudo"; fi
need=()
dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v import >/dev/null || need+=(imagemagick)
if ((${#need[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/barometro demo "$work/demo" >/dev/null
/usr/bin/python3 scripts/screenshots.py "$work/demo/ritorni/${1:-settore-politiche-sociali}.xlsx" docs/img
.venv/bin/barometro consolidate "$work/demo/ritorni" --master "$work/demo/modelli/master.xlsx" \
  -o "$work/relazione.xlsx" --pdf "$work/relazione.pdf" >/dev/null
pdftoppm -png -r 50 -f 1 -l 4 "$work/relazione.pdf" "$work/page"
montage "$work"/page-*.png -tile 4x1 -geometry +8+8 -background '#dddddd' docs/img/relazione-pages.png
echo "docs/img/relazione-pages.png: pages 1-4 of the Relazione"
