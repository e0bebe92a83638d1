#!/bin/bash
# `make image`: the flashable card image, a 64-bit Raspberry Pi OS Bookworm Lite with the till.
#
# What it needs (it checks them all first, and says which are missing):
#   - a pi-gen checkout on its arm64 branch: PIGEN_DIR (git clone --branch arm64 of RPi-Distro/pi-gen)
#   - an arm64 (aarch64) Debian host, as root: pi-gen builds the root natively there; and the
#     app's wheels are built for that host (evdev has no wheel and compiles)
#   - pi-gen's own dependencies (its README: coreutils quilt parted qemu-user-static debootstrap
#     zerofree zip dosfstools libarchive-tools libcap2-bin grep rsync xz-utils file git curl bc
#     gpg pigz xxd arch-test), and mtools jq fdisk for image/ab-layout.sh
#   - Debian's SDL2 development files (libsdl2-dev libsdl2-image-dev libsdl2-mixer-dev
#     libsdl2-ttf-dev pkg-config): Kivy is built against them, since the SDL in Kivy's own wheel
#     has no Wayland driver and the till runs under cage, a Wayland compositor
#   - KIOSK_TECHNICIAN_PASSWORD (the console account's password; image/config)
#   - KIOSK_RAUC_KEYRING: the CA certificate (PEM) update bundles are signed under
# Output: deploy/<date>-universal-offline-pos-kiosk-ab.img.xz in the pi-gen checkout.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
pigen=${PIGEN_DIR:-}
missing=()
[ -n "$pigen" ] && [ -x "$pigen/build.sh" ] ||
  missing+=("PIGEN_DIR: a pi-gen checkout (arm64 branch) with its build.sh")
[ "$(uname -m)" = aarch64 ] ||
  missing+=("an arm64 host: this one is $(uname -m) (pi-gen and the wheels build natively)")
[ "$(id -u)" = 0 ] || missing+=("root (pi-gen mounts and chroots)")
[ -n "${KIOSK_TECHNICIAN_PASSWORD:-}" ] || missing+=("KIOSK_TECHNICIAN_PASSWORD")
[ -r "${KIOSK_RAUC_KEYRING:-}" ] || missing+=("KIOSK_RAUC_KEYRING: the update signing CA (PEM)")
for tool in debootstrap parted mcopy jq sfdisk resize2fs xz rsync python3; do
  command -v "$tool" >/dev/null || missing+=("the $tool command")
done
pkg-config --exists sdl2 SDL2_image SDL2_mixer SDL2_ttf 2>/dev/null ||
  missing+=("Debian's SDL2 development files (libsdl2-dev libsdl2-image-dev libsdl2-mixer-dev libsdl2-ttf-dev pkg-config)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "make image cannot run here; it needs:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "(see image/README.md; \`make image-test\` checks the stage on this machine instead)" >&2
  exit 2
fi

# shellcheck source=config
. "$here/config"
stage="$pigen/stage-kiosk"
rm -rf "$stage"
cp -a "$here/stage-kiosk" "$stage"
files="$stage/00-kiosk/files"
mkdir -p "$files/wheels"
cp -a "$repo/system" "$files/system"
cp "$KIOSK_RAUC_KEYRING" "$files/system/rauc/keyring.pem"

# The app and every dependency as wheels for this (arm64) host: the stage installs from them
# alone. pip compiles the app's bytecode as it installs, which start-up time counts on.
python3 -m venv "$files/.venv"
"$files/.venv/bin/pip" install --quiet --upgrade pip wheel
# Kivy from source against Debian's SDL2 (Wayland); everything else as published.
USE_SDL2=1 "$files/.venv/bin/pip" wheel --quiet --no-binary kivy --wheel-dir "$files/wheels" \
  "${repo}[${KIOSK_EXTRAS}]"
rm -rf "$files/.venv"

# Only stage-kiosk's image is wanted, not stage2's Lite one.
touch "$pigen/stage2/SKIP_IMAGES"
(cd "$pigen" && ./build.sh -c "$here/config")

img=$(find "$pigen/deploy" -name '*-kiosk.img*' -newer "$here/config" | sort | tail -n 1)
[ -n "$img" ] || { echo "make image: pi-gen made no *-kiosk image (see its work/ logs)" >&2; exit 1; }
case "$img" in *.xz) xz -d -k -f "$img"; img=${img%.xz} ;; esac
"$here/ab-layout.sh" "$img" "${img%.img}-ab.img"
xz -T0 -f "${img%.img}-ab.img"
echo "make image: ${img%.img}-ab.img.xz"
