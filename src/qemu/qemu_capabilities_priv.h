/*
 * qemu_capabilities_priv.h: what qemu_capabilities.c (probing, replies,
 * queries) and qemu_capabilities_file.c (the caps file) share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "qemu_capabilities.h"

/* Limits on what a reply may contain (real ones are far below). */
#define SPM_QEMU_CAPS_MAX_MACHINES 4096
#define SPM_QEMU_CAPS_MAX_DEVICES 4096
#define SPM_QEMU_CAPS_MAX_PROPS 1024
#define SPM_QEMU_CAPS_MAX_TEXT 1024
/* The largest caps file read. */
#define SPM_QEMU_CAPS_FILE_MAX (4 * 1024 * 1024)

struct _spmQEMUCaps {
    char *binary;
    bool hasStamp;
    spmQEMUCapsStamp stamp;

    unsigned int version;
    char *versionStr;
    char *package;
    char *arch;
    bool flags[SPM_QEMU_CAPS_LAST];
    GPtrArray *memoryDevices; /* char * */
    GArray *spMemProps;       /* spmQEMUCapsProperty */
    GArray *machines;         /* spmQEMUCapsMachine */
};

void spmQEMUCapsMachineClear(spmQEMUCapsMachine *m);
void spmQEMUCapsPropertyClear(spmQEMUCapsProperty *p);
void spmQEMUCapsSetVersion(spmQEMUCaps *caps, unsigned int version);
/* A name: machine types, device types, architectures, property names. */
bool spmQEMUCapsValidToken(const char *str);
/* Free text: valid UTF-8 without control characters. */
bool spmQEMUCapsValidText(const char *str);
