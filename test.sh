#!/usr/bin/env bash
# Runs every test: adapter and engine unit tests, integration tests on the migrated database (through
# WebApplicationFactory on real Kestrel), the SIGKILL crash-recovery and outage tests, and the browser tests
# in Chromium (installed by e2e/run.sh when missing).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build HealthSync.Portal.sln -nologo -v quiet
dotnet test HealthSync.Portal.sln --no-build -nologo
bash e2e/run.sh
