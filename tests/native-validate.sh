#!/bin/bash
# Checks that the NativeAOT binary validates exactly like the JIT build: runs `gitops validate` from both over
# every corpus file and example and prints any difference in output or exit code. NJsonSchema relies on
# reflection, so this is the proof that rd.xml keeps everything it needs.
#   dotnet publish cli/GitOps.Cli -c Release -r linux-x64 -o /tmp/wt6-out && dotnet build cli/GitOps.Cli
#   tests/native-validate.sh /tmp/wt6-out/gitops
set -u
cd "$(dirname "$0")/.."
native=${1:-/tmp/wt6-out/gitops}
jit="dotnet cli/GitOps.Cli/bin/Debug/net10.0/gitops.dll"
files=0; differences=0
while IFS= read -r f; do
  format=auto
  case "$f" in */swarm/dogvscat/*|*/swarm/swarmprom/*|*/swarm/swarmpit/*) format=stack;; esac
  a=$($jit validate --format $format "$f" 2>&1; echo "exit $?")
  b=$("$native" validate --format $format "$f" 2>&1; echo "exit $?")
  files=$((files+1))
  if [ "$a" != "$b" ]; then differences=$((differences+1)); echo "DIFFERENT: $f"; diff <(echo "$a") <(echo "$b") | head -5; fi
done < <(find tests/corpora examples -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort)
echo "files=$files differences=$differences"
[ "$differences" -eq 0 ]
