#!/usr/bin/env bash
# Install what Barometro needs on a fresh Debian/Ubuntu machine:
#   - LibreOffice headless (recalculation, proofs, PDF checks) when missing;
#   - a virtual environment in .venv with barometro (and, with --test, the test extras).
# Usage: bash scripts/install.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need_apt=()
command -v soffice >/dev/null || need_apt+=(libreoffice-calc-nogui)
/usr/bin/python3 -c "import uno" 2>/dev/null || need_apt+=(python3-uno)
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
# Calibri's metric-compatible twin: LibreOffice lays out and prints the templates as Excel does.
fc-list 2>/dev/null | grep -qi carlito || need_apt+=(fonts-crosextra-carlito)
# WeasyPrint (the PDF of the Relazione) needs Pango; HarfBuzz-subset keeps PDFs small.
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need_apt+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || need_apt+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || need_apt+=(libharfbuzz-subset0)
# --- portal (barometro serve): the browser test drives Debian's chromium; storage tests use PostgreSQL
if ((WITH_TEST)); then
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
fi
# --- end portal
# --- barometro extension: unoidl-write (Debian libreoffice-dev) compiles the .oxt's type library
if ! command -v unoidl-write >/dev/null && [[ ! -x /usr/lib/libreoffice/sdk/bin/unoidl-write ]]; then
  need_apt+=(libreoffice-dev)
fi
# --- end barometro extension
# ---- robustness corpus (tests/support/hostile_corpus.py): files written by Gnumeric, with --test only
if ((WITH_TEST)); then
  command -v ssconvert >/dev/null || need_apt+=(gnumeric)
fi
# ---- end of the robustness corpus block
# ---- speed: bench_validate.py --instructions counts instructions under valgrind (its smoke test too)
if ((WITH_TEST)); then
  command -v valgrind >/dev/null || need_apt+=(valgrind)
fi
if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null; then
    echo "==> installing Debian packages: ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "!! missing ${need_apt[*]} and no apt-get: install LibreOffice Calc yourself" >&2
  fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if ((WITH_TEST)); then
  echo "==> installing barometro (editable) with test extras"
  .venv/bin/python -m pip install -q -e '.[test]'
elif .venv/bin/python -m pip show -q barometro 2>/dev/null && \
     .venv/bin/python -c "import barometro.validators as v, pathlib, sys; sys.exit(pathlib.Path(v.__file__).parent != pathlib.Path('validators').resolve())"; then
  echo "==> barometro already installed from this folder (editable): kept"
else
  echo "==> installing barometro"
  .venv/bin/python -m pip install -q .
fi
