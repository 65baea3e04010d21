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
# nftables/iproute2 are the network layer, git the GitOps sources; build: clang-free NativeAOT uses gcc.
# Tests of pull/push: a real registry (docker-registry), an independent client to fill it (skopeo)
# and htpasswd (apache2-utils) for its Basic auth.
packages=(busybox-static tini git nftables iproute2 ca-certificates gcc libc6-dev zlib1g-dev docker-registry skopeo apache2-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
echo "==> installed $(/usr/local/bin/gitops version 2>/dev/null | sed -n 2p | xargs) as /usr/local/bin/gitops"
