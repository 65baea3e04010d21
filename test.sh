#!/usr/bin/env bash
# The whole test suite: builds and installs the binary, then runs unit and end-to-end tests (the
# latter start real daemons and real containers, so this runs as root).
set -euo pipefail
cd "$(dirname "$0")"
./install.sh
export GITOPS_BIN="$PWD/out/gitops"
status=0
for project in tests/GitOps.Runtime.Tests tests/GitOps.Reconciler.Tests tests/GitOps.Cluster.Tests tests/GitOps.EndToEnd.Tests; do
  [ -d "$project" ] || continue
  echo "==> dotnet test $project"
  dotnet test "$project" --nologo -c Release --logger "console;verbosity=normal" \
    -- RunConfiguration.TestSessionTimeout=1500000 || status=1
done
exit $status
