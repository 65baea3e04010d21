#!/usr/bin/env bash
# Makes a minimal root filesystem from Debian's static busybox: /bin/busybox plus one symlink per
# applet, and passwd/group files. `gitops image import DIR NAME` turns it into an image.
set -euo pipefail
dest=${1:?usage: make-rootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}
mkdir -p "$dest"/{bin,etc,tmp,root,var/www}
cp "$busybox" "$dest/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$dest/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nuser:x:1000:1000::/home/user:/bin/sh\n' > "$dest/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nuser:x:1000:\nwheel:x:10:user\n' > "$dest/etc/group"
chmod 1777 "$dest/tmp"
echo '<h1>hello from a gitops container</h1>' > "$dest/var/www/index.html"
