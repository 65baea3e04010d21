#!/usr/bin/env bash
# Installs everything gitops needs on a fresh Debian/Ubuntu machine, builds the NativeAOT binary
# and installs it as /usr/local/bin/gitops. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (gitops manages namespaces, cgroups and mounts)" >&2
  exit 1
fi

# Runtime prerequisites: busybox-static builds the example and test images, tini is `run --init`,
# nftables/iproute2 are the network layer, libseccomp2 compiles the containers' seccomp profiles, git the GitOps
# sources (openssh-client: libgit2 runs the system ssh for ssh:// repositories); build: clang-free NativeAOT uses
# gcc (the security tests also build a static probe with gcc and libc6-dev).
# Tests of pull/push: a real registry (docker-registry), an independent client to fill it (skopeo)
# and htpasswd (apache2-utils) for its Basic auth.
# The fleet: etcd-server is the cluster store (managers' daemons run its members); etcd-client's etcdctl is the
# independent client the tests check etcd's RBAC with.
packages=(busybox-static tini libseccomp2 git openssh-client nftables iproute2 ca-certificates gcc libc6-dev zlib1g-dev docker-registry skopeo apache2-utils etcd-server etcd-client)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's etcd-server starts a system etcd on localhost:2379, where a gitops manager's own member listens:
  # gitops runs its members itself, so the packaged service is turned off when this script installed it.
  if [[ " ${missing[*]} " == *" etcd-server "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now etcd.service >/dev/null 2>&1 || true
  fi
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

echo "==> restoring NuGet packages"
dotnet restore GitOps.sln --nologo -v quiet

echo "==> building gitops (NativeAOT, Release)"
dotnet publish cli/GitOps.Cli/GitOps.Cli.csproj -c Release -r linux-x64 -o out --nologo -v quiet \
  -p:DebugType=none -p:GenerateDocumentationFile=false
install -m 0755 out/gitops /usr/local/bin/gitops
# libgit2 (Git sources) is a native library LibGit2Sharp loads at run time; the binary is copied alone, so the
# library goes to /usr/local/lib/gitops, where gitops looks for it. LibGit2Sharp loads it from there as
# git2-<hash>.so (its resolver drops the "lib" prefix): install it under both names.
install -d /usr/local/lib/gitops
rm -f /usr/local/lib/gitops/libgit2-*.so /usr/local/lib/gitops/git2-*.so
for so in out/libgit2-*.so; do
  [ -e "$so" ] || { echo "install.sh: no libgit2-*.so in out/ (did publish change?)" >&2; exit 1; }
  name=$(basename "$so")
  install -m 0644 "$so" "/usr/local/lib/gitops/$name"
  ln -sf "$name" "/usr/local/lib/gitops/${name#lib}"
done
echo "==> installed $(/usr/local/bin/gitops version 2>/dev/null | sed -n 2p | xargs) as /usr/local/bin/gitops"
