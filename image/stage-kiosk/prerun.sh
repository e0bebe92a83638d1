#!/bin/bash -e
# pi-gen runs a stage's prerun.sh first: start from the previous stage's root (stage2, Lite).
if [ ! -d "${ROOTFS_DIR}" ]; then
  copy_previous
fi
