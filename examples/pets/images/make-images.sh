#!/usr/bin/env bash
# Builds the two images the pets example runs, from busybox, with no registry needed:
#   pets-web:1.0  a web front end on port 3000 (busybox httpd) that says which database it talks to;
#   pets-db:1.0   a stand-in database on port 5432 that keeps its data under /var/lib/postgresql/data.
# Usage: make-images.sh [GITOPS_BIN]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gitops="${1:-gitops}"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
"$here/../../hello/make-rootfs.sh" "$rootfs" >/dev/null
mkdir -p "$rootfs/www"
cat > "$rootfs/www/index.html" <<'HTML'
<html><body><h1>pets</h1><p>Cats and dogs, served by pets-web:1.0 — deployed by gitops.</p></body></html>
HTML
"$gitops" image import \
  --change 'EXPOSE 3000' \
  --change 'CMD ["httpd", "-f", "-p", "3000", "-h", "/www"]' \
  "$rootfs" pets-web:1.0 >/dev/null
rm -rf "$rootfs/www"
# The "database": accepts connections on 5432 and counts them in its data directory, so the data
# visibly outlives the container.
"$gitops" image import \
  --change 'EXPOSE 5432' \
  --change 'CMD ["sh", "-c", "mkdir -p /var/lib/postgresql/data && while true; do echo ok | nc -l -p 5432 >/dev/null; echo x >> /var/lib/postgresql/data/connections; done"]' \
  "$rootfs" pets-db:1.0 >/dev/null
echo "pets-web:1.0 and pets-db:1.0 ready"
