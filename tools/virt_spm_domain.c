/*
 * virt_spm_domain.c: running typed domains on stock libvirt:
 * "define", "dumpxml", "domxml-to-native" and "undefine"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "virt_spm_domain.h"
#include "virt_spm_intent.h"
#include "virt_spm_lock.h"
#include "domain_conf.h"
#include "domain_schema.h"
#include "shim_argv_rewrite.h"
#include "qemu_capabilities.h"
#include "qemu_capscache.h"
#include "qemu_define.h"
#include "shim_emulator_link.h"
#include "shim_typed_domains.h"
#include "spmargv.h"
#include "spmbuildtree.h"
#include "spmerror.h"
#include "spmuuid.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

char *
spmCliShimPath(void)
{
    const char *env = getenv("VIRT_SPM_SHIM");

    if (env && *env)
        return g_strdup(env);
    if (spmRunningFromBuildTree())
        return g_build_filename(SPM_BUILD_ROOT, "tools", "virt-spm-shim", NULL);
    return g_strdup(SPM_SHIM_PATH);
}

int
spmCliGetDomainXML(virDomainPtr dom, unsigned int flags, bool user, char **xml)
{
    g_autofree char *raw = NULL;

    *xml = NULL;
    if (!(raw = virDomainGetXMLDesc(dom, flags))) {
        spmCliReportLibvirtError(_("failed to get the domain's XML"));
        return SPM_EXIT_LIBVIRT;
    }
    if (!user) {
        *xml = g_steal_pointer(&raw);
        return SPM_EXIT_OK;
    }
    if (!(*xml = spmQEMUDefineRestoreUserXML(raw, strlen(raw))))
        return SPM_EXIT_INVALID_CONFIG;
    return SPM_EXIT_OK;
}

int
spmCliPrepareDef(const spmDomainDef *def, bool noCache, char **realEmulator, spmLaunchData **launch)
{
    g_autoptr(spmQEMUCaps) caps = NULL;

    *realEmulator = NULL;
    *launch = NULL;
    if (spmDomainDefCountTypedCells(def) == 0) {
        /* libvirt alone probes the emulator of a domain without typed cells */
        if (!(*realEmulator = spmQEMUDefineRealEmulator(def)))
            return SPM_EXIT_EMULATOR;
        return SPM_EXIT_OK;
    }
    if (!(caps = spmCliLoadDomainQEMUCaps(def, NULL, NULL, noCache, realEmulator)))
        return SPM_EXIT_EMULATOR;
    if (spmQEMUDefinePrepare(def, caps, NULL, launch) < 0)
        return SPM_EXIT_INVALID_CONFIG;
    /* the host memory of the typed cells; dax backing into the launch data */
    return spmCliHostBind(def, NULL, *launch);
}

/*
 * The common part of define and domxml-to-native: load and check FILE,
 * probe its emulator when it has typed cells, compute the launch data.
 */
static int
spmCliPrepareDomain(const char *path, bool noSchema, bool noCache, spmDomainDef **defret,
                    char **realEmulator, spmLaunchData **launch)
{
    g_autoptr(spmDomainDef) def = NULL;
    int rc;

    if ((rc = spmCliLoadDomain(path, noSchema, &def)) != SPM_EXIT_OK ||
        (rc = spmCliPrepareDef(def, noCache, realEmulator, launch)) != SPM_EXIT_OK)
        return rc;
    *defret = g_steal_pointer(&def);
    return SPM_EXIT_OK;
}

/*
 * The UUID the domain gets in libvirt, canonical, into @uuid: its own
 * <uuid>, else the one libvirt has for its name (a redefinition), else a
 * new one written into the XML (libvirt would make one up otherwise, and
 * virt-spm has to know it before the definition, for the register of
 * typed domains).
 */
static int
spmCliDomainUUID(virConnectPtr conn, spmDomainDef *def, char uuid[SPM_UUID_STRING_BUFLEN])
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *fresh = NULL;
    char known[VIR_UUID_STRING_BUFLEN];

    if (def->uuid) {
        if (!spmUUIDCanonicalize(def->uuid, uuid)) {
            spmReportError(
                SPM_ERR_XML_DETAIL,
                _("invalid UUID '%1$s' in element 'uuid': expected 32 hexadecimal digits such as 'c7a5fdbd-edaf-9455-926a-d65c16db1809'; correct it or leave <uuid> out"),
                def->uuid);
            return -1;
        }
        return 0;
    }
    if (def->name && (dom = virDomainLookupByName(conn, def->name)) &&
        virDomainGetUUIDString(dom, known) == 0 && spmUUIDCanonicalize(known, uuid)) {
        spmDomainDefSetUUID(def, uuid);
        return 0;
    }
    virResetLastError();
    fresh = g_uuid_string_random();
    g_strlcpy(uuid, fresh, SPM_UUID_STRING_BUFLEN);
    spmDomainDefSetUUID(def, uuid);
    return 0;
}

int
spmCliDefineDef(virConnectPtr conn, spmDomainDef *def, const char *realEmulator,
                const spmLaunchData *launch, const char *label, virDomainPtr *domret)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(spmCliDomainLock) lock = NULL;
    g_autofree char *linkPath = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *launchText = NULL;
    const char *base = spmEmulatorLinkBaseDir();
    const char *name;
    char uuid[SPM_UUID_STRING_BUFLEN];
    int rc;

    if (spmCliDomainUUID(conn, def, uuid) < 0)
        return SPM_EXIT_INVALID_CONFIG;
    name = def->name ? def->name : uuid;
    /* The lock keeps two commands on this domain from interleaving their
     * steps; the journal (virt_spm_intent.h) makes a kill between two steps
     * leave the old state or the new one, which the next command on the
     * domain settles.  The steps themselves leave the register a superset
     * of the typed domains libvirt holds (listed before a typed definition,
     * taken off after an untyped one), so a start in between fails closed. */
    if ((rc = spmCliDomainLockAcquire(uuid, name, &lock)) != SPM_EXIT_OK)
        return rc;
    spmCliStep("locked");
    if (launch) {
        g_autofree char *shim = spmCliShimPath();

        if (spmEmulatorLinkCreate(base, realEmulator, shim, &linkPath) < 0)
            return SPM_EXIT_IO;
        spmCliStep("emulator link made");
        if (!(launchText = spmLaunchDataFormat(launch)))
            return SPM_EXIT_INTERNAL;
    }
    if (!(xml = spmQEMUDefineFormatForLibvirt(def, linkPath, realEmulator, launch)))
        return SPM_EXIT_INTERNAL;
    if ((rc = spmCliIntentBegin(conn, uuid, name, true, launchText)) != SPM_EXIT_OK)
        return rc;
    spmCliStep("journal written");

    /* Listed before libvirt has the domain, so that from its first start the
     * shim and the hook refuse it if its launch data goes missing. */
    if (launch) {
        if (spmTypedDomainsAdd(base, uuid, def->name) < 0)
            return SPM_EXIT_IO;
        spmCliStep("listed in the register");
    }
    if (!(dom = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE))) {
        g_autofree char *context = g_strdup_printf(_("failed to define domain from %1$s"), label);

        spmCliReportLibvirtError(context);
        /* libvirt kept the old definition: so does the register */
        spmCliIntentSettle(conn, uuid);
        return SPM_EXIT_LIBVIRT;
    }
    spmCliStep("defined in libvirt");
    if (!launch && spmTypedDomainsRemove(base, uuid) < 0) {
        spmReportError(
            SPM_ERR_OPERATION_FAILED,
            _("domain '%1$s' is defined without typed cells, but it is still listed as typed, so it will not start; remove the file named above"),
            virDomainGetName(dom));
        return SPM_EXIT_IO;
    }
    if ((rc = spmCliIntentEnd(uuid)) != SPM_EXIT_OK)
        return rc;
    *domret = g_steal_pointer(&dom);
    return SPM_EXIT_OK;
}

static int
spmCmdDefine(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED, const spmCliArgs *args)
{
    const char *path = spmCliArgsPositional(args, 0);
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *realEmulator = NULL;
    g_autofree char *label = NULL;
    int rc;

    if ((rc = spmCliPrepareDomain(path, false, spmCliArgsFlag(args, "no-cache"), &def,
                                  &realEmulator, &launch)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    if (spmCliArgsFlag(args, "print-xml")) {
        g_autofree char *linkPath = NULL;
        g_autofree char *xml = NULL;

        /* show where the link will be, without creating it */
        if (launch && !(linkPath = spmEmulatorLinkPath(spmEmulatorLinkBaseDir(), realEmulator)))
            return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
        if (!(xml = spmQEMUDefineFormatForLibvirt(def, linkPath, realEmulator, launch)))
            return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
        fputs(xml, stdout);
        return spmCliFinish(ctx, SPM_EXIT_OK);
    }

    if (!(conn = spmCliConnect(ctx)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    label = SPM_STREQ(path, "-") ? g_strdup(_("standard input")) : g_strdup_printf("'%s'", path);
    if ((rc = spmCliDefineDef(conn, def, realEmulator, launch, label, &dom)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    if (!ctx->quiet)
        printf(_("Domain '%1$s' defined from %2$s\n"), virDomainGetName(dom),
               SPM_STREQ(path, "-") ? _("standard input") : path);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliDefineOptions[] = {
    {"print-xml", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("print the XML libvirt would get, define nothing"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdDefine = {
    .name = "define",
    .handler = spmCmdDefine,
    .options = spmCliDefineOptions,
    .synopsis = "[--print-xml] [--no-cache] FILE|-",
    .summary = N_("validate a domain and define it in libvirt with its typed cells kept"),
    .description = N_(
        "Validate a domain XML (schema, SPM rules, the emulator's capabilities, the memory layout) and define it in libvirt so that its typed cells survive: memmap is kept in virt-spm's metadata and the guest is launched through virt-spm's emulator shim."),
    .minargs = 1,
    .maxargs = 1,
};

static int
spmCmdDumpxml(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED, const spmCliArgs *args)
{
    unsigned int flags = spmCliArgsFlag(args, "inactive") ? VIR_DOMAIN_XML_INACTIVE : 0;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    int rc;

    if (!(conn = spmCliConnect(ctx)) ||
        !(dom = spmCliLookupDomain(conn, spmCliArgsPositional(args, 0))))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    if ((rc = spmCliGetDomainXML(dom, flags, !spmCliArgsFlag(args, "raw"), &xml)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    fputs(xml, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliDumpxmlOptions[] = {
    {"inactive", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("the persistent configuration, not the running one"), NULL},
    {"raw", 0, 0, G_OPTION_ARG_NONE, NULL, N_("the XML exactly as libvirt holds it"), NULL},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdDumpxml = {
    .name = "dumpxml",
    .handler = spmCmdDumpxml,
    .options = spmCliDumpxmlOptions,
    .synopsis = "[--inactive] [--raw] DOMAIN",
    .summary = N_("print a domain's XML as the user wrote it (memmap restored)"),
    .description = N_(
        "Print a domain's XML as the user wrote it: memmap restored, the real emulator back in <emulator>, virt-spm's launch data hidden. --raw prints what libvirt holds."),
    .minargs = 1,
    .maxargs = 1,
};

static int
spmCmdDomxmlToNative(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED,
                     const spmCliArgs *args)
{
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *realEmulator = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *native = NULL;
    g_auto(GStrv) words = NULL;
    g_auto(GStrv) rewritten = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *const *qemuArgv;
    size_t nenv = 0;
    int rc;

    /* Like libvirt's own domxml-to-native, no RELAX NG schema here (it is
     * what costs most); every SPM rule still runs.  define validates it. */
    if ((rc = spmCliPrepareDomain(spmCliArgsPositional(args, 0), true,
                                  spmCliArgsFlag(args, "no-cache"), &def, &realEmulator,
                                  &launch)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    /* libvirt probes and names the real binary; the shim would exec it */
    if (!(xml = spmQEMUDefineFormatForLibvirt(def, realEmulator, realEmulator, launch)))
        return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
    if (!(conn = spmCliConnect(ctx)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    if (!(native = virConnectDomainXMLToNative(conn, "qemu-argv", xml, 0))) {
        spmCliReportLibvirtError(_("libvirt cannot convert the domain XML to a QEMU command line"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if (!g_shell_parse_argv(native, NULL, &words, &gerr)) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, _("cannot split libvirt's command line: %1$s"),
                       gerr->message);
        return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
    }
    while (words[nenv] && spmArgvIsEnvAssignment(words[nenv]))
        nenv++;
    qemuArgv = (const char *const *)words + nenv;
    if (!*qemuArgv) {
        spmReportError(SPM_ERR_INTERNAL_ERROR, "%s",
                       _("libvirt's command line names no QEMU binary"));
        return spmCliFinish(ctx, SPM_EXIT_INTERNAL);
    }
    if ((rc = spmQEMUArgvRewrite(qemuArgv, &rewritten)) < 0)
        return spmCliFinish(ctx, SPM_EXIT_INVALID_CONFIG);
    if (rewritten)
        qemuArgv = (const char *const *)rewritten;

    /* --args: libvirt's .args layout, an option and its value on one line */
    text = spmArgvFormat((const char *const *)words, nenv, qemuArgv, spmCliArgsFlag(args, "args"));
    fputs(text, stdout);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliDomxmlToNativeOptions[] = {
    {"args", 0, 0, G_OPTION_ARG_NONE, NULL,
     N_("one option per line with its value, as in libvirt's .args test files"), NULL},
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdDomxmlToNative = {
    .name = "domxml-to-native",
    .handler = spmCmdDomxmlToNative,
    .options = spmCliDomxmlToNativeOptions,
    .synopsis = "[--args] [--no-cache] FILE|-",
    .summary = N_("print the exact QEMU command line for a domain XML"),
    .description = N_(
        "Print the exact command line QEMU will get for a domain XML: libvirt's own (virConnectDomainXMLToNative) with the emulator shim's rewrite applied."),
    .minargs = 1,
    .maxargs = 1,
};

/*
 * `virt-spm undefine DOMAIN` for a DOMAIN libvirt does not know: when the
 * register still lists it (by UUID or name) and libvirt has no domain of
 * that UUID, an earlier undefine was interrupted after libvirt forgot the
 * domain; its journal (or, without one, libvirt's word that the domain is
 * gone) says the register entry goes.  Returns SPM_EXIT_OK when it did,
 * SPM_EXIT_LIBVIRT when there is nothing to finish (libvirt's error
 * stands), another exit code on failure.
 */
static int
spmCliUndefineFinish(spmCliContext *ctx, virConnectPtr conn, const char *domain)
{
    const char *base = spmEmulatorLinkBaseDir();
    g_autoptr(spmCliDomainLock) lock = NULL;
    g_autoptr(virDomain) other = NULL;
    g_auto(spmTypedDomainsIntent) intent = {0};
    char uuid[SPM_UUID_STRING_BUFLEN];
    int journal;
    int rc;

    if (spmTypedDomainsFind(base, domain, uuid) <= 0)
        return SPM_EXIT_LIBVIRT;
    if ((rc = spmCliDomainLockAcquire(uuid, domain, &lock)) != SPM_EXIT_OK)
        return rc;
    if ((journal = spmTypedDomainsIntentRead(base, uuid, &intent)) < 0)
        return SPM_EXIT_IO;
    if ((rc = spmCliIntentSettle(conn, uuid)) != SPM_EXIT_OK)
        return rc;
    if ((other = virDomainLookupByUUIDString(conn, uuid))) {
        /* defined again meanwhile: its entry is its own */
        return SPM_EXIT_LIBVIRT;
    }
    virResetLastError();
    if (journal > 0) {
        /* settled: an interrupted undefine is finished; an interrupted
         * define of a domain libvirt never got is undone, and libvirt's
         * "no such domain" stands */
        if (intent.newDefined)
            return SPM_EXIT_LIBVIRT;
    } else if (spmTypedDomainsLookup(base, uuid) <= 0) {
        return SPM_EXIT_LIBVIRT;
    } else if (spmTypedDomainsRemove(base, uuid) < 0) {
        return SPM_EXIT_IO;
    }
    if (!ctx->quiet)
        printf(_("Domain '%1$s' has been undefined (an interrupted undefine is finished)\n"),
               domain);
    return SPM_EXIT_OK;
}

static int
spmCmdUndefine(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED, const spmCliArgs *args)
{
    unsigned int flags = spmCliArgsFlag(args, "nvram") ? VIR_DOMAIN_UNDEFINE_NVRAM : 0;
    const char *domain = spmCliArgsPositional(args, 0);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(spmCliDomainLock) lock = NULL;
    g_autofree char *name = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    size_t mark = spmErrorMark();
    int rc;

    if (!(conn = spmCliConnect(ctx)))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    if (!(dom = spmCliLookupDomain(conn, domain))) {
        /* an undefine killed after libvirt forgot the domain: finish it */
        if ((rc = spmCliUndefineFinish(ctx, conn, domain)) != SPM_EXIT_LIBVIRT)
            spmErrorTruncate(mark);
        return spmCliFinish(ctx, rc);
    }
    name = g_strdup(virDomainGetName(dom));
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        spmCliReportLibvirtError(_("failed to get the domain's UUID"));
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    if ((rc = spmCliDomainLockAcquire(uuid, name, &lock)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    spmCliStep("locked");
    /* undefined first, taken off the register after (fail closed), under a
     * journal that lets the next command settle a kill in between */
    if ((rc = spmCliIntentBegin(conn, uuid, name, false, NULL)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    spmCliStep("journal written");
    if (virDomainUndefineFlags(dom, flags) < 0) {
        g_autofree char *context = g_strdup_printf(_("failed to undefine domain '%1$s'"), name);
        spmCliReportLibvirtError(context);
        spmCliIntentSettle(conn, uuid);
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    }
    spmCliStep("undefined in libvirt");
    if (spmTypedDomainsRemove(spmEmulatorLinkBaseDir(), uuid) < 0) {
        spmReportError(
            SPM_ERR_OPERATION_FAILED,
            _("domain '%1$s' has been undefined, but it stays listed as typed; remove the file named above"),
            name);
        return spmCliFinish(ctx, SPM_EXIT_IO);
    }
    if ((rc = spmCliIntentEnd(uuid)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);
    if (!ctx->quiet)
        printf(_("Domain '%1$s' has been undefined\n"), name);
    return spmCliFinish(ctx, SPM_EXIT_OK);
}

static const GOptionEntry spmCliUndefineOptions[] = {
    {"nvram", 0, 0, G_OPTION_ARG_NONE, NULL, N_("also remove the UEFI variable store"), NULL},
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdUndefine = {
    .name = "undefine",
    .handler = spmCmdUndefine,
    .options = spmCliUndefineOptions,
    .synopsis = "[--nvram] DOMAIN",
    .summary = N_("undefine a domain"),
    .description = N_(
        "Undefine a domain (as virsh undefine), and take it off virt-spm's register of domains with typed cells."),
    .minargs = 1,
    .maxargs = 1,
};
