/*
 * fuzz_qmp_stream.c: the QMP client (qemu_monitor_qmp.h) against a peer that
 * says anything, in any chunking
 *
 * Input: one byte of flags, one byte of chunk-size seed, then what the peer
 * sends.  A writer thread sends it over a socketpair in chunks whose sizes
 * come from the seed, waiting after each chunk until the client has read
 * it, so that every split of a message is tried; then it shuts its side
 * down.  The client greets, negotiates and runs one command with a short
 * timeout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "qemu_monitor_qmp.h"
#include "spmerror.h"

#include <errno.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SPM_FUZZ_QMP_TIMEOUT_MS 1000
/* How long the writer waits for the client to read one chunk. */
#define SPM_FUZZ_QMP_DRAIN_MS 200

typedef struct {
    int fd;
    const uint8_t *data;
    size_t size;
    unsigned int seed;
} spmFuzzQMPPeer;

/* Waits until the client has read everything sent (or gave up). */
static void
spmFuzzQMPDrain(int fd)
{
    gint64 deadline = g_get_monotonic_time() + SPM_FUZZ_QMP_DRAIN_MS * 1000;
    unsigned int spins = 0;
    int pending = 0;

    while (ioctl(fd, SIOCOUTQ, &pending) == 0 && pending > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLRDHUP};

        /* yield first: the client usually reads at once */
        if (++spins < 1000) {
            sched_yield();
            continue;
        }
        if (g_get_monotonic_time() >= deadline)
            return;
        /* a closed client shows as POLLHUP/POLLRDHUP */
        if (poll(&pfd, 1, 1) > 0 && (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR)))
            return;
    }
}

static gpointer
spmFuzzQMPWriter(gpointer opaque)
{
    spmFuzzQMPPeer *peer = opaque;
    size_t done = 0;
    unsigned int seed = peer->seed;

    while (done < peer->size) {
        /* chunk sizes 1..256, from a small LCG on the seed byte */
        size_t chunk = (seed % 4 == 0) ? peer->size - done : 1 + (seed >> 3) % 256;
        ssize_t n;

        if (chunk > peer->size - done)
            chunk = peer->size - done;
        n = send(peer->fd, peer->data + done, chunk, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
        seed = seed * 1103515245 + 12345;
        spmFuzzQMPDrain(peer->fd);
    }
    shutdown(peer->fd, SHUT_WR);
    return NULL;
}

int
spmFuzzQMPStream(const uint8_t *data, size_t size)
{
    spmFuzzQMPPeer peer = {0};
    spmQMPClient *client;
    g_autoptr(json_object) ret = NULL;
    GThread *writer;
    unsigned int flags;
    int fds[2];

    if (size < 2)
        return 0;
    flags = data[0];
    peer.seed = data[1];
    peer.data = data + 2;
    peer.size = size - 2;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        spmFuzzFail("socketpair failed", g_strerror(errno));
    peer.fd = fds[1];
    writer = g_thread_new("fuzz-qmp-peer", spmFuzzQMPWriter, &peer);

    client = spmQMPClientNew(fds[0], "fuzz");
    spmQMPClientSetTimeout(client, SPM_FUZZ_QMP_TIMEOUT_MS);
    if (flags & 1)
        spmQMPClientSetMaxMessage(client, 64 + (flags >> 1) * 16);
    if (spmQMPClientHandshake(client) == 0) {
        spmQMPClientGetGreetingVersion(client);
        if (spmQMPClientCommand(client, "query-version", NULL, &ret) == -1 &&
            !spmQMPClientIsBroken(client))
            spmFuzzFail("a transport failure did not break the client", NULL);
        if (!spmQMPClientIsBroken(client)) {
            json_object_put(g_steal_pointer(&ret));
            spmQMPClientCommand(client, "query-machines", NULL, &ret);
        }
        spmQMPClientGetEventCount(client);
    }
    spmQMPClientFree(client);

    g_thread_join(writer);
    close(fds[1]);
    spmErrorReset();
    return 0;
}
