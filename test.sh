#!/usr/bin/env bash
# Runs every test: adapter and engine unit tests, integration tests on the migrated database (through
# WebApplicationFactory on real Kestrel), the SIGKILL crash-recovery and outage tests, and the browser tests
# in Chromium (installed by e2e/run.sh when missing). Then the engine integration suite once more on PostgreSQL
# (installed by scripts/postgres.sh when missing), on a private throwaway server removed at the end.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build HealthSync.Portal.sln -nologo -v quiet
dotnet test HealthSync.Portal.sln --no-build -nologo
bash e2e/run.sh

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/healthsync-pg-XXXXXX")
trap 'scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
pg_url=$(scripts/postgres.sh start "$pg_dir" --throwaway)
echo "Engine integration suite on PostgreSQL ($pg_url)"
HEALTHSYNC_TEST_DATABASE=postgres HEALTHSYNC_TEST_PG="$pg_url" dotnet test tests/Engine.Tests --no-build -nologo
