#!/bin/bash
# Make a signed RAUC update bundle from one system's boot and root file system images:
#   image/rauc/bundle.sh BOOT.vfat ROOTFS.ext4 VERSION CERT.pem KEY.pem OUT.raucb
# The images come from the pi-gen build (image/ab-layout.sh extracts them from the .img); the
# certificate's CA is the keyring every device has in /etc/rauc/keyring.pem.
set -euo pipefail

if [ $# -ne 6 ]; then
  echo "usage: $0 BOOT.vfat ROOTFS.ext4 VERSION CERT.pem KEY.pem OUT.raucb" >&2
  exit 2
fi
boot=$1 rootfs=$2 version=$3 cert=$4 key=$5 out=$6
for f in "$boot" "$rootfs" "$cert" "$key"; do
  [ -r "$f" ] || { echo "bundle.sh: cannot read $f" >&2; exit 2; }
done
command -v rauc >/dev/null || { echo "bundle.sh: needs rauc (apt-get install rauc)" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$boot" "$work/boot.vfat"
cp "$rootfs" "$work/rootfs.ext4"
sed -e "s/@VERSION@/$version/" -e "s/@BUILD@/$(date -u +%Y%m%d%H%M%S)/" \
  "$here/manifest.raucm.in" >"$work/manifest.raucm"
rm -f "$out"
rauc bundle --cert="$cert" --key="$key" "$work" "$out"
