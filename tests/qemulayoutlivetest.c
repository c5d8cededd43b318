/*
 * qemulayoutlivetest.c: the predicted layout against a real QEMU
 *
 * For each domain of qemulayoutdata/ that lays out, this starts the QEMU
 * binary named by $VIRT_SPM_TEST_QEMU paused, with the memory part of the
 * command line libvirt plus the shim produce: libvirt's part (libvirt's -m,
 * one backend and -numa node per cell, the memory devices) is written here,
 * and the shim's engine rewrites it with the launch data define stores (the
 * -m without the typed memory, the sp-mem devices with their pinned
 * addresses right after the -numa options), which must give the layout's
 * -m and -device values.  Then it compares:
 *   - query-memory-devices with the predicted addresses;
 *   - "info mtree" (RAM below and above 4 GiB, the device-memory window) and
 *     the host bridge's pci-hole64-start/end with the predicted map;
 *   - when the binary has the qtest accelerator (QEMU_MODULE_DIR with
 *     accel-qtest.so), the fw_cfg files etc/e820 and etc/reserved-memory-end
 *     and the SRAT memory entries of etc/acpi/tables, byte for byte.
 * The vCPU is qemu64 with the vendor and phys-bits the layout derived, so
 * TCG reproduces what the domain gets under KVM as well.
 *
 * The memmap-type cases (mm-*) run the same way with the binary named by
 * $VIRT_SPM_TEST_QEMU_MEMMAP (QEMU with the memmap-type series), whose
 * shim rewrite only adds memmap-type= to the typed -numa nodes.
 *
 * Each set is skipped when its variable is unset or its binary does not
 * offer its form.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_capabilities.h"
#include "qemu_layout.h"
#include "qemu_monitor_qmp.h"
#include "shim_argv_rewrite.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

#define LIVE_START_TIMEOUT_MS 30000
#define LIVE_QTEST_TIMEOUT_MS 30000

static const char *liveBinary;
static spmQEMUCaps *liveCaps;
static int liveQtest = -1; /* -1 unknown, 0 no, 1 yes */

typedef struct {
    const char *name;
    spmQEMUCPUVendor hostVendor;
} spmLiveTestData;

typedef struct {
    char *dir;
    GPid pid; /* 0 once reaped */
    spmQMPClient *qmp;
    int qtest; /* fd, -1 when not qtest */
    GString *rbuf;
} spmLiveQEMU;


static void
spmLiveQEMUFree(spmLiveQEMU *q)
{
    if (!q)
        return;
    spmQMPClientFree(q->qmp);
    if (q->qtest >= 0)
        close(q->qtest);
    if (q->pid > 0) {
        kill(q->pid, SIGKILL);
        while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        g_spawn_close_pid(q->pid);
    }
    if (q->dir) {
        g_autoptr(GDir) d = g_dir_open(q->dir, 0, NULL);
        const char *ent;

        while (d && (ent = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(q->dir, ent, NULL);
            unlink(path);
        }
        rmdir(q->dir);
        g_free(q->dir);
    }
    if (q->rbuf)
        g_string_free(q->rbuf, TRUE);
    g_free(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmLiveQEMU, spmLiveQEMUFree);


static int
spmLiveConnectUnix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -1;
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}


/* ---------------------------------------------------------------------- */
/* qtest: a line protocol; fw_cfg through its DMA interface */

static char *spmLiveQtestCmd(spmLiveQEMU *q, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static char *
spmLiveQtestCmd(spmLiveQEMU *q, const char *fmt, ...)
{
    g_autofree char *line = NULL;
    va_list ap;
    size_t off = 0;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    line = g_realloc(line, strlen(line) + 2);
    strcat(line, "\n");
    while (off < strlen(line)) {
        ssize_t n = write(q->qtest, line + off, strlen(line) - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        off += n;
    }
    for (;;) {
        char *nl;
        char buf[65536];
        struct pollfd pfd = {.fd = q->qtest, .events = POLLIN};
        ssize_t n;

        while ((nl = strchr(q->rbuf->str, '\n'))) {
            char *reply = g_strndup(q->rbuf->str, nl - q->rbuf->str);

            g_string_erase(q->rbuf, 0, nl - q->rbuf->str + 1);
            if (g_str_has_prefix(reply, "OK") || g_str_has_prefix(reply, "FAIL") ||
                g_str_has_prefix(reply, "ERR"))
                return reply;
            g_free(reply); /* an IRQ notification or similar */
        }
        if (poll(&pfd, 1, LIVE_QTEST_TIMEOUT_MS) <= 0)
            return NULL;
        n = read(q->qtest, buf, sizeof(buf));
        if (n <= 0)
            return NULL;
        g_string_append_len(q->rbuf, buf, n);
    }
}


static bool
spmLiveQtestOK(spmLiveQEMU *q, const char *cmd)
{
    g_autofree char *reply = spmLiveQtestCmd(q, "%s", cmd);

    return reply && g_str_has_prefix(reply, "OK");
}


/* Reads @len bytes of fw_cfg item @key with one DMA transfer into guest RAM. */
static guint8 *
spmLiveFwCfgRead(spmLiveQEMU *q, unsigned int key, size_t len)
{
    const unsigned long long desc = 0x1000;
    const unsigned long long buf = 0x10000;
    guint8 d[16];
    g_autofree char *cmd = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *hex = NULL;
    g_autofree guint8 *data = NULL;
    size_t i;

    /* FWCfgDmaAccess: be32 control (select | read), be32 length, be64 address */
    d[0] = key >> 8;
    d[1] = key;
    d[2] = 0;
    d[3] = 0x08 | 0x02;
    d[4] = len >> 24;
    d[5] = len >> 16;
    d[6] = len >> 8;
    d[7] = len;
    for (i = 0; i < 8; i++)
        d[8 + i] = buf >> (56 - 8 * i);
    hex = g_strdup("0x");
    for (i = 0; i < sizeof(d); i++) {
        char *tmp = g_strdup_printf("%s%02x", hex, d[i]);
        g_free(hex);
        hex = tmp;
    }
    cmd = g_strdup_printf("write 0x%llx 0x%zx %s", desc, sizeof(d), hex);
    if (!spmLiveQtestOK(q, cmd))
        return NULL;
    /* the DMA address register is big endian; writing its low half starts it */
    if (!spmLiveQtestOK(q, "outl 0x514 0x0"))
        return NULL;
    g_free(cmd);
    cmd = g_strdup_printf("outl 0x518 0x%x", GUINT32_SWAP_LE_BE((guint32)desc));
    if (!spmLiveQtestOK(q, cmd))
        return NULL;
    if (!(reply = spmLiveQtestCmd(q, "read 0x%llx 0x%zx", buf, len)) ||
        !g_str_has_prefix(reply, "OK 0x") || strlen(reply) != 5 + 2 * len)
        return NULL;
    data = g_new0(guint8, len + 1);
    for (i = 0; i < len; i++) {
        char byte[3] = {reply[5 + 2 * i], reply[6 + 2 * i], 0};
        data[i] = g_ascii_strtoull(byte, NULL, 16);
    }
    return g_steal_pointer(&data);
}


/* The size and selector of fw_cfg file @name, from the directory. */
static bool
spmLiveFwCfgFind(spmLiveQEMU *q, const char *name, unsigned int *key, size_t *size)
{
    g_autofree guint8 *head = spmLiveFwCfgRead(q, 0x19, 4);
    g_autofree guint8 *dir = NULL;
    guint32 count;
    size_t i;

    if (!head)
        return false;
    count = ((guint32)head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
    if (count == 0 || count > 4096 || !(dir = spmLiveFwCfgRead(q, 0x19, 4 + 64 * count)))
        return false;
    for (i = 0; i < count; i++) {
        const guint8 *e = dir + 4 + 64 * i;

        if (strncmp((const char *)e + 8, name, 56) == 0) {
            *size = ((size_t)e[0] << 24) | (e[1] << 16) | (e[2] << 8) | e[3];
            *key = (e[4] << 8) | e[5];
            return true;
        }
    }
    return false;
}


static guint64
spmLiveLE64(const guint8 *p)
{
    guint64 v = 0;
    int i;

    for (i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}


static guint32
spmLiveLE32(const guint8 *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32)p[3] << 24);
}


/* ---------------------------------------------------------------------- */
/* The command line */

static void spmLiveArg(GPtrArray *argv, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
spmLiveArg(GPtrArray *argv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}


/* A backend for @size bytes: huge pages become a file backend with that
 * alignment (the host has no huge pages to spare). */
static char *
spmLiveBackend(const char *dir, const char *id, unsigned long long size, spmQEMUBackendType type,
               unsigned long long pageSize, bool share)
{
    if (pageSize || type == SPM_QEMU_BACKEND_FILE) {
        GString *s = g_string_new(NULL);

        g_string_append_printf(s, "memory-backend-file,id=%s,size=%llu,mem-path=%s/%s", id, size,
                               dir, id);
        if (pageSize)
            g_string_append_printf(s, ",align=%llu", pageSize);
        if (share)
            g_string_append(s, ",share=on");
        return g_string_free(s, FALSE);
    }
    if (type == SPM_QEMU_BACKEND_MEMFD)
        return g_strdup_printf("memory-backend-memfd,id=%s,size=%llu", id, size);
    return g_strdup_printf("memory-backend-ram,id=%s,size=%llu,reserve=off", id, size);
}


static GPtrArray *
spmLiveBuildArgv(const spmQEMULayoutInput *in, const spmQEMULayout *layout, const char *dir,
                 bool qtest)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *marg = spmQEMULayoutFormatLibvirtMemoryArg(in);
    bool nvdimm = false;
    size_t i;

    for (i = 0; i < in->ndevs; i++)
        nvdimm |= in->devs[i].model == SPM_MEMORY_MODEL_NVDIMM;

    spmLiveArg(argv, "%s", liveBinary);
    spmLiveArg(argv, "-S");
    spmLiveArg(argv, "-nodefaults");
    spmLiveArg(argv, "-nographic");
    spmLiveArg(argv, "-no-user-config");
    spmLiveArg(argv, "-qmp");
    spmLiveArg(argv, "unix:%s/qmp.sock,server=on,wait=off", dir);
    if (qtest) {
        spmLiveArg(argv, "-chardev");
        spmLiveArg(argv, "socket,id=qtest,path=%s/qtest.sock,server=on,wait=off", dir);
        spmLiveArg(argv, "-qtest");
        spmLiveArg(argv, "chardev:qtest");
        spmLiveArg(argv, "-qtest-log");
        spmLiveArg(argv, "/dev/null");
        spmLiveArg(argv, "-accel");
        spmLiveArg(argv, "qtest");
    } else {
        spmLiveArg(argv, "-accel");
        spmLiveArg(argv, "tcg");
    }
    spmLiveArg(argv, "-machine");
    if (in->maxRamBelow4G)
        spmLiveArg(argv, "%s,nvdimm=%s,max-ram-below-4g=%llu", in->machine, nvdimm ? "on" : "off",
                   in->maxRamBelow4G);
    else
        spmLiveArg(argv, "%s,nvdimm=%s", in->machine, nvdimm ? "on" : "off");
    if (in->hole64Size) {
        spmLiveArg(argv, "-global");
        spmLiveArg(argv, "%s.pci-hole64-size=%llu",
                   in->family == SPM_QEMU_MACHINE_FAMILY_Q35 ? "q35-pcihost" : "i440FX-pcihost",
                   in->hole64Size);
    }
    spmLiveArg(argv, "-cpu");
    spmLiveArg(argv, "qemu64,vendor=%s,phys-bits=%u",
               in->vendor == SPM_QEMU_CPU_VENDOR_AMD ? "AuthenticAMD" : "GenuineIntel",
               in->physBits);
    spmLiveArg(argv, "-m");
    spmLiveArg(argv, "%s", marg);
    spmLiveArg(argv, "-smp");
    spmLiveArg(argv, "1");

    for (i = 0; !in->noNuma && i < in->nnodes; i++) {
        const spmQEMULayoutNode *node = &in->nodes[i];
        g_autofree char *id = g_strdup_printf("ram-node%u", node->id);
        g_autofree char *backend =
            spmLiveBackend(dir, id, node->size, node->backend, node->pageSize, false);

        spmLiveArg(argv, "-object");
        spmLiveArg(argv, "%s", backend);
        spmLiveArg(argv, "-numa");
        spmLiveArg(argv, "node,nodeid=%u%s,memdev=%s", node->id, i == 0 ? ",cpus=0" : "", id);
    }
    for (i = 0; i < in->ndevs; i++) {
        const spmQEMULayoutMemDev *d = &in->devs[i];
        g_autofree char *id = g_strdup_printf("mem%s", d->alias);
        g_autofree char *backend = spmLiveBackend(dir, id, d->size, d->backend, d->pageSize,
                                                  d->model == SPM_MEMORY_MODEL_NVDIMM);
        g_autofree char *base = d->hasBase
            ? g_strdup_printf(",\"%s\":%llu",
                              d->model == SPM_MEMORY_MODEL_VIRTIO_MEM ||
                                      d->model == SPM_MEMORY_MODEL_VIRTIO_PMEM
                                  ? "memaddr"
                                  : "addr",
                              d->base)
            : g_strdup("");

        spmLiveArg(argv, "-object");
        spmLiveArg(argv, "%s", backend);
        /* JSON, as libvirt 9.0 writes every -device for QEMU 11.1 */
        spmLiveArg(argv, "-device");
        switch ((spmMemoryModel)d->model) {
        case SPM_MEMORY_MODEL_NVDIMM:
            spmLiveArg(
                argv,
                "{\"driver\":\"nvdimm\",\"id\":\"%s\",\"memdev\":\"%s\",\"node\":%d,\"label-size\":%llu%s}",
                d->alias, id, d->node, d->labelSize, base);
            break;
        case SPM_MEMORY_MODEL_VIRTIO_MEM:
            spmLiveArg(
                argv,
                "{\"driver\":\"virtio-mem-pci\",\"id\":\"%s\",\"memdev\":\"%s\",\"node\":%d,\"block-size\":%llu,\"requested-size\":0%s}",
                d->alias, id, d->node, d->blockSize, base);
            break;
        case SPM_MEMORY_MODEL_VIRTIO_PMEM:
            spmLiveArg(argv, "{\"driver\":\"virtio-pmem-pci\",\"id\":\"%s\",\"memdev\":\"%s\"%s}",
                       d->alias, id, base);
            break;
        case SPM_MEMORY_MODEL_DIMM:
        case SPM_MEMORY_MODEL_SGX_EPC:
        case SPM_MEMORY_MODEL_LAST:
        default:
            spmLiveArg(argv,
                       "{\"driver\":\"pc-dimm\",\"id\":\"%s\",\"memdev\":\"%s\",\"node\":%d%s}",
                       d->alias, id, d->node, base);
            break;
        }
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}


/*
 * What QEMU runs with: the command line as libvirt writes it, rewritten by
 * the shim's engine with the launch data `virt-spm define` stores.  Its -m
 * and sp-mem -device values must be the layout's (memoryArg, device), which
 * come from the same formatters.  NULL with a message on stderr otherwise.
 */
static GPtrArray *
spmLiveBuildShimArgv(const spmQEMULayoutInput *in, const spmQEMULayout *layout, const char *dir,
                     bool qtest)
{
    g_autoptr(GPtrArray) libvirtArgv = spmLiveBuildArgv(in, layout, dir, qtest);
    g_autoptr(spmLaunchData) launch = NULL;
    g_auto(spmQEMULayoutArgs) qargs = {0};
    g_auto(GStrv) rewritten = NULL;
    GPtrArray *argv = NULL;
    size_t nspmem = 0;
    size_t i;

    if (spmQEMULayoutGetArgs(layout, in, &qargs) < 0 ||
        spmQEMULayoutGetLaunchData(layout, in, &launch) < 0 ||
        (launch &&
         spmQEMUArgvApplyLaunchData((const char *const *)libvirtArgv->pdata, launch, &rewritten) <
             0)) {
        fprintf(stderr, "the shim's rewrite failed:\n");
        spmErrorPrintAll(stderr, "qemulayoutlivetest");
        spmErrorReset();
        return NULL;
    }
    if (!launch)
        return g_steal_pointer(&libvirtArgv);

    argv = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; rewritten[i]; i++) {
        const char *value = rewritten[i + 1];

        g_ptr_array_add(argv, g_strdup(rewritten[i]));
        if (!value)
            continue;
        if (SPM_STREQ(rewritten[i], "-m") && !SPM_STREQ(value, qargs.memory)) {
            fprintf(stderr, "the shim wrote -m %s, the layout -m %s\n", value, qargs.memory);
            g_ptr_array_free(argv, TRUE);
            return NULL;
        }
        if (SPM_STREQ(rewritten[i], "-device") && strstr(value, "\"sp-mem\"") &&
            (nspmem >= layout->nspmems || !SPM_STREQ(value, qargs.devices[nspmem++]))) {
            fprintf(stderr, "the shim wrote -device %s, unlike the layout\n", value);
            g_ptr_array_free(argv, TRUE);
            return NULL;
        }
    }
    g_ptr_array_add(argv, NULL);
    if (nspmem != layout->nspmems) {
        fprintf(stderr, "the shim wrote %zu sp-mem devices, the layout has %zu\n", nspmem,
                layout->nspmems);
        g_ptr_array_free(argv, TRUE);
        return NULL;
    }
    return argv;
}


/* ---------------------------------------------------------------------- */
/* Starting and asking QEMU */

static char *
spmLiveLog(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "qemu.log", NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("");
    return text;
}


/* Starts QEMU; NULL with *log set to its output when it did not come up. */
static spmLiveQEMU *
spmLiveStart(const spmQEMULayoutInput *in, const spmQEMULayout *layout, bool qtest, char **log)
{
    g_autoptr(spmLiveQEMU) q = g_new0(spmLiveQEMU, 1);
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *logpath = NULL;
    gint64 deadline = g_get_monotonic_time() + LIVE_START_TIMEOUT_MS * 1000LL;
    int logfd;
    int fd = -1;
    bool ok;

    q->qtest = -1;
    q->rbuf = g_string_new(NULL);
    if (!(q->dir = g_dir_make_tmp("spmlayoutlive-XXXXXX", &err))) {
        *log = g_strdup(err->message);
        return NULL;
    }
    if (!(argv = spmLiveBuildShimArgv(in, layout, q->dir, qtest))) {
        *log = g_strdup("no command line to start QEMU with");
        return NULL;
    }
    if (spmTestDebug()) {
        g_autofree char *cmd = g_strjoinv(" ", (char **)argv->pdata);
        fprintf(stderr, "%s\n", cmd);
    }
    logpath = g_build_filename(q->dir, "qemu.log", NULL);
    if ((logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        *log = g_strdup_printf("cannot create %s", logpath);
        return NULL;
    }
    ok = g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &q->pid, -1, logfd, logfd, &err);
    close(logfd);
    if (!ok) {
        *log = g_strdup(err->message);
        return NULL;
    }

    sock = g_build_filename(q->dir, "qmp.sock", NULL);
    while ((fd = spmLiveConnectUnix(sock)) < 0) {
        int status;

        if (waitpid(q->pid, &status, WNOHANG) == q->pid) {
            g_spawn_close_pid(q->pid);
            q->pid = 0;
            *log = spmLiveLog(q->dir);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            *log = g_strdup("QEMU did not open its monitor in time");
            return NULL;
        }
        g_usleep(20 * 1000);
    }
    q->qmp = spmQMPClientNew(fd, liveBinary);
    if (spmQMPClientHandshake(q->qmp) < 0) {
        *log = spmLiveLog(q->dir);
        return NULL;
    }
    if (qtest) {
        g_autofree char *qsock = g_build_filename(q->dir, "qtest.sock", NULL);

        if ((q->qtest = spmLiveConnectUnix(qsock)) < 0) {
            *log = g_strdup("cannot connect to the qtest socket");
            return NULL;
        }
    }
    return g_steal_pointer(&q);
}


static json_object *
spmLiveQMP(spmLiveQEMU *q, const char *cmd, json_object *args)
{
    json_object *ret = NULL;

    if (spmQMPClientCommand(q->qmp, cmd, args, &ret) < 0)
        return NULL;
    return ret;
}


static bool
spmLiveGetU64(json_object *obj, const char *key, unsigned long long *value)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *value = (unsigned long long)json_object_get_uint64(v);
    return true;
}


#define LIVE_CHECK(cond, ...)             \
    do {                                  \
        if (!(cond)) {                    \
            fprintf(stderr, __VA_ARGS__); \
            fprintf(stderr, "\n");        \
            ret = -1;                     \
        }                                 \
    } while (0)


/* query-memory-devices against the placement */
static int
spmLiveCheckMemoryDevices(spmLiveQEMU *q, const spmQEMULayout *layout)
{
    g_autoptr(json_object) devs = spmLiveQMP(q, "query-memory-devices", NULL);
    size_t n;
    size_t i;
    size_t j;
    int ret = 0;

    if (!devs || !json_object_is_type(devs, json_type_array))
        return -1;
    n = json_object_array_length(devs);
    LIVE_CHECK(n == layout->nspmems + layout->ndevices,
               "query-memory-devices: %zu devices, expected %zu", n,
               layout->nspmems + layout->ndevices);
    for (i = 0; i < n; i++) {
        json_object *dev = json_object_array_get_idx(devs, i);
        json_object *type;
        json_object *data;
        json_object *id;
        const char *t;
        const char *name;
        unsigned long long addr = 0;
        unsigned long long size = 0;
        bool found = false;

        if (!json_object_object_get_ex(dev, "type", &type) ||
            !json_object_object_get_ex(dev, "data", &data) ||
            !json_object_object_get_ex(data, "id", &id))
            return -1;
        t = json_object_get_string(type);
        name = json_object_get_string(id);
        if (SPM_STREQ(t, "virtio-mem")) {
            spmLiveGetU64(data, "memaddr", &addr);
            spmLiveGetU64(data, "max-size", &size);
        } else if (SPM_STREQ(t, "virtio-pmem")) {
            spmLiveGetU64(data, "memaddr", &addr);
            spmLiveGetU64(data, "size", &size);
        } else {
            spmLiveGetU64(data, "addr", &addr);
            spmLiveGetU64(data, "size", &size);
        }

        for (j = 0; j < layout->nspmems; j++) {
            const spmQEMULayoutSpMem *spm = &layout->spmems[j];
            g_autofree char *spmId = g_strdup_printf("spm-node%u", spm->node);
            unsigned long long node = 0;

            if (!SPM_STREQ(spmId, name))
                continue;
            found = true;
            spmLiveGetU64(data, "node", &node);
            /* QEMU's node id, which the layout may have renumbered */
            LIVE_CHECK(
                SPM_STREQ(t, "sp-mem") && addr == spm->addr && size == spm->size &&
                    node == layout->nodes[spm->node].pxm,
                "%s: QEMU has %s at 0x%llx size 0x%llx node %llu, predicted 0x%llx size 0x%llx node %u",
                name, t, addr, size, node, spm->addr, spm->size, layout->nodes[spm->node].pxm);
        }
        for (j = 0; j < layout->ndevices; j++) {
            const spmQEMULayoutDevice *d = &layout->devices[j];

            if (!SPM_STREQ(d->alias, name))
                continue;
            found = true;
            LIVE_CHECK(addr == d->addr && size == d->size,
                       "%s: QEMU has 0x%llx size 0x%llx, predicted 0x%llx size 0x%llx", name, addr,
                       size, d->addr, d->size);
        }
        LIVE_CHECK(found, "QEMU has an unexpected memory device '%s'", name);
    }
    return ret;
}


/* The range on the first "info mtree" line that ends with @what, or false. */
static bool
spmLiveMtreeRange(const char *mtree, const char *what, unsigned long long *start,
                  unsigned long long *end)
{
    g_auto(GStrv) lines = g_strsplit(mtree, "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        const char *l = g_strstrip(lines[i]);

        if (!strstr(l, what))
            continue;
        if (sscanf(l, "%llx-%llx", start, end) == 2)
            return true;
    }
    return false;
}


/* The RAM split, the device-memory window and the 64-bit PCI hole */
static int
spmLiveCheckMap(spmLiveQEMU *q, const spmQEMULayoutInput *in, const spmQEMULayout *layout)
{
    g_autoptr(json_object) args = json_object_new_object();
    g_autoptr(json_object) mtree = NULL;
    const char *host =
        in->family == SPM_QEMU_MACHINE_FAMILY_Q35 ? "/machine/q35" : "/machine/i440fx";
    unsigned long long start;
    unsigned long long end;
    unsigned long long v;
    bool have;
    int ret = 0;

    json_object_object_add(args, "command-line", json_object_new_string("info mtree"));
    if (!(mtree = spmLiveQMP(q, "human-monitor-command", args)))
        return -1;

    have = spmLiveMtreeRange(json_object_get_string(mtree), "alias ram-below-4g", &start, &end);
    LIVE_CHECK(have && start == 0 && end + 1 == layout->below4g,
               "ram-below-4g: 0x%llx-0x%llx, predicted 0x0-0x%llx", start, end,
               layout->below4g - 1);
    have = spmLiveMtreeRange(json_object_get_string(mtree), "alias ram-above-4g", &start, &end);
    if (layout->above4g) {
        LIVE_CHECK(have && start == layout->above4gStart &&
                       end + 1 == layout->above4gStart + layout->above4g,
                   "ram-above-4g: 0x%llx-0x%llx, predicted 0x%llx-0x%llx", start, end,
                   layout->above4gStart, layout->above4gStart + layout->above4g - 1);
    } else {
        LIVE_CHECK(!have, "ram-above-4g exists, none predicted");
    }
    have = spmLiveMtreeRange(json_object_get_string(mtree), "): device-memory", &start, &end);
    if (layout->hasDeviceMemory) {
        LIVE_CHECK(have && start == layout->deviceMemBase &&
                       end + 1 == layout->deviceMemBase + layout->deviceMemSize,
                   "device-memory: 0x%llx-0x%llx, predicted 0x%llx-0x%llx", start, end,
                   layout->deviceMemBase, layout->deviceMemBase + layout->deviceMemSize - 1);
    } else {
        LIVE_CHECK(!have, "a device-memory window exists, none predicted");
    }

    json_object_put(args);
    args = json_object_new_object();
    json_object_object_add(args, "path", json_object_new_string(host));
    json_object_object_add(args, "property", json_object_new_string("pci-hole64-start"));
    {
        g_autoptr(json_object) r = spmLiveQMP(q, "qom-get", args);
        v = r ? json_object_get_uint64(r) : 0;
        LIVE_CHECK(r && v == layout->hole64Start, "pci-hole64-start: 0x%llx, predicted 0x%llx", v,
                   layout->hole64Start);
    }
    json_object_object_add(args, "property", json_object_new_string("pci-hole64-end"));
    {
        g_autoptr(json_object) r = spmLiveQMP(q, "qom-get", args);
        v = r ? json_object_get_uint64(r) : 0;
        LIVE_CHECK(r && v == layout->hole64Start + layout->hole64Size,
                   "pci-hole64-end: 0x%llx, predicted 0x%llx", v,
                   layout->hole64Start + layout->hole64Size);
    }
    return ret;
}


/* fw_cfg etc/e820, etc/reserved-memory-end and the SRAT, through qtest */
static int
spmLiveCheckFwCfg(spmLiveQEMU *q, const spmQEMULayout *layout)
{
    unsigned int key;
    size_t size;
    g_autofree guint8 *e820 = NULL;
    g_autofree guint8 *tables = NULL;
    size_t i;
    size_t off;
    int ret = 0;

    if (!spmLiveFwCfgFind(q, "etc/e820", &key, &size) || !(e820 = spmLiveFwCfgRead(q, key, size)))
        return -1;
    LIVE_CHECK(size == 20 * layout->ne820, "etc/e820 has %zu entries, predicted %zu", size / 20,
               layout->ne820);
    for (i = 0; i < size / 20 && i < layout->ne820; i++) {
        unsigned long long addr = spmLiveLE64(e820 + 20 * i);
        unsigned long long len = spmLiveLE64(e820 + 20 * i + 8);
        unsigned int type = spmLiveLE32(e820 + 20 * i + 16);
        const spmQEMUE820Entry *e = &layout->e820[i];

        LIVE_CHECK(addr == e->addr && len == e->size && type == e->type,
                   "etc/e820[%zu]: 0x%llx +0x%llx type 0x%x, predicted 0x%llx +0x%llx type 0x%x", i,
                   addr, len, type, e->addr, e->size, e->type);
    }

    if (spmLiveFwCfgFind(q, "etc/reserved-memory-end", &key, &size)) {
        g_autofree guint8 *rme = spmLiveFwCfgRead(q, key, 8);
        unsigned long long v = rme ? spmLiveLE64(rme) : 0;

        LIVE_CHECK(v == layout->reservedMemEnd, "etc/reserved-memory-end: 0x%llx, predicted 0x%llx",
                   v, layout->reservedMemEnd);
    } else {
        LIVE_CHECK(layout->reservedMemEnd == 0, "no etc/reserved-memory-end, predicted 0x%llx",
                   layout->reservedMemEnd);
    }

    if (!spmLiveFwCfgFind(q, "etc/acpi/tables", &key, &size) ||
        !(tables = spmLiveFwCfgRead(q, key, size)))
        return -1;
    /* find the SRAT header: signature, then a sane length */
    for (off = 0; off + 48 <= size; off++) {
        if (memcmp(tables + off, "SRAT", 4) == 0 && spmLiveLE32(tables + off + 4) >= 48 &&
            off + spmLiveLE32(tables + off + 4) <= size)
            break;
    }
    if (off + 48 > size) {
        LIVE_CHECK(layout->nsrat == 0, "no SRAT, predicted %zu memory entries", layout->nsrat);
        return ret;
    }
    {
        const guint8 *srat = tables + off;
        size_t len = spmLiveLE32(srat + 4);
        size_t pos = 48;
        size_t idx = 0;

        while (pos + 2 <= len) {
            guint8 type = srat[pos];
            guint8 slen = srat[pos + 1];

            if (slen == 0)
                break;
            if (type == 1) {
                unsigned int pxm = spmLiveLE32(srat + pos + 2);
                unsigned long long addr = spmLiveLE64(srat + pos + 8);
                unsigned long long mlen = spmLiveLE64(srat + pos + 16);
                unsigned int flags = spmLiveLE32(srat + pos + 28);

                if (idx < layout->nsrat) {
                    const spmQEMUSratEntry *e = &layout->srat[idx];

                    LIVE_CHECK(
                        pxm == e->pxm && addr == e->addr && mlen == e->size && flags == e->flags,
                        "SRAT memory[%zu]: PXM %u 0x%llx +0x%llx flags %u, predicted PXM %u 0x%llx +0x%llx flags %u",
                        idx, pxm, addr, mlen, flags, e->pxm, e->addr, e->size, e->flags);
                }
                idx++;
            }
            pos += slen;
        }
        LIVE_CHECK(idx == layout->nsrat, "SRAT has %zu memory entries, predicted %zu", idx,
                   layout->nsrat);
    }
    return ret;
}


static int
spmLiveTestOne(const void *opaque)
{
    const spmLiveTestData *data = opaque;
    g_autofree char *xmlpath =
        g_strdup_printf("%s/qemulayoutdata/%s.xml", spmTestSrcdir(), data->name);
    spmQEMULayoutHost host = {
        .vendor = data->hostVendor ? data->hostVendor : SPM_QEMU_CPU_VENDOR_AMD,
        .physBits = 48,
        .hugepageSize = 2 * SPM_MIB,
    };
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autoptr(spmLiveQEMU) q = NULL;
    g_autofree char *log = NULL;
    int ret = 0;

    if (!(def = spmDomainDefParseFile(xmlpath)) ||
        !(input = spmQEMULayoutInputFromDomain(def, liveCaps, &host)) ||
        !(layout = spmQEMULayoutCompute(input)))
        return -1;

    if (liveQtest != 0) {
        q = spmLiveStart(input, layout, true, &log);
        if (!q && liveQtest < 0 && log && strstr(log, "qtest")) {
            liveQtest = 0;
            g_clear_pointer(&log, g_free);
        } else if (q) {
            liveQtest = 1;
        }
    }
    if (!q && liveQtest == 0)
        q = spmLiveStart(input, layout, false, &log);
    if (!q) {
        fprintf(stderr, "%s: QEMU did not start: %s\n", data->name, log ? log : "");
        return -1;
    }

    if (spmLiveCheckMemoryDevices(q, layout) < 0)
        ret = -1;
    if (spmLiveCheckMap(q, input, layout) < 0)
        ret = -1;
    if (q->qtest >= 0 && spmLiveCheckFwCfg(q, layout) < 0)
        ret = -1;
    return ret;
}


static int
spmLiveSkip(const void *opaque G_GNUC_UNUSED)
{
    return SPM_TEST_EXIT_SKIP;
}


/* Runs @cases with the binary named by $@env, if it offers @form. */
static int
spmLiveRunSet(const char *env, spmForm form, const spmLiveTestData *cases, size_t ncases)
{
    int ret = 0;
    size_t i;

    liveBinary = getenv(env);
    liveQtest = -1;
    if (!liveBinary || !*liveBinary) {
        g_autofree char *title = g_strdup_printf("live QEMU (%s is not set)", env);

        spmTestRun(title, spmLiveSkip, NULL);
        return 0;
    }
    if (!(liveCaps = spmQEMUCapsProbe(liveBinary)) || spmQEMUCapsGetSpmForm(liveCaps) != form) {
        g_autofree char *title = g_strdup_printf("live QEMU (%s does not offer the %s form)", env,
                                                 spmFormTypeToString(form));

        spmErrorPrintAll(stderr, NULL);
        spmErrorReset();
        spmTestRun(title, spmLiveSkip, NULL);
        g_clear_pointer(&liveCaps, spmQEMUCapsFree);
        return 0;
    }

    for (i = 0; i < ncases; i++) {
        g_autofree char *title = g_strdup_printf("live %s", cases[i].name);

        if (spmTestRun(title, spmLiveTestOne, &cases[i]) < 0)
            ret = -1;
    }
    printf("# %s: fw_cfg E820/SRAT compared: %s\n", liveBinary,
           liveQtest == 1 ? "yes (qtest)" : "no (no qtest accelerator)");
    g_clear_pointer(&liveCaps, spmQEMUCapsFree);
    return ret;
}


static int
mymain(void)
{
    static const spmLiveTestData cases[] = {
        {"q35-basic", 0},
        {"q35-maxmem", 0},
        {"pc-basic", 0},
        {"q35-versioned", 0},
        {"q35-split", 0},
        {"q35-split-small", 0},
        {"pc-split", 0},
        {"pc-split-small", 0},
        {"q35-two-normal", 0},
        {"q35-spm-2", 0},
        {"q35-spm-4", 0},
        {"q35-spm-4-hmat", 0},
        {"q35-apu", 0},
        {"q35-dimms", 0},
        {"q35-dimm-pinned", 0},
        {"q35-nvdimm-virtiomem", 0},
        {"q35-maxmem-slots", 0},
        {"q35-hugepages-1g", 0},
        {"q35-memfd", 0},
        {"q35-large", 0},
        {"q35-amd-relocation", 0},
        {"q35-intel-large", 0},
        {"q35-kvm-intel-model", SPM_QEMU_CPU_VENDOR_AMD},
        {"q35-kvm-vendor-id", SPM_QEMU_CPU_VENDOR_AMD},
        {"q35-host-passthrough", SPM_QEMU_CPU_VENDOR_AMD},
        {"q35-old-machine", 0},
        {"q35-phys-bits-36", 0},
        {"q35-max-ram-below-4g", 0},
        {"pc-hole64", 0},
        {"plain-dimm", 0},
        {"plain-nonuma", 0},
    };
    /* the memmap-type form: typed cells inside boot RAM */
    static const spmLiveTestData memmapCases[] = {
        {"mm-q35-basic", 0},    {"mm-pc-basic", 0},           {"mm-q35-normal-after", 0},
        {"mm-q35-apu-hmat", 0}, {"mm-q35-spm-normal-spm", 0},
    };
    int ret = 0;

    if (spmLiveRunSet("VIRT_SPM_TEST_QEMU", SPM_FORM_SP_MEM, cases, G_N_ELEMENTS(cases)) < 0)
        ret = -1;
    if (spmLiveRunSet("VIRT_SPM_TEST_QEMU_MEMMAP", SPM_FORM_MEMMAP_TYPE, memmapCases,
                      G_N_ELEMENTS(memmapCases)) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
