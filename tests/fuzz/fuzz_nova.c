/*
 * fuzz_nova.c: the typing an OpenStack Nova flavor asks for (domain_nova.h):
 * Nova's metadata in the domain XML and the host's flavor file
 *
 * Input: the flavor file (GKeyFile text), a NUL byte, then the domain XML
 * the hook gets on standard input.  The flavor file goes to a private
 * temporary file, as the hook reads it from /etc/virt-spm.
 *
 * Invariants: the result is -1, 0 or 1; 0 and 1 exactly when the XML has
 * a <nova:instance> (0 leaves no typing, 1 always gives one) and never
 * when the cheap test spmNovaMaybeInstance() says there is no Nova
 * metadata; a refusal queues an error, a success none; a typing's cells
 * are sorted by node without duplicates, each normal, spm or reserved, and
 * the typed count is at most the number of cells; the same input gives
 * the same typing twice.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "domain_nova.h"
#include "spmerror.h"
#include "spmxml.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *spmFuzzNovaFile;

static void
spmFuzzNovaCleanup(void)
{
    unlink(spmFuzzNovaFile);
    g_clear_pointer(&spmFuzzNovaFile, g_free);
}

/* The typing of @doc with the flavor file, or the result code in *@rc. */
static spmNovaTyping *
spmFuzzNovaTyping(xmlDocPtr doc, int *rc)
{
    spmNovaTyping *typing = NULL;

    *rc = spmNovaTypingFromDoc(doc, spmFuzzNovaFile, &typing);
    return typing;
}

static void
spmFuzzNovaCheckTyping(const spmNovaTyping *typing, const char *xml)
{
    size_t i;

    for (i = 0; i < typing->ncells; i++) {
        if (typing->cells[i].memmap >= SPM_MEMMAP_LAST)
            spmFuzzFail("a Nova typing has a memmap out of range", xml);
        if (i > 0 && typing->cells[i - 1].node >= typing->cells[i].node)
            spmFuzzFail("a Nova typing's cells are not sorted and unique", xml);
    }
    if (spmNovaTypingCountTyped(typing) > typing->ncells)
        spmFuzzFail("more typed cells than cells", xml);
}

int
spmFuzzNova(const uint8_t *data, size_t size)
{
    const char *bytes = (const char *)data;
    const char *nul = memchr(bytes, '\0', size);
    g_autofree char *flavors = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmNovaTyping) typing = NULL;
    g_autoptr(spmNovaTyping) again = NULL;
    const char *xml;
    size_t xmllen;
    int rc;
    int rc2;
    size_t i;

    if (!nul)
        return 0;
    flavors = g_strndup(bytes, nul - bytes);
    xml = nul + 1;
    xmllen = size - (nul - bytes) - 1;

    if (!spmFuzzNovaFile) {
        g_autoptr(GError) gerr = NULL;
        int fd = g_file_open_tmp("spm-fuzz-nova-XXXXXX.conf", &spmFuzzNovaFile, &gerr);

        if (fd < 0)
            spmFuzzFail("cannot create the flavor file", gerr->message);
        close(fd);
        atexit(spmFuzzNovaCleanup);
    }
    if (!g_file_set_contents(spmFuzzNovaFile, flavors, -1, NULL))
        spmFuzzFail("cannot write the flavor file", spmFuzzNovaFile);

    if (!(doc = spmXMLParse(xml, xmllen, "fuzz"))) {
        spmErrorReset();
        return 0;
    }
    typing = spmFuzzNovaTyping(doc, &rc);
    if (rc < -1 || rc > 1)
        spmFuzzFail("spmNovaTypingFromDoc returned something other than -1, 0 or 1", xml);
    if (rc < 0) {
        if (spmErrorCount() == 0)
            spmFuzzFail("a refused Nova typing queued no error", xml);
        if (typing)
            spmFuzzFail("a refused Nova typing left a typing behind", xml);
        spmErrorReset();
        return 0;
    }
    if (spmErrorCount() > 0)
        spmFuzzFail("an accepted Nova typing queued an error", xml);
    if ((rc == 0) != (typing == NULL))
        spmFuzzFail("the result and the typing disagree", xml);
    if (rc == 1 && !spmNovaMaybeInstance(xml, xmllen))
        spmFuzzFail("the cheap test missed Nova metadata the parser found", xml);
    if (!typing)
        return 0;
    spmFuzzNovaCheckTyping(typing, xml);

    again = spmFuzzNovaTyping(doc, &rc2);
    if (rc2 != rc || !again || again->ncells != typing->ncells)
        spmFuzzFail("the same Nova input gave another typing", xml);
    for (i = 0; i < typing->ncells; i++) {
        if (again->cells[i].node != typing->cells[i].node ||
            again->cells[i].memmap != typing->cells[i].memmap)
            spmFuzzFail("the same Nova input typed a cell otherwise", xml);
    }
    spmErrorReset();
    return 0;
}
