/*
 * qemu_monitor_qmp.c: a small, bounded QMP client
 *
 * QMP messages are JSON objects, one per line (QEMU ends each with CRLF and
 * never puts a raw newline inside one).  The client reads into a buffer,
 * splits at newlines and parses one line at a time; a line longer than the
 * message cap is refused before it is complete.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_monitor_qmp.h"
#include "spmerror.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_QMP

/* How many bytes one read() asks for. */
#define SPM_QMP_READ_CHUNK (256 * 1024)
/* How much of a bad message is quoted in an error. */
#define SPM_QMP_QUOTE_MAX 80

struct _spmQMPClient {
    int fd;
    char *name;
    int timeoutMs;
    size_t maxMessage;
    bool broken;
    bool greeted;
    unsigned int greetingVersion;
    unsigned int serial;
    size_t events;
    char *errorClass;

    GByteArray *rbuf; /* received, not yet consumed bytes */
    size_t scanned;   /* rbuf[0..scanned) holds no newline */
};


spmQMPClient *
spmQMPClientNew(int fd, const char *name)
{
    spmQMPClient *client = g_new0(spmQMPClient, 1);
    int flags;

    client->fd = fd;
    client->name = g_strdup(name ? name : "QEMU");
    client->timeoutMs = SPM_QMP_DEFAULT_TIMEOUT_MS;
    client->maxMessage = SPM_QMP_DEFAULT_MAX_MESSAGE;
    client->rbuf = g_byte_array_new();

    if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        spmReportSystemError(errno, _("cannot set up the monitor connection of '%1$s'"),
                             client->name);
        spmQMPClientFree(client);
        return NULL;
    }
    return client;
}


void
spmQMPClientFree(spmQMPClient *client)
{
    if (!client)
        return;
    if (client->fd >= 0)
        close(client->fd);
    g_byte_array_unref(client->rbuf);
    g_free(client->errorClass);
    g_free(client->name);
    g_free(client);
}


int
spmQMPConnectUnix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}


void
spmQMPClientSetTimeout(spmQMPClient *client, int timeoutMs)
{
    client->timeoutMs = timeoutMs > 0 ? timeoutMs : SPM_QMP_DEFAULT_TIMEOUT_MS;
}


void
spmQMPClientSetMaxMessage(spmQMPClient *client, size_t maxBytes)
{
    client->maxMessage = maxBytes > 0 ? maxBytes : SPM_QMP_DEFAULT_MAX_MESSAGE;
}


unsigned int
spmQMPClientGetGreetingVersion(const spmQMPClient *client)
{
    return client->greetingVersion;
}


bool
spmQMPClientIsBroken(const spmQMPClient *client)
{
    return client->broken;
}


size_t
spmQMPClientGetEventCount(const spmQMPClient *client)
{
    return client->events;
}


/* Milliseconds left until @deadline (monotonic µs), at least 0. */
static int
spmQMPRemainingMs(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    if (left <= 0)
        return 0;
    return (int)MIN((left + 999) / 1000, G_MAXINT);
}


/* A printable, bounded excerpt of @data for error messages. */
static char *
spmQMPQuote(const char *data, size_t len)
{
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < len && i < SPM_QMP_QUOTE_MAX; i++) {
        unsigned char c = data[i];
        g_string_append_c(out, g_ascii_isprint(c) ? (char)c : '?');
    }
    if (len > SPM_QMP_QUOTE_MAX)
        g_string_append(out, "...");
    return g_string_free(g_steal_pointer(&out), FALSE);
}


/*
 * Waits until the monitor socket is ready for @events or @deadline passes.
 * Returns 1 to try again (ready, or interrupted), 0 on a timeout (not
 * reported: the caller says what it waited for), -1 with an error; the
 * client is broken on 0 and -1.
 */
static int
spmQMPPoll(spmQMPClient *client, short events, gint64 deadline)
{
    struct pollfd pfd = {.fd = client->fd, .events = events};
    int rc = poll(&pfd, 1, spmQMPRemainingMs(deadline));

    if (rc > 0 || (rc < 0 && errno == EINTR))
        return 1;
    client->broken = true;
    if (rc < 0) {
        spmReportSystemError(errno, _("cannot wait for the monitor of '%1$s'"), client->name);
        return -1;
    }
    return 0;
}


static int
spmQMPSend(spmQMPClient *client, const char *data, size_t len, gint64 deadline, const char *what)
{
    size_t done = 0;

    while (done < len) {
        ssize_t put;
        int rc;

        put = send(client->fd, data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (put > 0) {
            done += put;
            continue;
        }
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0 && errno != EAGAIN) {
            client->broken = true;
            spmReportSystemError(errno, _("cannot send '%1$s' to the monitor of '%2$s'"), what,
                                 client->name);
            return -1;
        }

        if ((rc = spmQMPPoll(client, POLLOUT, deadline)) > 0)
            continue;
        if (rc == 0)
            spmReportError(SPM_ERR_OPERATION_TIMEOUT,
                           _("the monitor of '%1$s' did not accept '%2$s' within %3$d ms"),
                           client->name, what, client->timeoutMs);
        return -1;
    }
    return 0;
}


/*
 * Takes one complete line from the buffer into @line (without the line
 * end).  Returns 1 when a line was taken, 0 when none is complete yet.
 */
static int
spmQMPTakeLine(spmQMPClient *client, char **line, size_t *len)
{
    const guint8 *nl;
    size_t n;

    if (client->scanned >= client->rbuf->len)
        return 0;
    nl = memchr(client->rbuf->data + client->scanned, '\n', client->rbuf->len - client->scanned);
    if (!nl) {
        client->scanned = client->rbuf->len;
        return 0;
    }

    n = nl - client->rbuf->data;
    *line = g_strndup((const char *)client->rbuf->data, n);
    *len = n;
    g_byte_array_remove_range(client->rbuf, 0, n + 1);
    client->scanned = 0;

    /* drop the CR of CRLF and any other trailing blanks */
    while (*len > 0 && g_ascii_isspace((*line)[*len - 1]))
        (*line)[--(*len)] = '\0';
    return 1;
}


static json_object *
spmQMPParseLine(spmQMPClient *client, const char *line, size_t len, const char *what)
{
    g_autofree char *quoted = NULL;
    json_tokener *tok;
    json_object *obj = NULL;
    size_t end = 0;
    enum json_tokener_error jerr;

    if (memchr(line, '\0', len) == NULL && (tok = json_tokener_new())) {
        obj = json_tokener_parse_ex(tok, line, (int)len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (jerr != json_tokener_success) {
            json_object_put(obj);
            obj = NULL;
        }
    }

    if (obj && end == len && json_object_is_type(obj, json_type_object))
        return obj;

    json_object_put(obj);
    client->broken = true;
    quoted = spmQMPQuote(line, len);
    spmReportError(
        SPM_ERR_QMP_ERROR,
        _("the monitor of '%1$s' sent a malformed message while waiting for %2$s: '%3$s'"),
        client->name, what, quoted);
    return NULL;
}


/*
 * Reads the next message (a JSON object) before @deadline.  @cmd is the
 * command whose reply is awaited, NULL for the greeting.  Returns the
 * message, or NULL with an error reported and the client broken.
 */
static json_object *
spmQMPReadMessage(spmQMPClient *client, gint64 deadline, const char *cmd)
{
    g_autofree char *what =
        cmd ? g_strdup_printf(_("the reply to '%1$s'"), cmd) : g_strdup(_("the QMP greeting"));

    for (;;) {
        g_autofree char *line = NULL;
        size_t len = 0;
        guint oldlen;
        ssize_t got;
        int rc;

        while (spmQMPTakeLine(client, &line, &len) == 1) {
            if (len == 0) {
                g_clear_pointer(&line, g_free);
                continue;
            }
            if (len > client->maxMessage)
                break;
            return spmQMPParseLine(client, line, len, what);
        }

        if (len > client->maxMessage || client->rbuf->len > client->maxMessage) {
            client->broken = true;
            spmReportError(
                SPM_ERR_QMP_ERROR,
                _("a message from the monitor of '%1$s' while waiting for %2$s exceeds the limit of %3$zu bytes"),
                client->name, what, client->maxMessage);
            return NULL;
        }

        oldlen = client->rbuf->len;
        g_byte_array_set_size(client->rbuf, oldlen + SPM_QMP_READ_CHUNK);
        got = read(client->fd, client->rbuf->data + oldlen, SPM_QMP_READ_CHUNK);
        g_byte_array_set_size(client->rbuf, oldlen + (got > 0 ? got : 0));

        if (got > 0)
            continue;
        if (got == 0) {
            client->broken = true;
            if (client->rbuf->len > 0) {
                g_autofree char *quoted =
                    spmQMPQuote((const char *)client->rbuf->data, client->rbuf->len);
                spmReportError(
                    SPM_ERR_QMP_ERROR,
                    _("the monitor of '%1$s' closed the connection in the middle of a message while waiting for %2$s: '%3$s'"),
                    client->name, what, quoted);
            } else {
                spmReportError(
                    SPM_ERR_QMP_ERROR,
                    _("the monitor of '%1$s' closed the connection while waiting for %2$s"),
                    client->name, what);
            }
            return NULL;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            client->broken = true;
            spmReportSystemError(errno, _("cannot read from the monitor of '%1$s'"), client->name);
            return NULL;
        }

        if ((rc = spmQMPPoll(client, POLLIN, deadline)) > 0)
            continue;
        if (rc == 0)
            spmReportError(
                SPM_ERR_OPERATION_TIMEOUT,
                _("no answer from the monitor of '%1$s' within %3$d ms while waiting for %2$s"),
                client->name, what, client->timeoutMs);
        return NULL;
    }
}


static int
spmQMPCheckUsable(spmQMPClient *client, const char *what)
{
    if (client->broken) {
        spmReportError(SPM_ERR_OPERATION_INVALID,
                       _("cannot send '%1$s': the monitor connection of '%2$s' failed earlier"),
                       what, client->name);
        return -1;
    }
    return 0;
}


static unsigned int
spmQMPGetVersionPart(json_object *ver, const char *key)
{
    json_object *val;
    int64_t n;

    if (!json_object_object_get_ex(ver, key, &val) || !json_object_is_type(val, json_type_int))
        return 0;
    n = json_object_get_int64(val);
    return n >= 0 && n < 1000 ? (unsigned int)n : 0;
}


static int
spmQMPReadGreeting(spmQMPClient *client, gint64 deadline)
{
    g_autoptr(json_object) msg = NULL;
    json_object *qmp;
    json_object *ver;
    json_object *qemu;

    if (!(msg = spmQMPReadMessage(client, deadline, NULL)))
        return -1;

    if (!json_object_object_get_ex(msg, "QMP", &qmp) ||
        !json_object_is_type(qmp, json_type_object)) {
        g_autofree char *quoted = NULL;
        const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);

        quoted = spmQMPQuote(text, strlen(text));
        client->broken = true;
        spmReportError(SPM_ERR_QMP_ERROR,
                       _("the monitor of '%1$s' did not start with a QMP greeting: '%2$s'"),
                       client->name, quoted);
        return -1;
    }

    if (json_object_object_get_ex(qmp, "version", &ver) &&
        json_object_object_get_ex(ver, "qemu", &qemu) &&
        json_object_is_type(qemu, json_type_object)) {
        client->greetingVersion = spmQMPGetVersionPart(qemu, "major") * 1000000 +
            spmQMPGetVersionPart(qemu, "minor") * 1000 + spmQMPGetVersionPart(qemu, "micro");
    }
    client->greeted = true;
    return 0;
}


int
spmQMPClientHandshake(spmQMPClient *client)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)client->timeoutMs * 1000;

    if (spmQMPCheckUsable(client, "qmp_capabilities") < 0)
        return -1;
    if (!client->greeted && spmQMPReadGreeting(client, deadline) < 0)
        return -1;
    if (spmQMPClientCommand(client, "qmp_capabilities", NULL, NULL) < 0)
        return -1;
    return 0;
}


static int
spmQMPHandleError(spmQMPClient *client, const char *cmd, json_object *error)
{
    json_object *val;
    const char *klass = NULL;
    const char *desc = NULL;

    if (json_object_is_type(error, json_type_object)) {
        if (json_object_object_get_ex(error, "class", &val) &&
            json_object_is_type(val, json_type_string))
            klass = json_object_get_string(val);
        if (json_object_object_get_ex(error, "desc", &val) &&
            json_object_is_type(val, json_type_string))
            desc = json_object_get_string(val);
    }

    g_free(client->errorClass);
    client->errorClass = g_strdup(klass ? klass : "GenericError");
    spmReportError(SPM_ERR_QMP_ERROR, _("'%1$s' failed on the monitor of '%2$s': %3$s (%4$s)"), cmd,
                   client->name, desc ? desc : _("no description"), client->errorClass);
    return -2;
}


int
spmQMPClientCommand(spmQMPClient *client, const char *cmd, json_object *args, json_object **ret)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)client->timeoutMs * 1000;
    g_autoptr(json_object) request = json_object_new_object();
    g_autofree char *id = NULL;
    g_autofree char *wire = NULL;

    if (ret)
        *ret = NULL;
    g_clear_pointer(&client->errorClass, g_free);

    if (spmQMPCheckUsable(client, cmd) < 0)
        return -1;
    if (!client->greeted && spmQMPReadGreeting(client, deadline) < 0)
        return -1;

    id = g_strdup_printf("spm-%u", ++client->serial);
    json_object_object_add(request, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(request, "arguments", json_object_get(args));
    json_object_object_add(request, "id", json_object_new_string(id));
    wire =
        g_strdup_printf("%s\r\n", json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN));
    SPM_DEBUG("%s <- %s", client->name, wire);

    if (spmQMPSend(client, wire, strlen(wire), deadline, cmd) < 0)
        return -1;

    for (;;) {
        g_autoptr(json_object) msg = NULL;
        json_object *val;
        json_object *idval;

        if (!(msg = spmQMPReadMessage(client, deadline, cmd)))
            return -1;

        if (json_object_object_get_ex(msg, "event", NULL)) {
            client->events++;
            continue;
        }

        if (json_object_object_get_ex(msg, "id", &idval) &&
            !(json_object_is_type(idval, json_type_string) &&
              SPM_STREQ(json_object_get_string(idval), id))) {
            /* an answer to some other request: not ours */
            SPM_DEBUG("%s: skipping a reply with a foreign id", client->name);
            continue;
        }

        if (json_object_object_get_ex(msg, "error", &val))
            return spmQMPHandleError(client, cmd, val);

        if (json_object_object_get_ex(msg, "return", &val)) {
            if (ret)
                *ret = json_object_get(val);
            return 0;
        }

        {
            const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
            g_autofree char *quoted = spmQMPQuote(text, strlen(text));

            client->broken = true;
            spmReportError(
                SPM_ERR_QMP_ERROR,
                _("the monitor of '%1$s' sent an unexpected message while waiting for the reply to '%2$s': '%3$s'"),
                client->name, cmd, quoted);
            return -1;
        }
    }
}
