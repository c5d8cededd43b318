/*
 * virt_spm_domcapabilities.c: "virt-spm domcapabilities": what a QEMU binary
 * offers for SPM-typed NUMA cells, in the style of libvirt's domain
 * capabilities
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_capscache.h"
#include "qemu_json.h"
#include "spmerror.h"

#include <stdio.h>
#include <sys/utsname.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI


/* The qemu-system-* name for a libvirt architecture name. */
static const char *
spmCliQEMUArchName(const char *arch)
{
    if (SPM_STREQ(arch, "i686") || SPM_STREQ(arch, "i586") || SPM_STREQ(arch, "i486") ||
        SPM_STREQ(arch, "i386"))
        return "i386";
    return arch;
}


spmQEMUCaps *
spmCliLoadQEMUCaps(spmCliContext *ctx, const char *emulator, const char *capsFile, const char *arch,
                   bool noCache)
{
    g_autofree char *defaultEmulator = NULL;

    if (capsFile)
        return spmQEMUCapsLoadFile(capsFile);

    if (!emulator) {
        struct utsname host;

        if (!arch) {
            if (uname(&host) < 0) {
                spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                               _("cannot determine the host architecture"));
                return NULL;
            }
            arch = host.machine;
        }
        defaultEmulator = g_strdup_printf("/usr/bin/qemu-system-%s", spmCliQEMUArchName(arch));
        emulator = defaultEmulator;
    }
    SPM_DEBUG("%s: capabilities of '%s'%s", ctx->progname, emulator, noCache ? " (no cache)" : "");
    return spmQEMUCapsLookup(emulator, noCache ? SPM_QEMU_CAPS_NO_CACHE : 0);
}


static char *
spmCliDomcapsFormatXML(const spmQEMUCaps *caps, const char *machine)
{
    g_autoptr(GString) buf = g_string_new("<domainCapabilities>\n");
    g_autofree char *path = g_markup_escape_text(spmQEMUCapsGetBinary(caps), -1);
    spmForm form = spmQEMUCapsGetSpmForm(caps);
    int memmap;

    g_string_append_printf(buf, "  <path>%s</path>\n", path);
    g_string_append_printf(buf, "  <emulator version='%s'", spmQEMUCapsGetVersionString(caps));
    if (spmQEMUCapsGetPackage(caps)) {
        g_autofree char *package = g_markup_escape_text(spmQEMUCapsGetPackage(caps), -1);
        g_string_append_printf(buf, " package='%s'", package);
    }
    g_string_append(buf, "/>\n");
    if (machine)
        g_string_append_printf(buf, "  <machine>%s</machine>\n", machine);
    g_string_append_printf(buf, "  <arch>%s</arch>\n", spmQEMUCapsGetArch(caps));
    g_string_append(buf, "  <numa>\n");
    if (form == SPM_FORM_NONE) {
        g_string_append(buf, "    <memmap supported='no'/>\n");
    } else {
        g_string_append(buf, "    <memmap supported='yes'>\n");
        g_string_append(buf, "      <enum name='type'>\n");
        for (memmap = 0; memmap < SPM_MEMMAP_LAST; memmap++) {
            if (spmQEMUCapsSupportsMemmap(caps, memmap))
                g_string_append_printf(buf, "        <value>%s</value>\n",
                                       spmMemmapTypeToString(memmap));
        }
        g_string_append(buf, "      </enum>\n");
        g_string_append(buf, "      <enum name='form'>\n");
        g_string_append_printf(buf, "        <value>%s</value>\n", spmFormTypeToString(form));
        g_string_append(buf, "      </enum>\n");
        g_string_append(buf, "    </memmap>\n");
    }
    g_string_append_printf(buf, "    <hmat supported='%s'/>\n",
                           spmQEMUCapsHasHMAT(caps) ? "yes" : "no");
    g_string_append(buf, "  </numa>\n");
    g_string_append(buf, "</domainCapabilities>\n");
    return g_string_free(g_steal_pointer(&buf), FALSE);
}


static char *
spmCliDomcapsFormatJSON(const spmQEMUCaps *caps, const char *machine)
{
    g_autoptr(json_object) root = json_object_new_object();
    json_object *emulator = json_object_new_object();
    json_object *memmap = json_object_new_object();
    json_object *types = json_object_new_array();
    spmForm form = spmQEMUCapsGetSpmForm(caps);
    int m;

    json_object_object_add(root, "path", json_object_new_string(spmQEMUCapsGetBinary(caps)));
    json_object_object_add(emulator, "version",
                           json_object_new_string(spmQEMUCapsGetVersionString(caps)));
    if (spmQEMUCapsGetPackage(caps))
        json_object_object_add(emulator, "package",
                               json_object_new_string(spmQEMUCapsGetPackage(caps)));
    json_object_object_add(root, "emulator", emulator);
    json_object_object_add(root, "machine", machine ? json_object_new_string(machine) : NULL);
    json_object_object_add(root, "arch", json_object_new_string(spmQEMUCapsGetArch(caps)));

    json_object_object_add(memmap, "supported", json_object_new_boolean(form != SPM_FORM_NONE));
    for (m = 0; m < SPM_MEMMAP_LAST; m++) {
        if (form != SPM_FORM_NONE && spmQEMUCapsSupportsMemmap(caps, m))
            json_object_array_add(types, json_object_new_string(spmMemmapTypeToString(m)));
    }
    json_object_object_add(memmap, "types", types);
    json_object_object_add(memmap, "form", json_object_new_string(spmFormTypeToString(form)));
    json_object_object_add(root, "memmap", memmap);
    json_object_object_add(root, "hmat", json_object_new_boolean(spmQEMUCapsHasHMAT(caps)));

    return g_strdup_printf("%s\n",
                           json_object_to_json_string_ext(root,
                                                          JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
}


int
spmCmdDomcapabilities(spmCliContext *ctx, int argc, char **argv)
{
    const spmCliCommand cmd = {
        "domcapabilities",
        "[--emulator PATH | --caps FILE] [--arch ARCH] [--machine TYPE] [--json] [--no-cache]",
        N_("Show what a QEMU binary offers for SPM-typed NUMA cells (whether memmap is supported, its values, and the QEMU interface that will be used), with the QEMU version and machine type. The binary is probed once and the result cached."),
        NULL,
    };
    g_autofree char *emulator = NULL;
    g_autofree char *capsFile = NULL;
    g_autofree char *arch = NULL;
    g_autofree char *machineName = NULL;
    gboolean json = FALSE;
    gboolean noCache = FALSE;
    GOptionEntry entries[] = {
        {"emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator,
         N_("the QEMU binary (default: /usr/bin/qemu-system-ARCH)"), N_("PATH")},
        {"caps", 0, 0, G_OPTION_ARG_FILENAME, &capsFile,
         N_("read the capabilities from a .replies or caps file instead of probing"), N_("FILE")},
        {"arch", 0, 0, G_OPTION_ARG_STRING, &arch,
         N_("the guest architecture (default: the host's)"), N_("ARCH")},
        {"machine", 0, 0, G_OPTION_ARG_STRING, &machineName,
         N_("the machine type or alias (default: QEMU's default)"), N_("TYPE")},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print JSON instead of XML"), NULL},
        {"no-cache", 0, 0, G_OPTION_ARG_NONE, &noCache,
         N_("probe the binary even when a cached result is valid"), NULL},
        SPM_CLI_OPTIONS_END,
    };
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autofree char *out = NULL;
    const char *machine;
    const char *capsArch;
    int rc;

    if ((rc = spmCliParseOptions(ctx, &cmd, entries, &argc, &argv, 0, 0)) != SPM_EXIT_OK)
        return rc < 0 ? SPM_EXIT_OK : rc;
    if (emulator && capsFile) {
        fprintf(stderr,
                _("%1$s %2$s: --emulator and --caps exclude each other\nTry '%1$s %2$s --help'.\n"),
                ctx->progname, cmd.name);
        return SPM_EXIT_USAGE;
    }

    if (!(caps = spmCliLoadQEMUCaps(ctx, emulator, capsFile, arch, noCache)))
        return spmCliFinish(ctx, SPM_EXIT_EMULATOR);

    capsArch = spmQEMUCapsGetArch(caps);
    if (arch && !SPM_STREQ(arch, capsArch) &&
        !(SPM_STREQ(arch, "i686") && SPM_STREQ(capsArch, "x86_64"))) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("architecture '%1$s' is not offered by QEMU '%2$s' (%3$s), which emulates '%4$s'"),
            arch, spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps), capsArch);
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    machine = spmQEMUCapsResolveMachine(caps, machineName);
    if (machineName && !machine) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("machine type '%1$s' is not offered by QEMU '%2$s' (%3$s)"), machineName,
                       spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps));
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    }

    out = json ? spmCliDomcapsFormatJSON(caps, machine) : spmCliDomcapsFormatXML(caps, machine);
    fputs(out, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}
