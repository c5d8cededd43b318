/*
 * qemu_firmware.c: which UEFI build a guest boots, and whether it passes
 * soft-reserved memory on to the guest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_firmware.h"
#include "qemu_capscache.h"
#include "qemu_domain.h"
#include "qemu_json.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmxml.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU

SPM_ENUM_IMPL(spmQEMUFirmwareVerdict, SPM_QEMU_FIRMWARE_VERDICT_LAST, "unknown", "verified-good",
              "verified-bad");
SPM_ENUM_IMPL(spmQEMUFirmwareSource, SPM_QEMU_FIRMWARE_SOURCE_LAST, "none", "config", "table",
              "package");

/* Where libvirt 9.0's system daemon reads firmware descriptors, in order of
 * precedence (a file name in an earlier directory hides the same name in a
 * later one). */
static const char *const spmQEMUFirmwareDefaultDirs[] = {
    "/etc/qemu/firmware",
    "/usr/share/qemu/firmware",
    NULL,
};

/* Images virt-spm booted with QEMU 11.1.3 (q35, a 1 GiB sp-mem device on
 * node 1) and the Linux 6.1 reference guest, and what the guest got:
 * good means a "soft reserved" BIOS-e820 range, hmem.0 and a dax device on
 * node 1; bad means none of them, only the SRAT entry of node 1. */
typedef struct {
    const char *sha256;
    spmQEMUFirmwareVerdict verdict;
    const char *package;
    const char *version;
    const char *build;
} spmQEMUFirmwareKnownImage;

static const spmQEMUFirmwareKnownImage spmQEMUFirmwareKnownImages[] = {
    /* OVMF_CODE_4M.fd */
    {"7e34e3b83224968bb0714c0ebc88f75c5c37b4cc892c902e511ccc7a7c107f94",
     SPM_QEMU_FIRMWARE_VERDICT_GOOD, "ovmf-generic", "2026.08+ds-2", "edk2-stable202608"},
    /* OVMF_CODE_4M.ms.fd (also .secboot.fd and .snakeoil.fd) */
    {"b3cdbd705066cdf2bb0c0b40b77c341dc2a19e0db56c9af0a54fa1737ff3ee5b",
     SPM_QEMU_FIRMWARE_VERDICT_GOOD, "ovmf-generic", "2026.08+ds-2", "edk2-stable202608"},
    /* Debian 12: OVMF_CODE_4M.fd */
    {"b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c",
     SPM_QEMU_FIRMWARE_VERDICT_BAD, "ovmf", "2022.11-6+deb12u2", "edk2-stable202211"},
    /* Debian 12: OVMF_CODE_4M.ms.fd (also .secboot.fd and .snakeoil.fd) */
    {"d50189a486d22af418198226a3a5bcb6ddac775590f6a808bd629474ee034d62",
     SPM_QEMU_FIRMWARE_VERDICT_BAD, "ovmf", "2022.11-6+deb12u2", "edk2-stable202211"},
};

#define SPM_QEMU_FIRMWARE_CONF_GROUP_PREFIX "sha256:"


void
spmQEMUFirmwareInfoFree(spmQEMUFirmwareInfo *info)
{
    if (!info)
        return;
    g_free(info->path);
    g_free(info->descriptor);
    g_free(info->sha256);
    g_free(info->package);
    g_free(info->version);
    g_free(info->build);
    g_free(info);
}


const char *
spmQEMUFirmwareConfigPath(void)
{
    const char *env = g_getenv("VIRT_SPM_FIRMWARE_CONF");

    return env && *env ? env : SPM_SYSCONFDIR "/firmware.conf";
}


/*
 * The digest cache: hashing a 4 MiB flash image costs more than the rest of
 * a typed start's check in the hook, so each image's sha256 is kept with
 * the identity of the file it was computed from,
 *
 *   CACHEDIR/firmware/SHA256-OF-PATH.digest    "IDENTITY SHA256\n"
 *
 * where IDENTITY is its device, inode, size, mtime and ctime (the kernel
 * sets ctime on any change of the file, and nobody can set it back; libvirt
 * trusts it for its own capability cache).  CACHEDIR is the capability
 * cache's (qemu_capscache.h).  A missing, stale or broken entry means a new
 * hash, never an error; an entry is written only when the file did not
 * change while it was hashed.
 */
static char *
spmQEMUFirmwareIdentity(int fd)
{
    struct stat sb;

    if (fstat(fd, &sb) < 0)
        return NULL;
    return g_strdup_printf("%ju:%ju:%jd:%jd.%09ld:%jd.%09ld", (uintmax_t)sb.st_dev,
                           (uintmax_t)sb.st_ino, (intmax_t)sb.st_size, (intmax_t)sb.st_mtim.tv_sec,
                           sb.st_mtim.tv_nsec, (intmax_t)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
}

static char *
spmQEMUFirmwareDigestPath(const char *path)
{
    g_autofree char *dir = spmQEMUCapsCacheDir();
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, path, -1);
    g_autofree char *file = g_strdup_printf("%s.digest", sum);

    return g_build_filename(dir, "firmware", file, NULL);
}

/* The cached sha256 for @identity, or NULL. */
static char *
spmQEMUFirmwareDigestLoad(const char *cache, const char *identity)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) words = NULL;
    size_t i;

    if (!g_file_get_contents(cache, &text, NULL, NULL))
        return NULL;
    words = g_strsplit(g_strchomp(text), " ", 0);
    if (g_strv_length(words) != 2 || !SPM_STREQ(words[0], identity) || strlen(words[1]) != 64)
        return NULL;
    for (i = 0; i < 64; i++) {
        if (!g_ascii_isxdigit(words[1][i]) || g_ascii_isupper(words[1][i]))
            return NULL;
    }
    return g_strdup(words[1]);
}

static void
spmQEMUFirmwareDigestSave(const char *cache, const char *identity, const char *sha256)
{
    g_autofree char *dir = g_path_get_dirname(cache);
    g_autofree char *text = g_strdup_printf("%s %s\n", identity, sha256);
    size_t mark = spmErrorMark();

    if (spmFileMakePath(dir, 0755) < 0 || spmFileWriteAtomic(cache, text, strlen(text), 0644) < 0)
        spmLogDebugMessage(__func__, "cannot cache the digest of a firmware image in '%s'", cache);
    spmErrorTruncate(mark);
}

/* The sha256 of the file at @path, NULL (no error) when it cannot be read:
 * the verdict is then unknown, and the warning says why. */
static char *
spmQEMUFirmwareHash(const char *path)
{
    g_autofree char *cache = spmQEMUFirmwareDigestPath(path);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *sha256 = NULL;
    g_autoptr(GMappedFile) map = NULL;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    if (!(before = spmQEMUFirmwareIdentity(fd)))
        goto cleanup;
    if ((sha256 = spmQEMUFirmwareDigestLoad(cache, before)))
        goto cleanup;
    if (!(map = g_mapped_file_new_from_fd(fd, FALSE, NULL)))
        goto cleanup;
    sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                         (const guchar *)g_mapped_file_get_contents(map),
                                         g_mapped_file_get_length(map));
    if ((after = spmQEMUFirmwareIdentity(fd)) && SPM_STREQ(before, after))
        spmQEMUFirmwareDigestSave(cache, before, sha256);

cleanup:
    close(fd);
    return g_steal_pointer(&sha256);
}


/* One line of a dpkg-query run, NULL when it fails or prints nothing. */
static char *
spmQEMUFirmwareDpkgQuery(const char *const *argv)
{
    g_autofree char *out = NULL;
    int status = 0;
    char *nl;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) || !out)
        return NULL;
    if ((nl = strchr(out, '\n')))
        *nl = '\0';
    return *out ? g_steal_pointer(&out) : NULL;
}


/*
 * The Debian package owning @path and its version, through dpkg-query (the
 * database files under /var/lib/dpkg are dpkg's private format; dpkg-query
 * is its interface, and knows diversions and multi-arch names).  Leaves
 * both NULL when dpkg knows no owner.
 */
static void
spmQEMUFirmwareOwner(const char *path, char **package, char **version)
{
    const char *search[] = {"dpkg-query", "--search", path, NULL};
    g_autofree char *line = spmQEMUFirmwareDpkgQuery(search);
    g_autofree char *name = NULL;
    char *colon;

    *package = NULL;
    *version = NULL;
    /* "ovmf: /usr/share/OVMF/OVMF_CODE_4M.fd"; "diversion by ..." lines
     * come first for a diverted file, and then the owner is not sure */
    if (!line || g_str_has_prefix(line, "diversion ") || !(colon = strstr(line, ": ")))
        return;
    *colon = '\0';
    if (strchr(line, ','))
        return; /* shared by several packages: no single owner */
    name = g_strdup(line);
    if ((colon = strchr(name, ':')))
        *colon = '\0'; /* multi-arch qualifier */
    {
        const char *show[] = {"dpkg-query", "--show", "--showformat=${Version}", name, NULL};

        if ((*version = spmQEMUFirmwareDpkgQuery(show)))
            *package = g_steal_pointer(&name);
    }
}


/* The administrator's verdict on @sha256 from the configuration file:
 * 1 found, 0 not there (or no file), -1 with an error on a broken file. */
static int
spmQEMUFirmwareConfigLookup(const char *sha256, spmQEMUFirmwareVerdict *verdict)
{
    const char *path = spmQEMUFirmwareConfigPath();
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *group = g_strdup_printf(SPM_QEMU_FIRMWARE_CONF_GROUP_PREFIX "%s", sha256);
    g_autofree char *value = NULL;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        spmReportError(
            SPM_ERR_OPERATION_FAILED,
            _("cannot read the firmware configuration file '%1$s': %2$s; fix or remove it"), path,
            err->message);
        return -1;
    }
    if (!g_key_file_has_group(kf, group))
        return 0;
    if (!(value = g_key_file_get_string(kf, group, "verdict", NULL)) ||
        (!SPM_STREQ(value, "good") && !SPM_STREQ(value, "bad"))) {
        spmReportError(
            SPM_ERR_OPERATION_FAILED,
            _("firmware configuration file '%1$s': group [%2$s] needs 'verdict=good' or 'verdict=bad', not '%3$s'"),
            path, group, value ? value : "");
        return -1;
    }
    *verdict =
        SPM_STREQ(value, "good") ? SPM_QEMU_FIRMWARE_VERDICT_GOOD : SPM_QEMU_FIRMWARE_VERDICT_BAD;
    return 1;
}


spmQEMUFirmwareInfo *
spmQEMUFirmwareIdentify(const char *path, const char *descriptor)
{
    g_autoptr(spmQEMUFirmwareInfo) info = g_new0(spmQEMUFirmwareInfo, 1);
    size_t i;
    int rc;

    info->path = g_strdup(path);
    info->descriptor = g_strdup(descriptor);
    if (!(info->sha256 = spmQEMUFirmwareHash(path)))
        return g_steal_pointer(&info);

    if ((rc = spmQEMUFirmwareConfigLookup(info->sha256, &info->verdict)) < 0)
        return NULL;
    if (rc > 0)
        info->source = SPM_QEMU_FIRMWARE_SOURCE_CONFIG;

    for (i = 0; i < G_N_ELEMENTS(spmQEMUFirmwareKnownImages); i++) {
        const spmQEMUFirmwareKnownImage *known = &spmQEMUFirmwareKnownImages[i];

        if (!SPM_STREQ(known->sha256, info->sha256))
            continue;
        info->package = g_strdup(known->package);
        info->version = g_strdup(known->version);
        info->build = g_strdup(known->build);
        if (info->source == SPM_QEMU_FIRMWARE_SOURCE_NONE) {
            info->verdict = known->verdict;
            info->source = SPM_QEMU_FIRMWARE_SOURCE_TABLE;
        }
        return g_steal_pointer(&info);
    }
    if (info->source != SPM_QEMU_FIRMWARE_SOURCE_NONE)
        return g_steal_pointer(&info);

    /* Not known by content: another image of a package build known to
     * drop the range comes from the same edk2 source, so it drops it too.
     * A package build known to pass it does not vouch for a file that may
     * have been rebuilt or changed: that stays unknown. */
    spmQEMUFirmwareOwner(path, &info->package, &info->version);
    for (i = 0; info->package && i < G_N_ELEMENTS(spmQEMUFirmwareKnownImages); i++) {
        const spmQEMUFirmwareKnownImage *known = &spmQEMUFirmwareKnownImages[i];

        if (known->verdict == SPM_QEMU_FIRMWARE_VERDICT_BAD &&
            SPM_STREQ(known->package, info->package) && SPM_STREQ(known->version, info->version)) {
            info->verdict = SPM_QEMU_FIRMWARE_VERDICT_BAD;
            info->source = SPM_QEMU_FIRMWARE_SOURCE_PACKAGE;
            info->build = g_strdup(known->build);
            break;
        }
    }
    return g_steal_pointer(&info);
}


/* A parsed firmware descriptor: only what libvirt 9.0 matches on. */
typedef struct {
    char *path;
    char *executable;     /* NULL unless a UEFI flash image */
    GPtrArray *targets;   /* "ARCH:MACHINE-GLOB" */
    GHashTable *features; /* feature name set */
} spmQEMUFirmwareDescriptor;

static void
spmQEMUFirmwareDescriptorFree(spmQEMUFirmwareDescriptor *fw)
{
    if (!fw)
        return;
    g_free(fw->path);
    g_free(fw->executable);
    if (fw->targets)
        g_ptr_array_unref(fw->targets);
    if (fw->features)
        g_hash_table_unref(fw->features);
    g_free(fw);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUFirmwareDescriptor, spmQEMUFirmwareDescriptorFree);


static const char *
spmQEMUFirmwareJSONString(json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_string))
        return NULL;
    return json_object_get_string(val);
}

static json_object *
spmQEMUFirmwareJSONArray(json_object *obj, const char *key)
{
    json_object *val = NULL;

    if (!obj || !json_object_object_get_ex(obj, key, &val) ||
        !json_object_is_type(val, json_type_array))
        return NULL;
    return val;
}


/* The descriptor at @path; NULL (no error) for one that is not a UEFI
 * flash image or cannot be parsed: libvirt skips neither, but such a file
 * offers no UEFI image to identify. */
static spmQEMUFirmwareDescriptor *
spmQEMUFirmwareDescriptorParse(const char *path)
{
    g_autoptr(spmQEMUFirmwareDescriptor) fw = g_new0(spmQEMUFirmwareDescriptor, 1);
    g_autoptr(json_object) root = json_object_from_file(path);
    json_object *mapping = NULL;
    json_object *exec = NULL;
    json_object *arr;
    const char *device;
    const char *filename;
    bool uefi = false;
    size_t i;

    if (!root || !json_object_is_type(root, json_type_object))
        return NULL;
    if ((arr = spmQEMUFirmwareJSONArray(root, "interface-types"))) {
        for (i = 0; i < json_object_array_length(arr); i++) {
            const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

            uefi |= s && SPM_STREQ(s, "uefi");
        }
    }
    if (!uefi || !json_object_object_get_ex(root, "mapping", &mapping) ||
        !(device = spmQEMUFirmwareJSONString(mapping, "device")) || !SPM_STREQ(device, "flash") ||
        !json_object_object_get_ex(mapping, "executable", &exec) ||
        !(filename = spmQEMUFirmwareJSONString(exec, "filename")))
        return NULL;

    fw->path = g_strdup(path);
    fw->executable = g_strdup(filename);
    fw->targets = g_ptr_array_new_with_free_func(g_free);
    fw->features = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((arr = spmQEMUFirmwareJSONArray(root, "targets"))) {
        for (i = 0; i < json_object_array_length(arr); i++) {
            json_object *target = json_object_array_get_idx(arr, i);
            const char *tarch = spmQEMUFirmwareJSONString(target, "architecture");
            json_object *machines = spmQEMUFirmwareJSONArray(target, "machines");
            size_t j;

            for (j = 0; tarch && machines && j < json_object_array_length(machines); j++) {
                const char *m = json_object_get_string(json_object_array_get_idx(machines, j));

                if (m)
                    g_ptr_array_add(fw->targets, g_strdup_printf("%s:%s", tarch, m));
            }
        }
    }
    if ((arr = spmQEMUFirmwareJSONArray(root, "features"))) {
        for (i = 0; i < json_object_array_length(arr); i++) {
            const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

            if (s)
                g_hash_table_add(fw->features, g_strdup(s));
        }
    }
    return g_steal_pointer(&fw);
}


/* Every UEFI flash descriptor, in libvirt's order: file names sorted, the
 * first directory that has a name wins, an empty file hides the name. */
static GPtrArray *
spmQEMUFirmwareDescriptorsLoad(void)
{
    const char *env = g_getenv("VIRT_SPM_FIRMWARE_DIRS");
    g_auto(GStrv) envDirs = env && *env ? g_strsplit(env, ":", -1) : NULL;
    const char *const *dirs = envDirs ? (const char *const *)envDirs : spmQEMUFirmwareDefaultDirs;
    g_autoptr(GHashTable) byName = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GList) names = NULL;
    GPtrArray *ret = g_ptr_array_new_with_free_func((GDestroyNotify)spmQEMUFirmwareDescriptorFree);
    GList *l;

    for (; *dirs; dirs++) {
        g_autoptr(GDir) dir = g_dir_open(*dirs, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (!g_str_has_suffix(name, ".json") || g_hash_table_contains(byName, name))
                continue;
            g_hash_table_insert(byName, g_strdup(name), g_build_filename(*dirs, name, NULL));
        }
    }
    names = g_list_sort(g_hash_table_get_keys(byName), (GCompareFunc)strcmp);
    for (l = names; l; l = l->next) {
        const char *path = g_hash_table_lookup(byName, l->data);
        spmQEMUFirmwareDescriptor *fw;
        GStatBuf sb;

        if (g_stat(path, &sb) < 0 || sb.st_size == 0)
            continue;
        if ((fw = spmQEMUFirmwareDescriptorParse(path)))
            g_ptr_array_add(ret, fw);
    }
    return ret;
}


/* libvirt's name for @arch in descriptors ("i686" guests: "i386"). */
static const char *
spmQEMUFirmwareArch(const char *arch)
{
    if (!arch)
        return "x86_64";
    if (SPM_STREQ(arch, "i686") || SPM_STREQ(arch, "i586") || SPM_STREQ(arch, "i486") ||
        SPM_STREQ(arch, "i386"))
        return "i386";
    return arch;
}


/* The full machine type name libvirt matches descriptors against: libvirt
 * expands the aliases "q35" and "pc" before it selects firmware. */
static char *
spmQEMUFirmwareMachine(const char *machine)
{
    spmQEMUMachineFamily family;
    unsigned int major = 0;
    unsigned int minor = 0;

    if (!spmQEMUMachineParse(machine, &family, &major, &minor))
        return g_strdup(machine ? machine : "");
    if (major > 0)
        return g_strdup(machine);
    return g_strdup(family == SPM_QEMU_MACHINE_FAMILY_Q35 ? "pc-q35-latest" : "pc-i440fx-latest");
}


static bool
spmQEMUFirmwareMatchesTarget(const spmQEMUFirmwareDescriptor *fw, const char *arch,
                             const char *machine)
{
    size_t i;

    for (i = 0; i < fw->targets->len; i++) {
        const char *target = g_ptr_array_index(fw->targets, i);
        size_t alen = strlen(arch);

        if (strncmp(target, arch, alen) != 0 || target[alen] != ':')
            continue;
        if (!machine || g_pattern_match_simple(target + alen + 1, machine))
            return true;
    }
    return false;
}


/* The state (-1 absent, 0 no, 1 yes) of a yes/no attribute at @path. */
static int
spmQEMUFirmwareDomainTristate(const spmDomainDef *def, const char *path, const char *attr)
{
    xmlNodePtr node = spmXMLFindPath(def->root, path);
    g_autofree char *val = node ? spmXMLPropString(node, attr) : NULL;

    if (!val)
        return -1;
    return SPM_STREQ(val, "yes") ? 1 : 0;
}


/* The <os><firmware><feature name='@name'> request (-1: none). */
static int
spmQEMUFirmwareDomainFeature(const spmDomainDef *def, const char *name)
{
    xmlNodePtr fwnode = spmXMLFindPath(def->root, "os/firmware");
    xmlNodePtr cur;

    for (cur = fwnode ? spmXMLChildElement(fwnode, "feature") : NULL; cur;
         cur = spmXMLNextElement(cur, "feature")) {
        g_autofree char *fname = spmXMLPropString(cur, "name");
        g_autofree char *enabled = spmXMLPropString(cur, "enabled");

        if (fname && SPM_STREQ(fname, name) && enabled)
            return SPM_STREQ(enabled, "yes") ? 1 : 0;
    }
    return -1;
}


/* Whether libvirt 9.0 picks @fw for @def with <os firmware='efi'>
 * (qemuFirmwareMatchDomain: interface, target, S3/S4, the secure-boot and
 * enrolled-keys requests, a secure loader needing SMM, SEV). */
static bool
spmQEMUFirmwareMatchesDomain(const spmQEMUFirmwareDescriptor *fw, const spmDomainDef *def,
                             const char *machine)
{
    static const struct {
        const char *feature;
    } requests[] = {{"secure-boot"}, {"enrolled-keys"}};
    xmlNodePtr sec;
    size_t i;

    if (!spmQEMUFirmwareMatchesTarget(fw, spmQEMUFirmwareArch(def->os.arch), machine))
        return false;
    if (spmQEMUFirmwareDomainTristate(def, "pm/suspend-to-mem", "enabled") == 1 &&
        !g_hash_table_contains(fw->features, "acpi-s3"))
        return false;
    if (spmQEMUFirmwareDomainTristate(def, "pm/suspend-to-disk", "enabled") == 1 &&
        !g_hash_table_contains(fw->features, "acpi-s4"))
        return false;
    for (i = 0; i < G_N_ELEMENTS(requests); i++) {
        int want = spmQEMUFirmwareDomainFeature(def, requests[i].feature);
        bool has = g_hash_table_contains(fw->features, requests[i].feature);

        if ((want == 1 && !has) || (want == 0 && has))
            return false;
    }
    if (spmQEMUFirmwareDomainTristate(def, "os/loader", "secure") == 1 &&
        !g_hash_table_contains(fw->features, "requires-smm"))
        return false;
    if ((sec = spmXMLChildElement(def->root, "launchSecurity"))) {
        g_autofree char *type = spmXMLPropString(sec, "type");

        if (type && SPM_STREQ(type, "sev") && !g_hash_table_contains(fw->features, "amd-sev"))
            return false;
    }
    return true;
}


GPtrArray *
spmQEMUFirmwareListOffered(const char *arch, const char *machine)
{
    g_autoptr(GPtrArray) fws = spmQEMUFirmwareDescriptorsLoad();
    g_autoptr(GPtrArray) ret =
        g_ptr_array_new_with_free_func((GDestroyNotify)spmQEMUFirmwareInfoFree);
    g_autofree char *fullMachine = machine ? spmQEMUFirmwareMachine(machine) : NULL;
    const char *fwArch = spmQEMUFirmwareArch(arch);
    bool selected = false;
    size_t i;

    for (i = 0; i < fws->len; i++) {
        const spmQEMUFirmwareDescriptor *fw = g_ptr_array_index(fws, i);
        spmQEMUFirmwareInfo *info;

        if (!spmQEMUFirmwareMatchesTarget(fw, fwArch, fullMachine))
            continue;
        if (!(info = spmQEMUFirmwareIdentify(fw->executable, fw->path)))
            return NULL;
        /* libvirt's choice for a plain <os firmware='efi'>: the first
         * descriptor for the machine (no feature is requested) */
        if (fullMachine && !selected)
            info->selected = selected = true;
        g_ptr_array_add(ret, info);
    }
    return g_steal_pointer(&ret);
}


/* The image libvirt boots for @def: its <loader> path, or for <os
 * firmware='efi'> the first matching descriptor's.  NULL without an error
 * when no descriptor matches; NULL with an error when the configuration
 * file is broken (*@broken set). */
static spmQEMUFirmwareInfo *
spmQEMUFirmwareForDomain(const spmDomainDef *def, bool *broken)
{
    g_autoptr(GPtrArray) fws = NULL;
    g_autofree char *machine = NULL;
    spmQEMUFirmwareInfo *info;
    size_t i;

    *broken = false;
    if (!(def->os.firmware && SPM_STREQ(def->os.firmware, "efi")) && def->os.loader) {
        if (!(info = spmQEMUFirmwareIdentify(def->os.loader, NULL)))
            *broken = true;
        return info;
    }

    fws = spmQEMUFirmwareDescriptorsLoad();
    machine = spmQEMUFirmwareMachine(def->os.machine);
    for (i = 0; i < fws->len; i++) {
        const spmQEMUFirmwareDescriptor *fw = g_ptr_array_index(fws, i);

        if (!spmQEMUFirmwareMatchesDomain(fw, def, machine))
            continue;
        if (!(info = spmQEMUFirmwareIdentify(fw->executable, fw->path)))
            *broken = true;
        return info;
    }
    return NULL;
}


/* "'PATH'" or "'PATH' (which libvirt selects for <os firmware='efi'> by
 * DESCRIPTOR)", and the package when dpkg or the table names one. */
static char *
spmQEMUFirmwareDescribe(const spmQEMUFirmwareInfo *info)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "'%s'", info->path);
    if (info->package)
        g_string_append_printf(s, _(" (Debian package %1$s %2$s%3$s%4$s)"), info->package,
                               info->version, info->build ? ", " : "",
                               info->build ? info->build : "");
    if (info->descriptor)
        g_string_append_printf(s, _(", which libvirt selects for <os firmware='efi'> by '%1$s',"),
                               info->descriptor);
    return g_string_free(s, false);
}


size_t
spmQEMUFirmwareCheckDomain(const spmDomainDef *def)
{
    size_t before = spmErrorCount();
    g_autoptr(spmQEMUFirmwareInfo) info = NULL;
    g_autofree char *what = NULL;
    bool efi = def->os.firmware && SPM_STREQ(def->os.firmware, "efi");
    bool broken = false;

    /* Not UEFI: the rules of src/conf refuse SeaBIOS. */
    if (!efi && (def->os.firmware || !def->os.loader))
        return 0;

    if (!(info = spmQEMUFirmwareForDomain(def, &broken))) {
        if (broken)
            return spmErrorCount() - before;
        spmReportWarning(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("no firmware descriptor offers UEFI firmware for machine type '%1$s' (looked in /etc/qemu/firmware and /usr/share/qemu/firmware), so libvirt will not find one for <os firmware='efi'>; install OVMF from edk2-stable202608 or newer, or name the image with <loader type='pflash'>"),
            def->os.machine ? def->os.machine : "pc");
        return 0;
    }

    what = spmQEMUFirmwareDescribe(info);
    switch (info->verdict) {
    case SPM_QEMU_FIRMWARE_VERDICT_GOOD:
        break;
    case SPM_QEMU_FIRMWARE_VERDICT_BAD:
        if (info->source == SPM_QEMU_FIRMWARE_SOURCE_CONFIG)
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("firmware %1$s drops soft-reserved memory, as '%2$s' records: the guest would get neither the E820 'soft reserved' range nor a dax device for its typed cells; name a verified image with <loader type='pflash'>"),
                what, spmQEMUFirmwareConfigPath());
        else if (info->source == SPM_QEMU_FIRMWARE_SOURCE_PACKAGE)
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("firmware %1$s drops soft-reserved memory: virt-spm booted images of this package build, and the guest got neither the E820 'soft reserved' range nor a dax device for its typed cells, only their SRAT entries; install OVMF from edk2-stable202608 or newer (Debian package ovmf or ovmf-generic 2026.08 or later) and name its OVMF_CODE_4M.fd with <loader readonly='yes' type='pflash'>"),
                what);
        else
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("firmware %1$s drops soft-reserved memory: virt-spm booted it, and the guest got neither the E820 'soft reserved' range nor a dax device for its typed cells, only their SRAT entries; install OVMF from edk2-stable202608 or newer (Debian package ovmf or ovmf-generic 2026.08 or later) and name its OVMF_CODE_4M.fd with <loader readonly='yes' type='pflash'>"),
                what);
        break;
    case SPM_QEMU_FIRMWARE_VERDICT_UNKNOWN:
    case SPM_QEMU_FIRMWARE_VERDICT_LAST:
        if (!info->sha256)
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("cannot read firmware %1$s, so virt-spm cannot tell whether it passes soft-reserved memory to the guest (OVMF from edk2-stable202608 on does, older builds drop it)"),
                what);
        else
            spmReportWarning(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("virt-spm has not verified that firmware %1$s passes soft-reserved memory to the guest (OVMF from edk2-stable202608 on does, older builds drop it); boot a guest with it, and once its kernel log shows the 'soft reserved' BIOS-e820 range, record the image in '%2$s' as a group [sha256:%3$s] with verdict=good"),
                what, spmQEMUFirmwareConfigPath(), info->sha256);
        break;
    }
    return spmErrorCount() - before;
}
