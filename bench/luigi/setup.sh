#!/usr/bin/env bash
# Installs Luigi 3.8.1 into bench/.venv-luigi (idempotent). Prints the interpreter's path.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv-luigi"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import luigi, sys; sys.exit(luigi.__version__ != "3.8.1")' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'luigi==3.8.1' >&2
fi
echo "$venv/bin/python"
