#!/usr/bin/env bash
# Brings up what the tests need where it is absent — Redis, PostgreSQL, Debian's chromium —
# then lints, type-checks and runs the whole suite. Nothing is skipped: a service that cannot
# be brought up fails the run here, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need_root() {
  [ "$(id -u)" = 0 ] || { echo "test.sh: $1 is missing and installing it needs root (apt-get)" >&2; exit 1; }
}

# --- Redis --------------------------------------------------------------------------------
REDIS_URL="${E102_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  command -v redis-server >/dev/null || { need_root redis-server; apt_install redis-server; }
  echo "test.sh: starting redis-server on 127.0.0.1:6379"
  mkdir -p var
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$PWD/var" --logfile "$PWD/var/redis-test.log"
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
fi
export E102_TEST_REDIS_URL="$REDIS_URL"

# --- PostgreSQL ---------------------------------------------------------------------------
pg_ok() { $BIN/python - "$1" <<'PY'
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1], timeout=3)
    await conn.close()
try:
    asyncio.run(main())
except Exception:
    sys.exit(1)
PY
}
PG_DSN="${E102_TEST_POSTGRES_DSN:-postgresql://postgres@127.0.0.1:5432/postgres}"
if ! pg_ok "$PG_DSN"; then
  # The machine's own server is absent or refuses us: run a private trust-auth cluster.
  PG_DSN="postgresql://postgres@127.0.0.1:55432/postgres"
  if ! pg_ok "$PG_DSN"; then
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      need_root postgresql; apt_install postgresql
    fi
    PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
    PGDATA=/tmp/e102-pg-data
    echo "test.sh: starting a private PostgreSQL on 127.0.0.1:55432 ($PGDATA)"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      rm -rf "$PGDATA"; mkdir -p "$PGDATA"; chown postgres "$PGDATA"
      runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
    fi
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w \
      -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    pg_ok "$PG_DSN" || { echo "test.sh: PostgreSQL did not come up; see $PGDATA/log" >&2; exit 1; }
  fi
fi
export E102_TEST_POSTGRES_DSN="$PG_DSN"

# --- Chromium -----------------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  need_root chromium; apt_install chromium
fi

echo "test.sh: redis $E102_TEST_REDIS_URL, postgres $E102_TEST_POSTGRES_DSN, $(/usr/bin/chromium --version 2>/dev/null)"
$BIN/ruff check .
$BIN/mypy .
exec $BIN/pytest "$@"
