# Sourced by scripts/demo and scripts/test: create or reuse a virtual environment on a supported
# Python (CPython 3.11 to 3.14, the requires-python of pyproject.toml) and install the project.
#   PYTHON=/path/to/python3.X   use that interpreter (it must be a supported version)
#   otherwise                   the newest supported one on PATH (python3.14 ... python3.11,
#                               python3, python)
#   IRCTC_VENV=DIR              where the environment lives (default: .venv in the checkout)
# The environment is made anew when the interpreter it was made with is not the one picked.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IRCTC_VENV:-$ROOT/.venv}"
SUPPORTED="3.11 to 3.14"

# "3.X /real/path/to/python" if $1 runs and is a supported CPython, else nothing.
describe_python() {
    "$1" -c '
import platform, sys
if platform.python_implementation() == "CPython" and (3, 11) <= sys.version_info[:2] <= (3, 14):
    print(platform.python_version(), sys.executable)
' 2>/dev/null || true
}

# Sets PY (the interpreter) and PY_VERSION, or stops with a message saying what to install.
pick_python() {
    local candidate found best="" best_key=0 key
    if [ -n "${PYTHON:-}" ]; then
        found="$(describe_python "$PYTHON")"
        if [ -z "$found" ]; then
            echo "error: PYTHON=$PYTHON is not a Python $SUPPORTED interpreter that runs here." >&2
            exit 2
        fi
        PY_VERSION="${found%% *}" PY="${found#* }"
        echo "python: $PY ($PY_VERSION, from PYTHON)" >&2
        return
    fi
    for candidate in python3.14 python3.13 python3.12 python3.11 python3 python; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        found="$(describe_python "$candidate")"
        [ -n "$found" ] || continue
        key="$(echo "${found%% *}" | awk -F. '{ printf "%d", $1 * 1000000 + $2 * 1000 + $3 }')"
        if [ "$key" -gt "$best_key" ]; then best="$found" best_key="$key"; fi
    done
    if [ -z "$best" ]; then
        echo "error: no Python $SUPPORTED found on PATH (tried python3.14 ... python3.11, python3)." >&2
        echo "       Install one with its venv module (Debian 13: apt-get install python3 python3-venv;" >&2
        echo "       Ubuntu 24.04: the same; Debian 12: python3.11 python3.11-venv), or set" >&2
        echo "       PYTHON=/path/to/python3.X." >&2
        exit 2
    fi
    PY_VERSION="${best%% *}" PY="${best#* }"
    echo "python: $PY ($PY_VERSION, the newest supported on PATH; PYTHON=... picks another)" >&2
}

ensure_venv() {
    local stamp="$VENV/.installed-from" made_with="$VENV/.made-with" want
    pick_python
    want="$(cksum < "$ROOT/pyproject.toml")"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$made_with" 2>/dev/null)" != "$PY $PY_VERSION" ]; then
        # Older environments have no record: one made with this same version is kept.
        if [ ! -f "$made_with" ] && [ "$(describe_python "$VENV/bin/python" | cut -d' ' -f1)" = "$PY_VERSION" ]; then
            echo "$PY $PY_VERSION" > "$made_with"
        else
            echo "note: $VENV was made with $(cat "$made_with" 2>/dev/null || echo 'another Python'); recreating it" >&2
            rm -rf "$VENV"
        fi
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        local err
        err="$(mktemp)"
        if ! "$PY" -m venv "$VENV" >/dev/null 2>"$err"; then
            sed 's/^/       /' "$err" >&2
            rm -rf "$VENV" "$err"
            echo "error: $PY cannot create a virtual environment; on Debian or Ubuntu install" >&2
            echo "       python${PY_VERSION%.*}-venv (apt-get install python${PY_VERSION%.*}-venv)." >&2
            exit 2
        fi
        rm -f "$err"
        echo "$PY $PY_VERSION" > "$made_with"
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        local log="$VENV/install.log"
        echo "setting up $VENV (log: $log)" >&2
        if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip \
               && "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT[dev]"; \
             } >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            echo "error: installing the project into $VENV failed (full log: $log)" >&2
            exit 2
        fi
        echo "$want" > "$stamp"
    fi
}
