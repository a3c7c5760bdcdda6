#!/usr/bin/env bash
# Runs the Python binding's tests: a venv with pytest (.venv-python at the
# repository's top, reused across runs), a fresh debug build of libtcc and
# the OSM stand-in, then pytest with TCC_LIBRARY pointing at that libtcc.
# Extra arguments go to pytest. Exits non-zero on any failure, and when
# pytest collected or ran no test.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv-python
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'pytest==8.4.2'

cargo build --quiet -p tcc -p osm-standin
build_dir="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug"
export TCC_TARGET_DIR="$build_dir"
export TCC_LIBRARY="$build_dir/libtcc.so"

status=0
"$venv/bin/python" -m pytest -p no:cacheprovider bindings/python/tests "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "bindings/python/run-tests.sh: pytest collected no tests" >&2
fi
exit "$status"
