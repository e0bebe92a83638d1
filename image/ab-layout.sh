#!/bin/bash
# Turn pi-gen's two-partition image (boot, root) into the A/B card of image/rauc/layout.sfdisk:
#   image/ab-layout.sh PIGEN.img OUT.img
# Nothing is mounted: the FAT partitions are edited with mtools, the root is resized with
# resize2fs, and each piece is written at its partition's offset. System A is pi-gen's; system B
# gets the same boot files (so either slot can boot) and an empty root that the first update
# fills; data is an empty ext4 for /var/lib/kiosk.
set -euo pipefail

in=${1:?usage: ab-layout.sh PIGEN.img OUT.img}
out=${2:?usage: ab-layout.sh PIGEN.img OUT.img}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
layout="$here/rauc/layout.sfdisk"
for tool in sfdisk mkfs.vfat mkfs.ext4 resize2fs e2fsck mcopy mtype jq; do
  command -v "$tool" >/dev/null || { echo "ab-layout.sh: needs $tool" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# START and SIZE (in 512-byte sectors) of partition N of an image.
part() { sfdisk --json "$1" | jq -r ".partitiontable.partitions[$(($2 - 1))] | \"\(.start) \(.size)\""; }
extract() {
  local start size
  read -r start size < <(part "$1" "$2")
  dd if="$1" of="$3" bs=512 skip="$start" count="$size" status=none
}

extract "$in" 1 "$work/boot.vfat"
extract "$in" 2 "$work/root.ext4"

# The new card: partitioned first, so each partition's uuid is known for cmdline.txt.
sectors=$(awk -F'size=' '/^size=/ { split($2, a, ","); print a[1] }' "$layout" |
  awk '/MiB$/ { s += $0 * 2048 } /GiB$/ { s += $0 * 2097152 } END { print s }')
rm -f "$out"
truncate -s $(((sectors + 2048 + 64) * 512)) "$out"
sfdisk --quiet "$out" <"$layout"
uuid() { sfdisk --json "$out" | jq -r ".partitiontable.partitions[$(($1 - 1))].uuid" | tr '[:upper:]' '[:lower:]'; }

# Each system's boot partition: pi-gen's files, with its own root and slot on the command line.
for slot in A B; do
  n=$([ "$slot" = A ] && echo 4 || echo 5)
  cp "$work/boot.vfat" "$work/boot-$slot.vfat"
  mtype -i "$work/boot-$slot.vfat" ::cmdline.txt | tr -d '\r' | tr ' ' '\n' |
    grep -v -e '^root=' -e '^rauc.slot=' -e '^$' | tr '\n' ' ' >"$work/cmdline"
  echo "root=PARTUUID=$(uuid "$n") rauc.slot=$slot" >>"$work/cmdline"
  tr -s ' ' <"$work/cmdline" | tr -d '\n' >"$work/cmdline.txt"
  mcopy -o -i "$work/boot-$slot.vfat" "$work/cmdline.txt" ::cmdline.txt
done

# bootsel: autoboot.txt only (the firmware's A/B switch, system/rauc/kiosk-tryboot edits it).
printf '[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=2\n' >"$work/autoboot.txt"

write() { # N FILE: FILE at partition N's offset
  local start size
  read -r start size < <(part "$out" "$1")
  [ "$(stat -c %s "$2")" -le $((size * 512)) ] || { echo "ab-layout.sh: $2 does not fit partition $1" >&2; exit 1; }
  dd if="$2" of="$out" bs=512 seek="$start" conv=notrunc,sparse status=none
}
size_of() { read -r _ size < <(part "$out" "$1"); echo $((size * 512)); }

mkfs.vfat -n BOOTSEL -C "$work/bootsel.vfat" $(($(size_of 1) / 1024)) >/dev/null
mcopy -i "$work/bootsel.vfat" "$work/autoboot.txt" ::autoboot.txt
write 1 "$work/bootsel.vfat"
write 2 "$work/boot-A.vfat"
write 3 "$work/boot-B.vfat"

e2fsck -fy "$work/root.ext4" >/dev/null 2>&1 || [ $? -le 1 ]
resize2fs -f "$work/root.ext4" "$(($(size_of 4) / 1024))K" >/dev/null 2>&1
e2fsck -fy "$work/root.ext4" >/dev/null 2>&1 || [ $? -le 1 ]
write 4 "$work/root.ext4"
rm -f "$work/root.ext4"
mkfs.ext4 -q -L rootfs-b "$work/rootfs-b.ext4" "$(($(size_of 5) / 1024))K"
write 5 "$work/rootfs-b.ext4"
mkfs.ext4 -q -L data -m 0 "$work/data.ext4" "$(($(size_of 6) / 1024))K"
write 6 "$work/data.ext4"
echo "ab-layout.sh: $out: bootsel, boot-a, boot-b, rootfs-a, rootfs-b, data"
