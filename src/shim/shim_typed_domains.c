/*
 * shim_typed_domains.c: the register of domains virt-spm defined with
 * typed cells
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "shim_typed_domains.h"
#include "shim_emulator_link.h"
#include "shim_launch_data.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmuuid.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

#define SPM_TYPED_DOMAINS_JOURNAL_SUFFIX ".journal"
#define SPM_TYPED_DOMAINS_JOURNAL_GROUP "intent"

char *
spmTypedDomainsBaseFromLink(const char *linkPath)
{
    g_autofree char *dir = g_path_get_dirname(linkPath);

    return g_path_get_dirname(dir);
}

char *
spmTypedDomainsBaseForEmulator(const char *emulator)
{
    g_autofree char *target = NULL;
    size_t mark = spmErrorMark();

    if (emulator && g_path_is_absolute(emulator) && spmEmulatorLinkGetTarget(emulator, &target) > 0)
        return spmTypedDomainsBaseFromLink(emulator);
    /* not a link we can read: the default place is the only one left */
    spmErrorTruncate(mark);
    return g_strdup(spmEmulatorLinkBaseDir());
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

    return entry ? spmFileRemoveDurably(entry) : -1;
}

int
spmTypedDomainsFind(const char *baseDir, const char *domain, char uuid[SPM_UUID_STRING_BUFLEN])
{
    g_autofree char *dir = g_build_filename(baseDir, SPM_TYPED_DOMAINS_DIR, NULL);
    g_autoptr(GDir) dh = NULL;
    const char *name;
    size_t mark = spmErrorMark();

    if (spmUUIDCanonicalize(domain, uuid)) {
        g_auto(spmTypedDomainsIntent) intent = {0};

        if (spmTypedDomainsLookup(baseDir, uuid) > 0 ||
            spmTypedDomainsIntentRead(baseDir, uuid, &intent) > 0)
            return 1;
    }
    spmErrorTruncate(mark);
    if (!(dh = g_dir_open(dir, 0, NULL)))
        return 0;
    while ((name = g_dir_read_name(dh))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        g_autofree char *stem = NULL;
        size_t len = 0;

        if (g_str_has_suffix(name, SPM_TYPED_DOMAINS_JOURNAL_SUFFIX)) {
            /* a journal: an interrupted verb on a domain that may not be
             * listed (an untyped one) */
            g_auto(spmTypedDomainsIntent) intent = {0};

            stem = g_strndup(name, strlen(name) - strlen(SPM_TYPED_DOMAINS_JOURNAL_SUFFIX));
            if (!spmUUIDCanonicalize(stem, uuid) || !SPM_STREQ(stem, uuid))
                continue;
            mark = spmErrorMark();
            if (spmTypedDomainsIntentRead(baseDir, uuid, &intent) > 0 &&
                SPM_STREQ(intent.name, domain))
                return 1;
            spmErrorTruncate(mark);
            continue;
        }
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

static char *
spmTypedDomainsJournal(const char *baseDir, const char *uuid)
{
    g_autofree char *entry = spmTypedDomainsEntry(baseDir, uuid);

    return entry ? g_strconcat(entry, SPM_TYPED_DOMAINS_JOURNAL_SUFFIX, NULL) : NULL;
}

void
spmTypedDomainsIntentClear(spmTypedDomainsIntent *intent)
{
    g_clear_pointer(&intent->oldDigest, g_free);
    g_clear_pointer(&intent->newLaunch, g_free);
    g_clear_pointer(&intent->name, g_free);
}

int
spmTypedDomainsIntentWrite(const char *baseDir, const char *uuid,
                           const spmTypedDomainsIntent *intent)
{
    g_autofree char *path = spmTypedDomainsJournal(baseDir, uuid);
    g_autofree char *dir = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    const char *group = SPM_TYPED_DOMAINS_JOURNAL_GROUP;
    gsize len = 0;

    if (!path)
        return -1;
    g_key_file_set_string(kf, group, "name", intent->name ? intent->name : "");
    g_key_file_set_boolean(kf, group, "old-defined", intent->oldDefined);
    if (intent->oldDefined)
        g_key_file_set_string(kf, group, "old-digest", intent->oldDigest);
    g_key_file_set_boolean(kf, group, "old-listed", intent->oldListed);
    g_key_file_set_boolean(kf, group, "new-defined", intent->newDefined);
    if (intent->newLaunch)
        g_key_file_set_string(kf, group, "new-launch", intent->newLaunch);
    g_key_file_set_boolean(kf, group, "new-listed", intent->newListed);
    text = g_key_file_to_data(kf, &len, NULL);
    dir = g_path_get_dirname(path);
    if (spmFileMakePath(dir, 0755) < 0 || spmFileWriteAtomic(path, text, len, 0644) < 0)
        return -1;
    return 0;
}

int
spmTypedDomainsIntentRead(const char *baseDir, const char *uuid, spmTypedDomainsIntent *intent)
{
    g_autofree char *path = spmTypedDomainsJournal(baseDir, uuid);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) gerr = NULL;
    const char *group = SPM_TYPED_DOMAINS_JOURNAL_GROUP;
    spmTypedDomainsIntent got = {0};

    memset(intent, 0, sizeof(*intent));
    if (!path)
        return -1;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        spmReportError(SPM_ERR_OPERATION_FAILED,
                       _("cannot read the journal '%1$s' of an interrupted virt-spm: %2$s"), path,
                       gerr->message);
        return -1;
    }
#define SPM_JOURNAL_BOOL(field, key)                               \
    do {                                                           \
        got.field = g_key_file_get_boolean(kf, group, key, &gerr); \
        if (gerr)                                                  \
            goto invalid;                                          \
    } while (0)
    SPM_JOURNAL_BOOL(oldDefined, "old-defined");
    SPM_JOURNAL_BOOL(oldListed, "old-listed");
    SPM_JOURNAL_BOOL(newDefined, "new-defined");
    SPM_JOURNAL_BOOL(newListed, "new-listed");
#undef SPM_JOURNAL_BOOL
    got.name = g_key_file_get_string(kf, group, "name", NULL);
    got.newLaunch = g_key_file_get_string(kf, group, "new-launch", NULL);
    if (got.oldDefined && !(got.oldDigest = g_key_file_get_string(kf, group, "old-digest", &gerr)))
        goto invalid;
    *intent = got;
    return 1;

invalid:
    spmReportError(
        SPM_ERR_OPERATION_FAILED,
        _("the journal '%1$s' of an interrupted virt-spm is damaged (%2$s); check the domain's definition and the register entry by hand, then remove the journal"),
        path, gerr ? gerr->message : _("a value is missing"));
    spmTypedDomainsIntentClear(&got);
    return -1;
}

int
spmTypedDomainsIntentRemove(const char *baseDir, const char *uuid)
{
    g_autofree char *path = spmTypedDomainsJournal(baseDir, uuid);

    return path ? spmFileRemoveDurably(path) : -1;
}
