#!/usr/bin/env bash
# Runs the benchmarks with their peers installed: bench/run.sh [engine|network|images|storage|gitops|fleet] [--runs N] [--sleepers N] [--volumes N] [--apps N] [--interval SECONDS] [--in-process] ...
set -euo pipefail
cd "$(dirname "$0")/.."
# The fleet suite times the scheduler in process: it needs neither the binary nor the peers.
# So does the gitops suite's in-process part alone (--in-process: fetch, load, compile, plan, with and without the revision cache).
if [ "${1:-}" = "fleet" ] || [[ " $* " == *" --in-process "* ]]; then exec dotnet run --project bench/GitOps.Bench -c Release -- "$@"; fi
[ -x out/gitops ] || ./install.sh
peers=(runc docker.io docker-registry skopeo)
missing=()
for p in "${peers[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || echo "could not install ${missing[*]}: those peers are skipped"
fi
dotnet run --project bench/GitOps.Bench -c Release -- "$@"
