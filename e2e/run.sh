#!/usr/bin/env bash
# Browser tests of the portal: installs what they need, builds and starts the product in demo mode on its own
# ports with a fresh database, runs the Playwright suite in Chromium, and stops the product again.
# Exit code: the one of `playwright test`.
set -euo pipefail

e2e_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$e2e_dir/.." && pwd)"

port="${E2E_PORT:-5099}"
mllp_port="${E2E_MLLP_PORT:-2599}"
base_url="http://127.0.0.1:$port"
admin_key="hs_e2e_admin_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

log() { printf '[e2e] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- tools -------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are required." >&2; exit 1; }
if ! command -v chromium >/dev/null; then
  log "installing Debian's chromium"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
log "browser: $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"

log "npm ci"
(cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error)

# --- product -----------------------------------------------------------------------------------------------------
log "building the portal (Release)"
(cd "$repo_dir" && dotnet build src/Portal -c Release -nologo -v quiet)
app="$repo_dir/src/Portal/bin/Release/net10.0/HealthSync.Portal.dll"

work="$(cd "$(mktemp -d "${TMPDIR:-/tmp}/healthsync-e2e.XXXXXX")" && pwd)"  # absolute: the portal runs from src/Portal
app_log="$work/portal.log"
app_pid=""

cleanup() {
  local rc=$?
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$app_log" ]; then
    echo "[e2e] ---- last 60 lines of the portal log ($app_log) ----" >&2
    tail -n 60 "$app_log" | cut -c1-2000 >&2 || true
    echo "[e2e] ---- end of portal log ----" >&2
  fi
  if [ "$rc" -eq 0 ]; then rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export ASPNETCORE_ENVIRONMENT=Production
export Database__ConnectionString="Data Source=$work/healthsync.db"
export Urls="$base_url"
export Engine__Mllp__Port="$mllp_port"
export Demo__Enabled=true
export Demo__ApiKeys__admin="$admin_key"
export Demo__Traffic__BackfillEvents="${E2E_BACKFILL_EVENTS:-150}"
export Demo__Traffic__EventsPerMinute="${E2E_EVENTS_PER_MINUTE:-60}"
# The product's own log at Information; the frameworks' (EF Core commands in particular) from Warning up.
export Logging__LogLevel__Default=Warning
export Logging__LogLevel__HealthSync=Information

# Another process on these ports would be tested instead of this build: refuse to start.
for p in "$port" "$mllp_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "[e2e] port $p on 127.0.0.1 is already in use; stop what listens there or set E2E_PORT / E2E_MLLP_PORT" >&2
    exit 1
  fi
done

log "database in $work"
(cd "$repo_dir/src/Portal" && dotnet "$app" setup) >"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }

# Started from src/Portal, its content root (appsettings.json, wwwroot), as ./run.sh starts it.
log "starting the portal at $base_url (MLLP 127.0.0.1:$mllp_port)"
(cd "$repo_dir/src/Portal" && exec dotnet "$app" run) >"$app_log" 2>&1 &
app_pid=$!

deadline=$((SECONDS + 90))
until curl -fsS -o /dev/null "$base_url/health/ready" 2>/dev/null; do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "[e2e] the portal exited before it was ready" >&2; exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "[e2e] the portal was not ready at $base_url/health/ready within 90 s" >&2; exit 1
  fi
  sleep 0.5
done
log "ready"

# The demo backfill goes through the real transports; wait until the engine has processed some of it.
deadline=$((SECONDS + 90))
while :; do
  overview="$(curl -fsS -H "X-Api-Key: $admin_key" "$base_url/api/v1/overview" 2>/dev/null || true)"
  posted="$(printf '%s' "$overview" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { const o = JSON.parse(s); console.log(Math.min(o.processed, o.chargesPosted) | 0); } catch { console.log(0); }
    });')"
  if [ "$posted" -ge 20 ]; then break; fi
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "[e2e] the portal exited while the demo traffic was being processed" >&2; exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "[e2e] after 90 s the engine had posted the charges of only $posted transactions (20 wanted)" >&2; exit 1
  fi
  sleep 1
done
log "the engine has processed the demo backfill ($posted charges posted so far)"

# --- tests -------------------------------------------------------------------------------------------------------
set +e
(cd "$e2e_dir" && BASE_URL="$base_url" MLLP_PORT="$mllp_port" ADMIN_API_KEY="$admin_key" npx playwright test "$@")
rc=$?
set -e
exit "$rc"
