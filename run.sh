#!/usr/bin/env bash
# Sets up and runs the whole product: builds, applies the database migrations, then starts the portal, the
# engine, the simulated estate and demo traffic at http://127.0.0.1:5080 (MLLP on 127.0.0.1:2575).
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)."; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are required for the portal's front-end assets."; exit 1; }
dotnet build "$root/src/Portal" -c Release -v quiet -nologo
mkdir -p "$root/.data"
export Database__ConnectionString="${Database__ConnectionString:-Data Source=$root/.data/healthsync.db}"
export Demo__Enabled="${Demo__Enabled:-true}"
export Engine__DropFolders__Root="${Engine__DropFolders__Root:-$root/.data/drop}"
# The portal's directory is the content root: appsettings.json and wwwroot live there.
cd "$root/src/Portal"
dotnet bin/Release/net10.0/HealthSync.Portal.dll setup
echo "HealthSync: http://127.0.0.1:5080 (MLLP 127.0.0.1:2575). Demo users are listed on the sign-in page."
exec dotnet bin/Release/net10.0/HealthSync.Portal.dll run
