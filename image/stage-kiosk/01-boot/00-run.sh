#!/bin/bash -e
# The boot partition's settings (pi-gen: on the build host, ROOTFS_DIR the image's root, whose
# /boot/firmware becomes the boot partition): the console hidden, the WiFi country, the watchdog,
# the slot's name for RAUC, and the optional read-only root.

boot="${ROOTFS_DIR}/boot/firmware"
cmdline="${boot}/cmdline.txt"
[ -f "$cmdline" ] || { echo "01-boot: no $cmdline (is this stage after stage1?)" >&2; exit 1; }

# No kernel messages or blinking cursor on the till's screen (console=tty1 goes; the serial
# console stays for a technician), no rainbow splash, and the slot is A (image/ab-layout.sh
# writes B's). cfg80211's country: the radio's rules from the first boot on.
words=$(tr ' ' '\n' <"$cmdline" | grep -v -e '^console=tty1$' -e '^$' | tr '\n' ' ')
echo "${words}quiet loglevel=3 logo.nologo vt.global_cursor_default=0 consoleblank=0" \
  "cfg80211.ieee80211_regdom=${KIOSK_WIFI_COUNTRY:-GB} rauc.slot=A" >"$cmdline"

cat files/config.txt >>"${boot}/config.txt"

if [ "${KIOSK_READONLY_ROOT:-0}" = 1 ]; then
  # raspi-config's overlay file system: / is read-only under a RAM overlay; /var/lib/kiosk is
  # its own partition (fstab) and is written as always.
  on_chroot <<CHROOT
raspi-config nonint do_overlayfs 0
CHROOT
fi
