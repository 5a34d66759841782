# Shared by scripts/start.sh and scripts/test.sh: a venv with the project's locked dependencies
# (requirements.lock, or requirements-dev.lock for the tests: exact versions, hashes checked),
# then the project itself, editable, which also gives .venv/bin/newsdesk.
# Re-installs only when a lock file or pyproject.toml changed since the last install.

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
  local key want lock=requirements.lock
  if [ "$extras" = dev ]; then lock=requirements-dev.lock; fi
  key="$(cat requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -c1-16)"
  want="${key}-${extras}"
  # The dev set includes the runtime set: a venv made for the tests also runs the service.
  if [ "$(cat .venv/.installed 2>/dev/null)" != "$want" ] && [ "$(cat .venv/.installed 2>/dev/null)" != "${key}-dev" ]; then
    echo "Installing Python dependencies into .venv ($lock) ..."
    .venv/bin/python -m pip install -q --require-hashes -r "$lock"
    .venv/bin/python -m pip install -q --no-deps -e .
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
