# shellcheck shell=bash
# PostgreSQL for the tests. `source .ci/postgres.sh` (as root, on Debian 12) before pytest:
# installs Debian's postgresql if missing, starts its cluster, creates the test database,
# lets user postgres log in over TCP on 127.0.0.1 with a password, and exports
# NEWSLETTER_TEST_PG. Idempotent and quick when PostgreSQL is already there and running.
# If NEWSLETTER_TEST_PG is already set, it is left alone (use your own server).

_newsletter_pg_setup() {
    local db=newsletter_test password=newsletter-test version port lists
    if [ -n "${NEWSLETTER_TEST_PG:-}" ]; then
        echo "postgres.sh: using NEWSLETTER_TEST_PG from the environment"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "postgres.sh: must run as root (or set NEWSLETTER_TEST_PG to your own server)" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1)
        if [ -z "$lists" ] || ! apt-get install -y -qq postgresql >/dev/null; then
            apt-get update -qq || return 1
            apt-get install -y -qq postgresql >/dev/null || return 1
        fi
    fi
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'; then
        pg_createcluster "$version" main >/dev/null || return 1
    fi
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" {found = 1} END {exit !found}'; then
        pg_ctlcluster "$version" main start || return 1
    fi
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    local i
    for i in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p "$port" && break
        sleep 1
    done
    _newsletter_psql() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
    _newsletter_psql -c "ALTER USER postgres PASSWORD '$password'" || return 1
    if [ -z "$(_newsletter_psql -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        _newsletter_psql -c "CREATE DATABASE $db" || return 1
    fi
    unset -f _newsletter_psql
    export NEWSLETTER_TEST_PG="postgresql+psycopg://postgres:$password@127.0.0.1:$port/$db"
    echo "postgres.sh: PostgreSQL $version on port $port, database $db ready (NEWSLETTER_TEST_PG exported)"
}

_newsletter_pg_setup || { unset -f _newsletter_pg_setup; return 1 2>/dev/null || exit 1; }
unset -f _newsletter_pg_setup
