#!/usr/bin/env bash
# The main job on the bundled example: install, start the daemon, put examples/ in a local Git
# repository and let the daemon keep the pets application converged from it; then show the status.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh

socket=/run/gitops/gitops.sock
if ! gitops version >/dev/null 2>&1; then
  echo "==> starting gitops daemon (log: /var/log/gitops-daemon.log)"
  nohup gitops daemon >/var/log/gitops-daemon.log 2>&1 &
  for _ in $(seq 100); do [ -S "$socket" ] && gitops version >/dev/null 2>&1 && break; sleep 0.1; done
fi
gitops version

echo "==> building the example images (from busybox)"
examples/pets/images/make-images.sh gitops

# The repository the daemon watches: a plain local Git repository made from examples/. Commit to it
# (or point --repo at your own remote) and the daemon converges within the poll interval.
repo=/var/lib/gitops-example/pets
if [ ! -d "$repo/.git" ]; then
  echo "==> creating the example Git repository at $repo"
  mkdir -p "$repo"
  cp -r examples/pets/. "$repo/"
  git -C "$repo" init -q -b main
  git -C "$repo" -c user.name=gitops -c user.email=gitops@localhost add -A
  git -C "$repo" -c user.name=gitops -c user.email=gitops@localhost commit -q -m "pets: initial import from examples/"
fi

echo "==> gitops app add pets --repo $repo --path compose --prune"
gitops app add pets --repo "$repo" --branch main --path compose --interval 30s --prune

echo "==> gitops status"
gitops status
echo "==> the web front end on port 3000:"
for _ in $(seq 50); do out=$(busybox nc -w 2 127.0.0.1 3000 <<<$'GET / HTTP/1.0\r\n\r\n' 2>/dev/null || true); [ -n "$out" ] && break; sleep 0.1; done
printf '%s\n' "$out" | sed -n '/<h1>/p'
echo
echo "Try: edit $repo/compose/compose.yaml, commit, then 'gitops diff pets' or wait for 'gitops status'."
