/*
 * host_dax.c: the host's dax devices (device-dax or system-ram mode)
 *
 * This host: libdaxctl (its regions, devices, sizes, alignments, target
 * nodes and modes).  A captured tree: libdaxctl cannot read one.  It walks
 * the hard-coded /sys/bus/dax/devices and /sys/class/dax, and it drops every
 * device whose /dev/daxX.Y character device it cannot stat(), so no sysfs
 * root can be given to it.  For a tree, spmHostDaxReadTree() reads the same
 * five attributes (size, align, target_node, resource, the driver link) from
 * ROOT/sys/bus/dax/devices itself: the only facts this file reads from sysfs,
 * besides whether the host has a dax device at all.  libdaxctl is loaded
 * only when it has one (host_daxctl.c says why).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_nodeinfo.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"

#include "host_daxctl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_UTIL

static void
spmHostDaxAppend(GArray *out, const char *name, unsigned long long start, unsigned long long size,
                 unsigned long long align, int target, spmHostDaxMode mode)
{
    spmHostDaxDevice dev = {
        .name = g_strdup(name),
        .path = g_strdup_printf("/dev/%s", name),
        .start = start,
        .size = size,
        .align = align,
        .targetNode = target,
        .mode = mode,
    };

    g_array_append_val(out, dev);
}

static bool
spmHostDaxReadAttr(const char *dir, const char *attr, unsigned long long *value, bool isSigned)
{
    g_autofree char *path = g_build_filename(dir, attr, NULL);
    g_autofree char *buf = NULL;
    size_t len;

    if (spmFileReadAll(path, 4096, &buf, &len) < 0)
        return false;
    g_strstrip(buf);
    if (isSigned && SPM_STREQ(buf, "-1")) {
        *value = ULLONG_MAX;
        return true;
    }
    return spmParseNumber(buf, SPM_NUMBER_HEX, 0, value);
}

/* daxR.D by region R, then device D (dax2.0 before dax10.0); names of
 * another shape after them, by name.  libdaxctl lists devices in the order
 * of its regions, a directory in no order: both are sorted this way, so
 * that nodeinfo shows one order for one host, read live or captured. */
static int
spmHostDaxCompareDevices(gconstpointer a, gconstpointer b)
{
    const spmHostDaxDevice *da = a;
    const spmHostDaxDevice *db = b;
    unsigned int ra, rb, ia, ib;
    bool numa = sscanf(da->name, "dax%u.%u", &ra, &ia) == 2;
    bool numb = sscanf(db->name, "dax%u.%u", &rb, &ib) == 2;

    if (numa != numb)
        return numa ? -1 : 1;
    if (numa && ra != rb)
        return ra < rb ? -1 : 1;
    if (numa && ia != ib)
        return ia < ib ? -1 : 1;
    return g_strcmp0(da->name, db->name);
}

/* The daxX.Y entries of @dir; none when @dir does not exist. */
static GPtrArray *
spmHostDaxListDevices(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) gdir = NULL;
    const char *name;

    if ((gdir = g_dir_open(dir, 0, NULL))) {
        while ((name = g_dir_read_name(gdir))) {
            if (g_str_has_prefix(name, "dax"))
                g_ptr_array_add(names, g_strdup(name));
        }
    }
    return g_steal_pointer(&names);
}

/* Whether this host has a dax device where libdaxctl looks for them: the
 * dax bus, and the dax class of kernels before the bus. */
static bool
spmHostDaxAny(void)
{
    static const char *const dirs[] = {"/sys/bus/dax/devices", "/sys/class/dax"};
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autoptr(GPtrArray) names = spmHostDaxListDevices(dirs[i]);

        if (names->len > 0)
            return true;
    }
    return false;
}

static int
spmHostDaxReadLibdaxctl(GArray *out)
{
    struct daxctl_ctx *ctx = NULL;
    struct daxctl_region *region;
    int rc;

    if (!spmHostDaxAny())
        return 0;
    if (spmHostDaxctlLoad() < 0)
        return -1;
    if ((rc = daxctl_new(&ctx)) < 0) {
        spmReportSystemError(-rc, "%s", _("libdaxctl cannot start"));
        return -1;
    }
    daxctl_set_log_priority(ctx, 0);
    daxctl_region_foreach(ctx, region)
    {
        struct daxctl_dev *dev;

        daxctl_dev_foreach(region, dev)
        {
            spmHostDaxMode mode = SPM_HOST_DAX_MODE_UNBOUND;
            unsigned long long start = daxctl_dev_get_resource(dev);

            if (daxctl_dev_get_size(dev) == 0)
                continue; /* the region's unconfigured seed device */
            if (daxctl_dev_is_enabled(dev))
                mode = daxctl_dev_get_memory(dev) ? SPM_HOST_DAX_MODE_SYSTEM_RAM
                                                  : SPM_HOST_DAX_MODE_DEVDAX;
            spmHostDaxAppend(out, daxctl_dev_get_devname(dev), start == ULLONG_MAX ? 0 : start,
                             daxctl_dev_get_size(dev), daxctl_dev_get_align(dev),
                             daxctl_dev_get_target_node(dev), mode);
        }
    }
    daxctl_unref(ctx);
    return 0;
}

/* ROOT/sys/bus/dax/devices/daxX.Y: see the top of this file for why. */
static int
spmHostDaxReadTree(const char *root, GArray *out)
{
    g_autofree char *busdir = g_build_filename(root, "sys/bus/dax/devices", NULL);
    g_autoptr(GPtrArray) names = spmHostDaxListDevices(busdir);
    size_t i;

    for (i = 0; i < names->len; i++) {
        const char *dev = names->pdata[i];
        g_autofree char *devdir = g_build_filename(busdir, dev, NULL);
        g_autofree char *driver = g_build_filename(devdir, "driver", NULL);
        g_autofree char *target = g_file_read_link(driver, NULL);
        unsigned long long size, align, node, start = 0;
        spmHostDaxMode mode = SPM_HOST_DAX_MODE_UNBOUND;

        if (!spmHostDaxReadAttr(devdir, "size", &size, false) ||
            !spmHostDaxReadAttr(devdir, "align", &align, false) ||
            !spmHostDaxReadAttr(devdir, "target_node", &node, true)) {
            spmReportError(
                SPM_ERR_OPERATION_FAILED,
                _("cannot read the size, align and target_node of dax device '%1$s' in '%2$s'"),
                dev, busdir);
            return -1;
        }
        if (size == 0)
            continue;
        spmHostDaxReadAttr(devdir, "resource", &start, false);
        if (target) {
            g_autofree char *drv = g_path_get_basename(target);

            if (SPM_STREQ(drv, "device_dax"))
                mode = SPM_HOST_DAX_MODE_DEVDAX;
            else if (SPM_STREQ(drv, "kmem"))
                mode = SPM_HOST_DAX_MODE_SYSTEM_RAM;
        }
        spmHostDaxAppend(out, dev, start, size, align, node == ULLONG_MAX ? -1 : (int)node, mode);
    }
    return 0;
}

int
spmHostDaxDiscover(spmHost *host)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(spmHostDaxDevice));
    int rc;

    if (host->root)
        rc = spmHostDaxReadTree(host->root, out);
    else
        rc = spmHostDaxReadLibdaxctl(out);
    g_array_sort(out, spmHostDaxCompareDevices);
    host->ndaxes = out->len;
    host->daxes = (spmHostDaxDevice *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
    return rc;
}
