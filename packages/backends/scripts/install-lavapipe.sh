#!/bin/sh
# Installs Mesa's lavapipe (software Vulkan) from Debian bookworm-backports, which Dawn
# (the `webgpu` npm package) accepts; Debian 12's own mesa-vulkan-drivers 22.x is rejected.
# Idempotent: does nothing when a 25.x (or newer) lavapipe is already installed.
# Run as root on Debian 12 (bookworm). Afterwards point Vulkan at it, e.g.
#   export VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.json
set -eu

installed_major() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -n 's/^\([0-9]*\)\..*/\1/p'
}

major=$(installed_major || true)
if [ -n "${major}" ] && [ "${major}" -ge 25 ] && ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  echo "install-lavapipe: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
  exit 0
fi

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
echo "install-lavapipe: installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
ls /usr/share/vulkan/icd.d/lvp_icd*.json
