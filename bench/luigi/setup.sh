#!/usr/bin/env bash
# Installs Luigi 3.8.1 into bench/.venv-luigi (idempotent), with boto3 (for luigi.contrib.s3) and
# hdfs (HdfsCLI, for luigi.contrib.hdfs's webhdfs client). Prints the interpreter's path.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv-luigi"
pins=('luigi==3.8.1' 'boto3==1.44.5' 'hdfs==2.7.3')
check='import sys, boto3, hdfs, luigi
sys.exit((luigi.__version__, boto3.__version__, hdfs.__version__) != ("3.8.1", "1.44.5", "2.7.3"))'
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "$check" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" >&2
fi
echo "$venv/bin/python"
