/*
 * virt_spm_edit.c: "edit": the user's XML of a domain in an editor, then
 * defined again the way "define" does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm.h"
#include "virt_spm_domain.h"
#include "virt_spm_libvirt.h"
#include "virt_spm_lock.h"
#include "spmerror.h"
#include "spmfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_CLI

/* the definition the editor gets, and the one compared before defining */
#define SPM_CLI_EDIT_XML_FLAGS (VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)

/* $VISUAL, else $EDITOR, else vi, as virsh picks it. */
static const char *
spmCliEditor(void)
{
    const char *editor = getenv("VISUAL");

    if (!editor || !*editor)
        editor = getenv("EDITOR");
    return editor && *editor ? editor : "vi";
}

/* Runs the editor on @path through the shell (the editor may carry
 * arguments), on the user's terminal.  -1 with an error when it fails. */
static int
spmCliRunEditor(const char *path)
{
    const char *editor = spmCliEditor();
    g_autofree char *quoted = g_shell_quote(path);
    g_autofree char *command = g_strdup_printf("%s %s", editor, quoted);
    const char *argv[] = {"/bin/sh", "-c", command, NULL};
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                      NULL, &status, &gerr)) {
        spmReportError(SPM_ERR_OPERATION_FAILED, _("cannot run the editor '%1$s': %2$s"), editor,
                       gerr->message);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        spmReportError(SPM_ERR_OPERATION_FAILED,
                       _("the editor '%1$s' failed (%2$s %3$d); nothing was defined"), editor,
                       WIFEXITED(status) ? _("exit status") : _("signal"),
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return 0;
}

/* On a terminal: "Try again? [y,n]"; true for yes.  Without one: false. */
static bool
spmCliAskRetry(void)
{
    char answer[16];

    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
        return false;
    while (true) {
        fputs(_("Failed. Try again? [y,n]: "), stderr);
        fflush(stderr);
        if (!fgets(answer, sizeof(answer), stdin))
            return false;
        if (answer[0] == 'y' || answer[0] == 'Y')
            return true;
        if (answer[0] == 'n' || answer[0] == 'N')
            return false;
    }
}

/*
 * Loads, checks and defines the edited XML; an exit code.  The editor
 * session holds no lock (an editor may stay open for hours, and every
 * other verb on the domain would fail busy meanwhile); instead the
 * definition is compared, under the domain's lock, with the one the editor
 * was given, and an edit of a domain that changed meanwhile is refused
 * rather than allowed to undo that change.
 */
static int
spmCliDefineEdited(virConnectPtr conn, virDomainPtr orig, const char *origXML, const char *xml,
                   size_t len, const char *path, bool noCache, virDomainPtr *dom)
{
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autoptr(spmCliDomainLock) lock = NULL;
    g_autofree char *realEmulator = NULL;
    g_autofree char *current = NULL;
    g_autofree char *label = g_strdup_printf("'%s'", path);
    char uuid[VIR_UUID_STRING_BUFLEN];
    int rc;

    if ((rc = spmCliLoadDomainBuffer(xml, len, path, false, &def)) != SPM_EXIT_OK ||
        (rc = spmCliPrepareDef(def, noCache, &realEmulator, &launch)) != SPM_EXIT_OK)
        return rc;
    if (virDomainGetUUIDString(orig, uuid) < 0) {
        spmCliReportLibvirtError(_("failed to get the domain's UUID"));
        return SPM_EXIT_LIBVIRT;
    }
    if ((rc = spmCliDomainLockAcquire(uuid, virDomainGetName(orig), &lock)) != SPM_EXIT_OK)
        return rc;
    if ((rc = spmCliGetDomainXML(orig, SPM_CLI_EDIT_XML_FLAGS, true, &current)) != SPM_EXIT_OK)
        return rc;
    if (!SPM_STREQ(current, origXML)) {
        spmReportError(
            SPM_ERR_OPERATION_INVALID,
            _("domain '%1$s' was changed by someone else while it was being edited; the edit would undo that change, so it is not defined"),
            virDomainGetName(orig));
        return SPM_EXIT_BUSY;
    }
    return spmCliDefineDef(conn, def, realEmulator, launch, label, dom);
}

static int
spmCmdEdit(spmCliContext *ctx, const spmCliCommand *cmd G_GNUC_UNUSED, const spmCliArgs *args)
{
    bool noCache = spmCliArgsFlag(args, "no-cache");
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(virDomain) defined = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *user = NULL;
    g_autofree char *path = NULL;
    g_autofree char *name = NULL;
    bool keep = true;
    int rc;
    int fd;

    if (!(conn = spmCliConnect(ctx)) ||
        !(dom = spmCliLookupDomain(conn, spmCliArgsPositional(args, 0))))
        return spmCliFinish(ctx, SPM_EXIT_LIBVIRT);
    name = g_strdup(virDomainGetName(dom));
    if ((rc = spmCliGetDomainXML(dom, SPM_CLI_EDIT_XML_FLAGS, true, &user)) != SPM_EXIT_OK)
        return spmCliFinish(ctx, rc);

    if ((fd = g_file_open_tmp("virt-spm-edit-XXXXXX.xml", &path, &gerr)) < 0) {
        spmReportError(SPM_ERR_SYSTEM_ERROR, _("cannot create a file to edit: %1$s"),
                       gerr->message);
        return spmCliFinish(ctx, SPM_EXIT_IO);
    }
    close(fd);
    if (spmFileWriteAtomic(path, user, strlen(user), 0600) < 0) {
        unlink(path);
        return spmCliFinish(ctx, SPM_EXIT_IO);
    }

    while (true) {
        g_autofree char *edited = NULL;
        size_t len = 0;

        if (spmCliRunEditor(path) < 0) {
            rc = SPM_EXIT_IO;
            break;
        }
        if (spmFileReadAll(path, SPM_FILE_READ_MAX, &edited, &len) < 0) {
            rc = SPM_EXIT_IO;
            break;
        }
        if (len == strlen(user) && memcmp(edited, user, len) == 0) {
            if (!ctx->quiet)
                printf(_("Domain '%1$s' XML configuration not changed.\n"), name);
            keep = false;
            rc = SPM_EXIT_OK;
            break;
        }
        if ((rc = spmCliDefineEdited(conn, dom, user, edited, len, path, noCache, &defined)) ==
            SPM_EXIT_OK) {
            if (!ctx->quiet)
                printf(_("Domain '%1$s' XML configuration edited.\n"), virDomainGetName(defined));
            keep = false;
            break;
        }
        spmErrorPrintAll(stderr, ctx->progname);
        spmErrorReset();
        if (!spmCliAskRetry())
            break;
    }

    if (keep) {
        spmReportError(
            SPM_ERR_OPERATION_FAILED,
            _("domain '%1$s' is unchanged; the edited XML is kept in '%2$s' (fix it and run 'virt-spm define %2$s')"),
            name, path);
    } else {
        unlink(path);
    }
    return spmCliFinish(ctx, rc);
}

static const GOptionEntry spmCliEditOptions[] = {
    SPM_CLI_OPTION_NO_CACHE,
    SPM_CLI_OPTIONS_END,
};

const spmCliCommand spmCliCmdEdit = {
    .name = "edit",
    .handler = spmCmdEdit,
    .options = spmCliEditOptions,
    .synopsis = "[--no-cache] DOMAIN",
    .summary = N_("edit a domain's XML as the user wrote it, then define it again"),
    .description = N_(
        "Edit a domain's XML as the user wrote it (memmap and the real emulator in place) in $VISUAL or $EDITOR, then check and define it as 'define' does. Nothing changes unless the edited XML passes every check; when it does not, the edited file is kept."),
    .minargs = 1,
    .maxargs = 1,
};
