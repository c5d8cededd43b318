/*
 * shim_typed_domains.c: the register of domains virt-spm defined with
 * typed cells
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_typed_domains.h"
#include "shim_launch_data.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmuuid.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

char *
spmTypedDomainsBaseFromLink(const char *linkPath)
{
    g_autofree char *dir = g_path_get_dirname(linkPath);

    return g_path_get_dirname(dir);
}

static char *
spmTypedDomainsEntry(const char *baseDir, const char *uuid)
{
    char canon[SPM_UUID_STRING_BUFLEN];

    if (!spmUUIDCanonicalize(uuid, canon)) {
        spmReportError(
            SPM_ERR_INVALID_ARG,
            _("'%1$s' is not a domain UUID; expected 32 hexadecimal digits such as 'c7a5fdbd-edaf-9455-926a-d65c16db1809'"),
            uuid ? uuid : "");
        return NULL;
    }
    return g_build_filename(baseDir, SPM_TYPED_DOMAINS_DIR, canon, NULL);
}

int
spmTypedDomainsLookup(const char *baseDir, const char *uuid)
{
    g_autofree char *entry = spmTypedDomainsEntry(baseDir, uuid);
    struct stat sb;

    if (!entry)
        return -1;
    if (lstat(entry, &sb) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    spmReportSystemError(errno, _("cannot tell whether '%1$s' exists"), entry);
    return -1;
}

int
spmTypedDomainsCheckStartWithoutLaunchData(const char *baseDir, const char *uuid)
{
    int listed;

    if (!uuid)
        return 0;
    if ((listed = spmTypedDomainsLookup(baseDir, uuid)) <= 0)
        return listed;
    spmReportError(
        SPM_ERR_OPERATION_INVALID,
        _("domain %1$s has SPM-typed cells (virt-spm defined it so) but its <qemu:commandline> lost '%2$s', so its SPM cells would boot as ordinary RAM; refusing to start it"),
        uuid, SPM_LAUNCH_OPTION);
    return 1;
}

int
spmTypedDomainsAdd(const char *baseDir, const char *uuid, const char *name)
{
    g_autofree char *entry = spmTypedDomainsEntry(baseDir, uuid);
    g_autofree char *dir = NULL;
    g_autofree char *text = NULL;

    if (!entry)
        return -1;
    dir = g_path_get_dirname(entry);
    if (spmFileMakePath(dir, 0755) < 0)
        return -1;
    text = g_strdup_printf("%s\n", name ? name : "");
    return spmFileWriteAtomic(entry, text, strlen(text), 0644);
}

int
spmTypedDomainsRemove(const char *baseDir, const char *uuid)
{
    g_autofree char *entry = spmTypedDomainsEntry(baseDir, uuid);
    g_autofree char *dir = NULL;

    if (!entry)
        return -1;
    if (unlink(entry) < 0) {
        if (errno == ENOENT)
            return 0;
        spmReportSystemError(errno, _("cannot remove '%1$s'"), entry);
        return -1;
    }
    /* the removal survives a power loss */
    dir = g_path_get_dirname(entry);
    return spmFileSyncDir(dir);
}

int
spmTypedDomainsFind(const char *baseDir, const char *domain, char uuid[SPM_UUID_STRING_BUFLEN])
{
    g_autofree char *dir = g_build_filename(baseDir, SPM_TYPED_DOMAINS_DIR, NULL);
    g_autoptr(GDir) dh = NULL;
    const char *name;
    size_t mark = spmErrorMark();

    if (spmUUIDCanonicalize(domain, uuid) && spmTypedDomainsLookup(baseDir, uuid) > 0)
        return 1;
    spmErrorTruncate(mark);
    if (!(dh = g_dir_open(dir, 0, NULL)))
        return 0;
    while ((name = g_dir_read_name(dh))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        size_t len = 0;

        if (!spmUUIDCanonicalize(name, uuid) || !SPM_STREQ(name, uuid))
            continue;
        path = g_build_filename(dir, name, NULL);
        if (!g_file_get_contents(path, &text, &len, NULL))
            continue;
        g_strchomp(text);
        if (SPM_STREQ(text, domain))
            return 1;
    }
    return 0;
}
