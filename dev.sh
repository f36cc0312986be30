#!/usr/bin/env bash
# Praoportalen's two everyday commands, for a fresh machine with Python 3.11:
#   ./dev.sh run    install, migrate, load demo data, serve at http://127.0.0.1:5000, with
#                   the periodic jobs (morning emails, alerts, reminders) running beside it
#   ./dev.sh test   install with test tools (Debian's chromium, the Nu Html Checker), check
#                   with ruff and mypy, run the whole suite
# Extra arguments after `test` go to pytest. TEST_DATABASE_URL runs the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

install() {
  local extras=$1
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  # Installing again is skipped while pyproject.toml is unchanged: CI runs this script
  # twice at once (SQLite and PostgreSQL), and the second run must not rebuild the package
  # under the first one's feet.
  local stamp="$VENV/.installed$extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(sha256sum pyproject.toml)" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras"
    sha256sum pyproject.toml > "$stamp"
  fi
  # Translations live as .po files in the repository; the .mo files are built here.
  "$VENV/bin/pybabel" compile -d portal/translations >/dev/null
}

# One install and one type check at a time: a second `./dev.sh test` started beside the
# first waits here, then finds everything installed and the type checker's cache warm.
exclusively() {
  mkdir -p "$VENV"
  exec 9>"$VENV.lock"
  flock 9
  "$@"
  flock -u 9
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installerar Debians chromium för webbläsartesterna …"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Webbläsartesterna behöver Debians chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
}

# The Nu Html Checker (vnu.jar from npm) checks every page the browser tests open; it runs
# on the machine's Java. Installed into tests/browser/node_modules from the lock file,
# without install scripts (vnu-jar's would download a Java of its own).
ensure_html_checker() {
  if ! command -v java >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installerar Java och npm för Nu Html Checker …"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless npm >/dev/null
    else
      echo "Webbläsartesterna behöver Java och npm: sudo apt-get install default-jre-headless npm" >&2
      exit 1
    fi
  fi
  if [ ! -f tests/browser/node_modules/vnu-jar/build/dist/vnu.jar ] \
     || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}

# tests/test_several_servers.py counts login throttling in Redis: the one on 127.0.0.1:6379,
# or a private redis-server the test starts where none runs.
ensure_redis() {
  (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return 0
  command -v redis-server >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installerar redis-server för testet med flera appservrar …"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "Testet med flera appservrar behöver Redis: sudo apt-get install redis-server" >&2
    exit 1
  fi
}

prepare_tests() {
  install "[test]"
  ensure_chromium
  ensure_html_checker
  ensure_redis
}

check_code() {
  "$VENV/bin/ruff" check --quiet .
  "$VENV/bin/mypy"  # configured in pyproject.toml: the portal package and the benchmarks, every def typed
}

case "${1:-}" in
  run)
    install ""
    export FLASK_APP=portal:create_app
    "$VENV/bin/flask" db upgrade
    "$VENV/bin/flask" demo seed
    # The jobs run every half minute beside the server, so the demo's morning emails and
    # alerts happen by themselves; without MAIL_SERVER they wait in the outbox. They stop
    # when the server stops.
    "$VENV/bin/flask" jobs run --loop --interval 30 &
    jobs_pid=$!
    trap 'kill "$jobs_pid" 2>/dev/null || true' EXIT INT TERM
    echo "Praoportalen körs på http://127.0.0.1:5000 (avsluta med Ctrl+C)"
    "$VENV/bin/flask" run --host 127.0.0.1 --port 5000
    ;;
  test)
    shift
    exclusively prepare_tests
    # PORTAL_CODE_CHECKED=1: another run beside this one checks the same checkout (CI's two
    # engines at once), so this one goes straight to the tests.
    if [ "${PORTAL_CODE_CHECKED:-}" != 1 ]; then
      exclusively check_code
    fi
    exec "$VENV/bin/pytest" "$@"
    ;;
  *)
    echo "användning: ./dev.sh run | ./dev.sh test [pytest-argument …]" >&2
    exit 2
    ;;
esac
