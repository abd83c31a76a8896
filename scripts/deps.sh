#!/usr/bin/env bash
# Installs everything needed to build, test and demo sluiced on Debian 12.
# Idempotent: packages already present are not touched; apt lists are only
# refreshed when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries
  libhiredis-dev libboost-dev libssl-dev nlohmann-json3-dev libgtest-dev
  zlib1g-dev libyaml-dev liblz4-dev
  # tests, demo and benchmarks
  redis-server redis-tools python3 python3-celery python3-redis
  python3-msgpack python3-yaml openssl ca-certificates curl procps
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system redis-server; tests start their own.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
echo "deps: done"
