# Shared by scripts/start.sh and scripts/test.sh: a venv with the project's dependencies.
# Re-installs only when pyproject.toml changed since the last install.

PY=${PYTHON:-python3.11}

ensure_venv() {
  local extras="$1"  # "" or "dev"
  if ! command -v "$PY" >/dev/null 2>&1; then
    echo "Python 3.11 is needed ($PY not found)." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv 2>/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing python3-venv ..."
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
        rm -rf .venv && "$PY" -m venv .venv
      else
        echo "Cannot create a virtual environment: install python3-venv." >&2
        exit 1
      fi
    fi
  fi
  local want
  want="$(sha256sum pyproject.toml | cut -c1-16)-${extras}"
  if [ "$(cat .venv/.installed 2>/dev/null)" != "$want" ] && [ "$(cat .venv/.installed 2>/dev/null)" != "${want%-}-dev" ]; then
    echo "Installing Python dependencies into .venv ..."
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    # shellcheck disable=SC2046
    .venv/bin/python -m pip install -q $(.venv/bin/python scripts/deps.py $extras)
    echo "$want" > .venv/.installed
  fi
}

ensure_apt() {
  # ensure_apt CHECK_PATH PACKAGE...: install the packages when CHECK_PATH is absent.
  local check="$1"; shift
  if compgen -G "$check" >/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "Missing $check: install $* (needs root and apt-get)." >&2
    return 1
  fi
  echo "Installing $* ..."
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
