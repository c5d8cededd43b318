/*
 * fuzz_hook.c: the libvirt qemu hook's decision (qemu_hook.h)
 *
 * Input: NUL-separated pieces; the last is the domain XML on standard
 * input, the ones before it are the hook's arguments after argv[0]
 * (GUEST OPERATION SUB-OPERATION EXTRA...), at most 8.  The register of
 * typed domains ($VIRT_SPM_EMULATOR_DIR) is a private directory that lists
 * one UUID, c7a5fdbd-edaf-9455-926a-d65c16db1809.
 *
 * Invariants: the verdict is one of the three, usage exactly when there
 * are fewer than three arguments; a refusal comes with whole error lines,
 * an allowed operation with no message and no queued error; operations the
 * hook does not guard are allowed without reading the XML; the guarded
 * ones fail closed (refused when the XML is missing or does not parse, a
 * start refused when the metadata lists typed cells and the launch data is
 * gone, a start with launch data refused exactly when the domain cannot
 * be read or its firmware drops soft-reserved memory, a restore or
 * migration refused whenever there are typed cells);
 * the same input decides the same way twice.
 *
 * The screen (shim_hook_screen.h), which the hook libvirt runs asks before
 * it execs the full decision, is held to its contract on every input:
 * when it allows, the full decision allows too, and for a start of a Nova
 * guest the flavor's typing (a private flavor file types flavor
 * 'spm.small') asks for no typed cell and no runtime launch data is left
 * (a private runtime directory holds launch data for one other UUID,
 * 5f0c2b9e-6d3a-4c1b-9e8f-0a1b2c3d4e5f).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz.h"

#include "domain_conf.h"
#include "domain_metadata.h"
#include "domain_nova.h"
#include "qemu_define.h"
#include "qemu_firmware.h"
#include "qemu_hook.h"
#include "shim_hook_screen.h"
#include "shim_runtime_launch_data.h"
#include "shim_typed_domains.h"
#include "spmerror.h"
#include "spmxml.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPM_FUZZ_HOOK_MAX_ARGS 8
#define SPM_FUZZ_HOOK_UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define SPM_FUZZ_HOOK_RUNTIME_UUID "5f0c2b9e-6d3a-4c1b-9e8f-0a1b2c3d4e5f"
#define SPM_FUZZ_HOOK_FLAVORS "[spm.small]\nvirt_spm:numa_memmap.1=spm\n"

static char *spmFuzzHookDir;
static char *spmFuzzHookFlavors;

/* Removes the private register at exit. */
static void
spmFuzzHookCleanup(void)
{
    g_autofree char *list = g_build_filename(spmFuzzHookDir, SPM_TYPED_DOMAINS_DIR, NULL);
    g_autofree char *entry = g_build_filename(list, SPM_FUZZ_HOOK_UUID, NULL);
    g_autofree char *runtime = g_build_filename(spmFuzzHookDir, "run", NULL);
    g_autofree char *launch = g_build_filename(runtime, SPM_FUZZ_HOOK_RUNTIME_UUID, NULL);

    unlink(entry);
    rmdir(list);
    unlink(launch);
    rmdir(runtime);
    unlink(spmFuzzHookFlavors);
    rmdir(spmFuzzHookDir);
    g_clear_pointer(&spmFuzzHookDir, g_free);
    g_clear_pointer(&spmFuzzHookFlavors, g_free);
}

/* A private register with one typed domain in it, made once per process. */
static void
spmFuzzHookSetup(void)
{
    g_autoptr(GError) gerr = NULL;

    if (spmFuzzHookDir)
        return;
    if (!(spmFuzzHookDir = g_dir_make_tmp("spm-fuzz-hook-XXXXXX", &gerr)))
        spmFuzzFail("cannot create the register directory", gerr->message);
    atexit(spmFuzzHookCleanup);
    g_setenv("VIRT_SPM_EMULATOR_DIR", spmFuzzHookDir, TRUE);
    if (spmTypedDomainsAdd(spmFuzzHookDir, SPM_FUZZ_HOOK_UUID, "g") < 0)
        spmFuzzFail("cannot list the register's domain", spmFuzzHookDir);
    {
        g_autofree char *runtime = g_build_filename(spmFuzzHookDir, "run", NULL);
        g_autofree char *launch = g_build_filename(runtime, SPM_FUZZ_HOOK_RUNTIME_UUID, NULL);

        spmFuzzHookFlavors = g_build_filename(spmFuzzHookDir, "flavors.conf", NULL);
        if (g_mkdir(runtime, 0755) < 0 ||
            !g_file_set_contents(launch, "v=1,form=sp-mem\n", -1, NULL) ||
            !g_file_set_contents(spmFuzzHookFlavors, SPM_FUZZ_HOOK_FLAVORS, -1, NULL))
            spmFuzzFail("cannot set up the runtime directory and flavor file", spmFuzzHookDir);
        g_setenv("VIRT_SPM_RUNTIME_DIR", runtime, TRUE);
        g_setenv("VIRT_SPM_NOVA_FLAVORS", spmFuzzHookFlavors, TRUE);
    }
    spmErrorReset();
}

/* What the decision must be for a guarded operation on @xml, as far as
 * the metadata and launch data tell it: 1 refuse, 0 allow, -1 either (the
 * register decides). */
static int
spmFuzzHookExpected(const char *op, const char *xml, size_t len)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmDomainMetadata) md = NULL;
    int rc = -1;

    if (!(doc = spmXMLParse(xml, len, "fuzz")) || spmDomainMetadataParseDoc(doc, &md) < 0) {
        rc = 1; /* fail closed */
    } else if (!SPM_STREQ(op, "prepare")) {
        rc = md && md->ncells > 0;
    } else if (spmQEMUDefineHasLaunchData(doc)) {
        /* a typed start: allowed unless its firmware drops the typed
         * memory, or the domain cannot be read to tell (fail closed) */
        g_autoptr(spmDomainDef) def = spmDomainDefParseDoc(xmlCopyDoc(doc, 1));

        rc = !def || spmQEMUFirmwareCheckDomain(def) > 0;
    } else if (md && md->ncells > 0) {
        rc = 1;
    }
    spmErrorReset();
    return rc;
}

static void
spmFuzzHookCheck(int argc, const char *const *argv, const char *xml, size_t len,
                 spmQEMUHookVerdict verdict, const char *message)
{
    bool guarded = spmQEMUHookNeedsDomainXML(argc, argv);
    int expected;

    if (verdict != SPM_QEMU_HOOK_ALLOW && verdict != SPM_QEMU_HOOK_REFUSE &&
        verdict != SPM_QEMU_HOOK_USAGE)
        spmFuzzFail("the hook's verdict is none of allow, refuse, usage", message);
    if ((verdict == SPM_QEMU_HOOK_USAGE) != (argc < 4))
        spmFuzzFail("usage error for a full argv, or none for a short one", message);
    if (verdict == SPM_QEMU_HOOK_ALLOW) {
        if (message)
            spmFuzzFail("an allowed operation comes with a message", message);
        if (spmErrorTotal() != 0)
            spmFuzzFail("an allowed operation left an error queued", NULL);
    } else {
        size_t n = message ? strlen(message) : 0;

        if (n == 0 || message[n - 1] != '\n')
            spmFuzzFail("a refusal without a whole message line", message);
        if (verdict == SPM_QEMU_HOOK_REFUSE &&
            !g_str_has_prefix(message, SPM_QEMU_HOOK_PROG ": error: "))
            spmFuzzFail("a refusal whose message is not an error line", message);
    }
    if (argc < 4)
        return;
    if (!guarded) {
        if (verdict != SPM_QEMU_HOOK_ALLOW)
            spmFuzzFail("an operation the hook does not guard was refused", argv[2]);
        return;
    }
    if (!xml) {
        if (verdict != SPM_QEMU_HOOK_REFUSE)
            spmFuzzFail("a guarded operation without its XML was not refused", argv[2]);
        return;
    }
    expected = spmFuzzHookExpected(argv[2], xml, len);
    if (expected >= 0 && (verdict == SPM_QEMU_HOOK_REFUSE) != (expected == 1))
        spmFuzzFail(
            expected
                ? "the hook let through what fails closed"
                : "the hook refused a readable domain with its launch data and a firmware that keeps soft-reserved memory",
            xml);
}

/* The screen's contract: when it allows, the full decision allows (and,
 * for a start, finds nothing for the Nova part to do). */
static void
spmFuzzHookCheckScreen(int argc, const char *const *argv, const char *xml, size_t len,
                       spmQEMUHookVerdict verdict)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(spmNovaTyping) typing = NULL;
    g_autofree char *uuid = NULL;

    if (spmHookScreen(argc, argv, xml, len, spmFuzzHookFlavors) != SPM_HOOK_SCREEN_ALLOW)
        return;
    if (spmErrorTotal() != 0)
        spmFuzzFail("the screen left an error queued", xml);
    if (verdict != SPM_QEMU_HOOK_ALLOW)
        spmFuzzFail("the screen allowed what the full decision refuses", xml);
    if (spmHookGetOp(argc, argv) == SPM_HOOK_OP_STOPPED) {
        if ((uuid = spmHookStoppedUUID(xml, len)) && SPM_STREQ(uuid, SPM_FUZZ_HOOK_RUNTIME_UUID))
            spmFuzzFail("the screen allowed a stop whose launch data must go", xml);
        return;
    }
    if (spmHookGetOp(argc, argv) != SPM_HOOK_OP_PREPARE || !spmNovaMaybeInstance(xml, len))
        return;
    /* the full hook parses it (the decision allowed, so it parses) */
    if (!(doc = spmXMLParse(xml, len, "fuzz")))
        spmFuzzFail("the screen allowed a Nova guest the full hook cannot read", xml);
    if (spmNovaTypingFromDoc(doc, spmFuzzHookFlavors, &typing) < 0 ||
        (typing && spmNovaTypingCountTyped(typing) > 0))
        spmFuzzFail("the screen allowed a Nova guest whose flavor asks for typing", xml);
    {
        xmlNodePtr node = spmXMLChildElement(xmlDocGetRootElement(doc), "uuid");

        if (node && (uuid = spmXMLNodeContent(node)) && SPM_STREQ(uuid, SPM_FUZZ_HOOK_RUNTIME_UUID))
            spmFuzzFail("the screen allowed a Nova guest whose stale launch data must go", xml);
    }
    spmErrorReset();
}

int
spmFuzzHook(const uint8_t *data, size_t size)
{
    const char *argv[SPM_FUZZ_HOOK_MAX_ARGS + 2] = {SPM_QEMU_HOOK_PROG};
    g_autofree char *copy = g_malloc(size + 1);
    const char *xml;
    size_t xmllen;
    size_t start = 0;
    size_t i;
    int argc = 1;

    spmFuzzHookSetup();
    spmErrorReset();
    memcpy(copy, data, size);
    copy[size] = '\0';
    /* every NUL-terminated piece but the last is an argument */
    for (i = 0; i < size && argc <= SPM_FUZZ_HOOK_MAX_ARGS; i++) {
        if (copy[i] == '\0') {
            argv[argc++] = copy + start;
            start = i + 1;
        }
    }
    xml = copy + start;
    xmllen = size - start;

    for (i = 0; i < 2; i++) {
        g_autofree char *message = NULL;
        g_autofree char *again = NULL;
        const char *input = i == 0 ? xml : NULL;
        spmQEMUHookVerdict verdict;

        verdict = spmQEMUHookDecide(argc, argv, input, xmllen, &message);
        spmFuzzHookCheck(argc, argv, input, xmllen, verdict, message);
        spmErrorReset();
        spmFuzzHookCheckScreen(argc, argv, input, xmllen, verdict);
        spmErrorReset();
        if (spmQEMUHookDecide(argc, argv, input, xmllen, &again) != verdict ||
            g_strcmp0(message, again) != 0)
            spmFuzzFail("the same input decided two ways", message);
        spmErrorReset();
    }
    return 0;
}
