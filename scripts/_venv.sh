# Sourced by scripts/demo and scripts/test: create or reuse .venv on Python 3.11.
# Spyne 2.14.0 does not import on Python 3.12+, so nothing else will do.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python311() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    local stamp="$VENV/.installed-from" want
    want="$(cat "$ROOT/pyproject.toml" | cksum)"
    if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        echo "note: $VENV is not Python 3.11; recreating it" >&2
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        local py
        if ! py="$(find_python311)"; then
            echo "error: Python 3.11 is required (Spyne 2.14.0 does not import on 3.12+)." >&2
            echo "       Install python3.11 or point PYTHON=/path/to/python3.11 at one." >&2
            exit 2
        fi
        "$py" -m venv "$VENV"
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
