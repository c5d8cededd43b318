/*
 * qemu_domain.c: what QEMU's machine type and architecture names mean
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_domain.h"
#include "spmerror.h"

#include <string.h>
#include <sys/utsname.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

SPM_ENUM_IMPL(spmQEMUMachineFamily, SPM_QEMU_MACHINE_FAMILY_LAST, "none", "q35", "pc");

static bool
spmQEMUParseVersion(const char *str, unsigned int *major, unsigned int *minor)
{
    guint64 maj;
    guint64 min;
    g_auto(GStrv) parts = g_strsplit(str, ".", 3);

    if (g_strv_length(parts) != 2 ||
        !g_ascii_string_to_unsigned(parts[0], 10, 0, 1000, &maj, NULL) ||
        !g_ascii_string_to_unsigned(parts[1], 10, 0, 1000, &min, NULL))
        return false;
    *major = maj;
    *minor = min;
    return true;
}


bool
spmQEMUMachineParse(const char *name, spmQEMUMachineFamily *family, unsigned int *major,
                    unsigned int *minor)
{
    *major = 0;
    *minor = 0;
    *family = SPM_QEMU_MACHINE_FAMILY_NONE;

    if (!name || SPM_STREQ(name, "pc") || SPM_STREQ(name, "pc-i440fx")) {
        *family = SPM_QEMU_MACHINE_FAMILY_PC;
        return true;
    }
    if (SPM_STREQ(name, "q35") || SPM_STREQ(name, "pc-q35")) {
        *family = SPM_QEMU_MACHINE_FAMILY_Q35;
        return true;
    }
    if (g_str_has_prefix(name, "pc-q35-")) {
        if (!spmQEMUParseVersion(name + strlen("pc-q35-"), major, minor))
            return false;
        *family = SPM_QEMU_MACHINE_FAMILY_Q35;
        return true;
    }
    if (g_str_has_prefix(name, "pc-i440fx-")) {
        if (!spmQEMUParseVersion(name + strlen("pc-i440fx-"), major, minor))
            return false;
        *family = SPM_QEMU_MACHINE_FAMILY_PC;
        return true;
    }
    return false;
}


bool
spmQEMUMachineIsPCFamily(const char *name)
{
    spmQEMUMachineFamily family;
    unsigned int major;
    unsigned int minor;

    return spmQEMUMachineParse(name, &family, &major, &minor);
}


bool
spmQEMUArchIsEmulatedBy(const char *guestArch, const char *emulatorArch)
{
    return SPM_STREQ(guestArch, emulatorArch) ||
        (SPM_STREQ(guestArch, "i686") && SPM_STREQ(emulatorArch, "x86_64"));
}


/* The qemu-system-* suffix for a libvirt architecture name. */
static const char *
spmQEMUArchBinarySuffix(const char *arch)
{
    if (SPM_STREQ(arch, "i686") || SPM_STREQ(arch, "i586") || SPM_STREQ(arch, "i486") ||
        SPM_STREQ(arch, "i386"))
        return "i386";
    return arch;
}


char *
spmQEMUDefaultEmulator(const char *arch)
{
    struct utsname host;

    if (!arch) {
        if (uname(&host) < 0) {
            spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                           _("cannot determine the host architecture"));
            return NULL;
        }
        arch = host.machine;
    }
    return g_strdup_printf("/usr/bin/qemu-system-%s", spmQEMUArchBinarySuffix(arch));
}
