#!/bin/bash -e
# pi-gen runs this on the build host, in this folder, with ROOTFS_DIR the image's root and
# on_chroot to run commands inside it. `make image-test` runs it the same way into a Debian root.
# files/system is system/ and files/wheels the app and its dependencies as wheels, both put here
# by image/build.sh (never committed: built from the tree).

[ -d files/system ] || { echo "01-run.sh: files/system is missing (run image/build.sh)" >&2; exit 1; }
compgen -G "files/wheels/kiosk-*.whl" >/dev/null ||
  { echo "01-run.sh: files/wheels has no kiosk wheel (run image/build.sh)" >&2; exit 1; }

# The OS files: units, users, udev, NetworkManager, polkit, journald, RAUC.
files/system/install.sh "${ROOTFS_DIR}"

# The app as a virtual environment from the wheels alone: nothing is fetched while building.
install -d "${ROOTFS_DIR}/opt/kiosk-wheels"
cp files/wheels/*.whl "${ROOTFS_DIR}/opt/kiosk-wheels/"

on_chroot <<CHROOT
set -e
python3 -m venv /opt/kiosk
/opt/kiosk/bin/pip install --quiet --no-index --no-cache-dir --find-links /opt/kiosk-wheels \
  "kiosk[${KIOSK_EXTRAS:-ui,hardware,network,payments}]"
rm -rf /opt/kiosk-wheels
# The user, its groups and the data folder now, not only at first boot (sysusers.d, tmpfiles.d).
systemd-sysusers
systemd-tmpfiles --create kiosk.conf
systemctl enable kiosk-ui.service kiosk-agent.service kiosk-firstboot.service kiosk-health.service \
  kiosk-growdata.service kiosk-reset.path
# tty1 is the till's: no login prompt there.
systemctl mask getty@tty1.service
CHROOT

# Partitions by name (image/rauc/layout.sfdisk): the firmware's own (autoboot.txt, kiosk.toml) and
# the data partition. The root is the kernel's root= (rauc.slot= says which), so it is not here.
cat >"${ROOTFS_DIR}/etc/fstab" <<'FSTAB'
proc                      /proc           proc  defaults                   0 0
PARTLABEL=bootsel         /boot/firmware  vfat  defaults,noatime           0 2
PARTLABEL=data            /var/lib/kiosk  ext4  defaults,noatime,commit=5  0 2
FSTAB
