#!/bin/bash
# Install system/ into a root file system: system/install.sh ROOT
# The one place that says where each of system/'s folders goes on the device, and with which
# owner and mode; image/stage-kiosk runs it into pi-gen's root, `make image-test` into a Debian
# root. It copies files only: enabling units and making users happen in the image's chroot.
set -euo pipefail

root=${1:?usage: system/install.sh ROOT}
[ -d "$root" ] || { echo "install.sh: $root is not a directory" >&2; exit 2; }
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# put MODE SOURCE-FOLDER TARGET-FOLDER: every file of the folder, flat, owned by root.
put() {
  local mode=$1 from=$src/$2 to=$root/$3 f
  install -d -m 0755 "$to"
  for f in "$from"/*; do
    [ -f "$f" ] || continue
    install -m "$mode" "$f" "$to/$(basename "$f")"
  done
}

put 0644 sysusers.d usr/lib/sysusers.d
put 0644 tmpfiles.d usr/lib/tmpfiles.d
put 0644 systemd/system usr/lib/systemd/system
put 0644 systemd/journald.conf.d usr/lib/systemd/journald.conf.d
put 0644 systemd/system.conf.d usr/lib/systemd/system.conf.d
put 0644 udev/rules.d etc/udev/rules.d
put 0644 polkit/rules.d etc/polkit-1/rules.d
put 0644 NetworkManager/conf.d etc/NetworkManager/conf.d
# NetworkManager ignores a keyfile that anyone but root can read (nm-settings-keyfile(5)).
put 0600 NetworkManager/system-connections etc/NetworkManager/system-connections
put 0644 rauc etc/rauc
put 0755 kiosk usr/lib/kiosk
# The backend is a program RAUC runs, not a setting: moved to where system.conf looks for it.
install -d -m 0755 "$root/usr/lib/rauc"
mv "$root/etc/rauc/kiosk-tryboot" "$root/usr/lib/rauc/kiosk-tryboot"
chmod 0755 "$root/usr/lib/rauc/kiosk-tryboot"
