#!/usr/bin/env bash
# The main job on the bundled example: install, start the daemon, make the example image and run it.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh

socket=/run/gitops/gitops.sock
if ! gitops version >/dev/null 2>&1; then
  echo "==> starting gitops daemon (log: /var/log/gitops-daemon.log)"
  nohup gitops daemon >/var/log/gitops-daemon.log 2>&1 &
  for _ in $(seq 50); do [ -S "$socket" ] && gitops version >/dev/null 2>&1 && break; sleep 0.1; done
fi
gitops version

echo "==> building the example image (busybox rootfs) as hello:latest"
rootfs=$(mktemp -d)
examples/hello/make-rootfs.sh "$rootfs"
gitops image import --change 'CMD ["sh", "-c", "echo hello from $(hostname): PID $$ in its own namespaces; uname -sr"]' "$rootfs" hello:latest
rm -rf "$rootfs"

echo "==> gitops run --rm hello"
gitops run --rm hello
gitops image ls
