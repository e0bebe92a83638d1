#!/bin/bash
# `make image-test`: image/stage-kiosk's install steps, run as pi-gen runs them, into a Debian
# bookworm root made here with debootstrap (amd64: no arm64 runs on this machine); then the units
# checked in that root, kiosk-agent started from its unit's ExecStart until it says READY=1 and
# answers `kiosk status`, and image/ab-layout.sh run on a card image made from that root.
# Prints its figures, and writes them to .cache/image-test/figures.json.
#
# Needs root, debootstrap, and Debian's mirror and PyPI (packages and wheels are cached in
# .cache/image-test, so a second run fetches nothing).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
cache="$repo/.cache/image-test"
mirror=${KIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The app's extras in the test root: the image's, and sim for the store the smoke run syncs with.
extras="ui,hardware,network,payments,sim"
export KIOSK_EXTRAS=$extras

missing=()
[ "$(id -u)" = 0 ] || missing+=("root (debootstrap and chroot)")
for tool in debootstrap chroot mkfs.ext4 mkfs.vfat mcopy mtype sfdisk jq resize2fs debugfs \
  systemd-analyze python3; do
  command -v "$tool" >/dev/null || missing+=("the $tool command")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "make image-test needs:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "(as root: apt-get install debootstrap dosfstools mtools fdisk jq e2fsprogs systemd)" >&2
  exit 2
fi

mkdir -p "$cache"
work=$(mktemp -d /var/tmp/kiosk-image-test.XXXXXX)
root="$work/root"
figures="$cache/figures.json"
declare -A fig=()
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mounted() { findmnt -rn -o TARGET | grep -F "$root" || true; }
cleanup() {
  local m
  for m in $(mounted | sort -r); do umount -l "$m" || true; done
  if [ -z "$(mounted)" ]; then rm -rf "$work"; else echo "left $work: still mounted" >&2; fi
}
trap cleanup EXIT

# pi-gen's on_chroot: the root with /proc, /sys and /dev, a script on standard input.
on_chroot() {
  local m
  for m in proc sys dev dev/pts; do
    mkdir -p "$ROOTFS_DIR/$m"
    mountpoint -q "$ROOTFS_DIR/$m" && continue
    case "$m" in
      proc) mount -t proc proc "$ROOTFS_DIR/proc" ;;
      sys) mount -t sysfs sysfs "$ROOTFS_DIR/sys" ;;
      dev) mount --bind /dev "$ROOTFS_DIR/dev" ;;
      dev/pts) mount --bind /dev/pts "$ROOTFS_DIR/dev/pts" ;;
    esac
  done
  # A clean environment: this machine's own settings (a pip index, a proxy) are not the image's.
  chroot "$ROOTFS_DIR" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 /bin/bash -e
}
export -f on_chroot

# -- 1. the bookworm root: stage2's place taken by debootstrap, then stage-kiosk's packages -----
# installed with apt-get inside it, as pi-gen installs a stage's NN-packages (packages whose
# scripts need /proc, polkitd's, fail inside debootstrap itself).
packages=$(sed -e 's/#.*//' -e '/^\s*$/d' "$here/stage-kiosk/00-kiosk/00-packages" | sort | tr '\n' ' ')
key=$(echo "$packages" | sha256sum | cut -c1-12)
base="$cache/bookworm-amd64-$key.tar"
export ROOTFS_DIR=$root
mkdir -p "$root"
t=$(now)
if [ ! -f "$base" ]; then
  echo "image-test: debootstrap bookworm (amd64), then: $packages" >&2
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates,python3 \
    bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  fig[debootstrap_s]=$(since "$t")
  t=$(now)
  printf 'export DEBIAN_FRONTEND=noninteractive\napt-get update -qq\napt-get install -y -qq --no-install-recommends %s >/dev/null\napt-get clean\n' \
    "$packages" | on_chroot >"$cache/packages.log" 2>&1 ||
    { tail -n 20 "$cache/packages.log" >&2; exit 1; }
  fig[packages_s]=$(since "$t")
  for m in $(mounted | sort -r); do umount -l "$m"; done
  tar -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
else
  tar -C "$root" -xf "$base"
  fig[debootstrap_s]="cached"
  fig[root_unpack_s]=$(since "$t")
fi
# What stage1 gives a Pi image and debootstrap does not: the boot partition's two files.
mkdir -p "$root/boot/firmware"
echo "console=serial0,115200 console=tty1 root=PARTUUID=00000000-02 rootfstype=ext4 fsck.repair=yes rootwait" \
  >"$root/boot/firmware/cmdline.txt"
printf '[all]\narm_64bit=1\n' >"$root/boot/firmware/config.txt"

# -- 2. the wheels, as image/build.sh makes them ------------------------------------------------
t=$(now)
stage="$work/stage-kiosk"
cp -a "$here/stage-kiosk" "$stage"
files="$stage/00-kiosk/files"
mkdir -p "$files" "$cache/wheels"
cp -a "$repo/system" "$files/system"
rm -f "$cache/wheels"/kiosk-*.whl
"$repo/.venv/bin/python" -m pip wheel --quiet --disable-pip-version-check \
  --wheel-dir "$cache/wheels" "${repo}[${extras}]"
cp -a "$cache/wheels" "$files/wheels"
fig[wheels_s]=$(since "$t")
fig[wheels_mb]=$(du -sm "$files/wheels" | cut -f1)

# -- 3. the stage's steps, as pi-gen runs them ---------------------------------------------------
t=$(now)
(cd "$stage/00-kiosk" && ./01-run.sh)
fig[stage_install_s]=$(since "$t")
t=$(now)
(cd "$stage/01-boot" && ./00-run.sh)
fig[stage_boot_s]=$(since "$t")
fig[venv_mb]=$(du -sm "$root/opt/kiosk" | cut -f1)
fig[root_mb]=$(du -smx "$root" | cut -f1)

fail() { echo "image-test: FAILED: $*" >&2; exit 1; }
cmdline=$(cat "$root/boot/firmware/cmdline.txt")
case " $cmdline " in *" console=tty1 "*) fail "cmdline.txt still has console=tty1" ;; esac
for word in rauc.slot=A vt.global_cursor_default=0 quiet cfg80211.ieee80211_regdom=GB; do
  case " $cmdline " in *" $word "*) ;; *) fail "cmdline.txt lacks $word: $cmdline" ;; esac
done
grep -q '^dtparam=watchdog=on' "$root/boot/firmware/config.txt" || fail "config.txt: no watchdog"
grep -q '^kiosk:' "$root/etc/passwd" || fail "no kiosk user"
for g in input dialout video render; do
  grep -q "^$g:.*kiosk" "$root/etc/group" || fail "kiosk is not in group $g"
done
kiosk_uid=$(awk -F: '$1 == "kiosk" { print $3 }' "$root/etc/passwd")
[ "$(stat -c '%a %u' "$root/var/lib/kiosk")" = "750 $kiosk_uid" ] || fail "/var/lib/kiosk is not 0750 kiosk"
for u in kiosk-ui kiosk-agent kiosk-firstboot kiosk-health kiosk-growdata; do
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$u.service" ] || fail "$u is not enabled"
done
[ "$(readlink "$root/etc/systemd/system/getty@tty1.service")" = /dev/null ] || fail "tty1's getty is not masked"
[ "$(stat -c %a "$root/etc/NetworkManager/system-connections/kiosk-wifi.nmconnection")" = 600 ] ||
  fail "NetworkManager's keyfiles are not 0600"
echo "image-test: stage installed; kiosk user, groups, data folder, units enabled, tty1 masked"

# -- 4. the units, verified against the real root (the real cage, the real kiosk) --------------
for u in kiosk-ui kiosk-agent kiosk-firstboot kiosk-health kiosk-growdata; do
  out=$(systemd-analyze verify --man=no --root="$root" "$u.service" 2>&1) || fail "$u: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $u: $out"
done
fig[units_verified]=5
echo "image-test: systemd-analyze verify: the five units, in the root, say nothing"

# -- 5. the agent from its unit, until READY=1, then `kiosk status` -----------------------------
smoke=$(python3 "$here/smoke_agent.py" "$root")

# -- 6. the A/B card from a pi-gen-like image of this root ----------------------------------------
for m in $(mounted | sort -r); do umount -l "$m"; done
t=$(now)
card="$work/card"
mkdir -p "$card"
root_kb=$(du -skx "$root" | cut -f1)
mkfs.vfat -n BOOTFS -C "$card/boot.vfat" 65536 >/dev/null
mcopy -i "$card/boot.vfat" "$root/boot/firmware/cmdline.txt" "$root/boot/firmware/config.txt" ::
mkfs.ext4 -q -L rootfs -d "$root" "$card/root.ext4" "$((root_kb * 13 / 10 + 65536))K"
boot_sectors=$(($(stat -c %s "$card/boot.vfat") / 512))
root_sectors=$(($(stat -c %s "$card/root.ext4") / 512))
truncate -s $(((8192 + boot_sectors + root_sectors + 2048) * 512)) "$card/pigen.img"
printf 'label: dos\nstart=8192, size=%s, type=c\nstart=%s, size=%s, type=83\n' \
  "$boot_sectors" "$((8192 + boot_sectors))" "$root_sectors" | sfdisk -q "$card/pigen.img"
dd if="$card/boot.vfat" of="$card/pigen.img" bs=512 seek=8192 conv=notrunc status=none
dd if="$card/root.ext4" of="$card/pigen.img" bs=512 seek=$((8192 + boot_sectors)) conv=notrunc,sparse status=none
rm -f "$card/boot.vfat" "$card/root.ext4"
fig[pigen_like_image_s]=$(since "$t")
t=$(now)
"$here/ab-layout.sh" "$card/pigen.img" "$card/ab.img" >/dev/null
fig[ab_layout_s]=$(since "$t")
names=$(sfdisk --json "$card/ab.img" | jq -r '[.partitiontable.partitions[].name] | join(",")')
[ "$names" = "bootsel,boot-a,boot-b,rootfs-a,rootfs-b,data" ] || fail "partitions: $names"
offset() { sfdisk --json "$card/ab.img" | jq -r ".partitiontable.partitions[$(($1 - 1))].start * 512"; }
uuid() { sfdisk --json "$card/ab.img" | jq -r ".partitiontable.partitions[$(($1 - 1))].uuid" | tr '[:upper:]' '[:lower:]'; }
auto=$(mtype -i "$card/ab.img@@$(offset 1)" ::autoboot.txt)
echo "$auto" | grep -q '^tryboot_a_b=1' || fail "autoboot.txt: $auto"
for n in 2 3; do
  slot=$([ "$n" = 2 ] && echo A || echo B)
  line=$(mtype -i "$card/ab.img@@$(offset "$n")" ::cmdline.txt)
  case "$line" in *"root=PARTUUID=$(uuid $((n + 2))) rauc.slot=$slot"*) ;; *) fail "boot-$slot cmdline: $line" ;; esac
done
size4=$(sfdisk --json "$card/ab.img" | jq -r '.partitiontable.partitions[3].size * 512')
dd if="$card/ab.img" of="$card/rootfs-a.ext4" bs=1M iflag=skip_bytes,count_bytes skip="$(offset 4)" \
  count="$size4" conv=sparse status=none
found=$(debugfs -R "stat /opt/kiosk/bin/kiosk" "$card/rootfs-a.ext4" 2>&1)
echo "$found" | grep -q 'Type: regular' || fail "rootfs-a has no /opt/kiosk/bin/kiosk: $found"
e2fsck -fn "$card/rootfs-a.ext4" >/dev/null 2>&1 || fail "rootfs-a does not pass e2fsck"
echo "image-test: ab-layout: $names; autoboot.txt, A's and B's cmdline.txt, the app in rootfs-a"

# -- figures ------------------------------------------------------------------------------------
{
  echo "{"
  for k in "${!fig[@]}"; do printf '  "%s": "%s",\n' "$k" "${fig[$k]}"; done
  echo "  \"smoke\": $(echo "$smoke" | tail -n 1)"
  echo "}"
} >"$figures"
echo "image-test: passed; figures in $figures:"
cat "$figures"
