/*
 * shimhookscreentest.c: the hook's screen (shim_hook_screen.h): which calls
 * it answers alone, which it passes to the full decision, and its contract
 * with that decision (whatever it allows, the full decision allows)
 *
 * A private register lists UUID_LISTED; a private runtime directory holds
 * Nova launch data for UUID_STALE; a private flavor file types flavor
 * 'spm.small'.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "qemu_hook.h"
#include "shim_hook_screen.h"
#include "shim_typed_domains.h"
#include "spmerror.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

#define UUID_PLAIN "0b5e7f1c-3a2d-4c6b-8e9f-1a2b3c4d5e6f"
#define UUID_LISTED "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define UUID_STALE "5f0c2b9e-6d3a-4c1b-9e8f-0a1b2c3d4e5f"
#define NOVA_NS "http://openstack.org/xmlns/libvirt/nova/1.1"

#define DOMAIN(uuid, extra)                                                             \
    "<domain type='kvm'>\n  <name>g</name>\n  <uuid>" uuid "</uuid>\n" extra            \
    "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n  </devices>\n" \
    "</domain>\n"

#define NOVA(flavor, specs)                                                                        \
    "  <metadata>\n    <nova:instance xmlns:nova='" NOVA_NS "'>\n      <nova:flavor name='" flavor \
    "'><nova:memory>2048</nova:memory>" specs "</nova:flavor>\n"                                   \
    "    </nova:instance>\n  </metadata>\n"

typedef struct {
    const char *name;
    const char *op;  /* "prepare begin", ...; NULL: too few arguments */
    const char *xml; /* NULL: standard input could not be read */
    spmHookScreenVerdict expected;
} screenCase;

static const screenCase cases[] = {
    {"a plain start", "prepare begin", DOMAIN(UUID_PLAIN, ""), SPM_HOOK_SCREEN_ALLOW},
    {"a plain restore", "restore begin", DOMAIN(UUID_PLAIN, ""), SPM_HOOK_SCREEN_ALLOW},
    {"a plain incoming migration", "migrate begin", DOMAIN(UUID_PLAIN, ""), SPM_HOOK_SCREEN_ALLOW},
    {"a start without a UUID", "prepare begin", "<domain type='kvm'><name>g</name></domain>",
     SPM_HOOK_SCREEN_ALLOW},
    {"an operation the hook does not look at", "started begin", NULL, SPM_HOOK_SCREEN_ALLOW},
    {"too few arguments", NULL, NULL, SPM_HOOK_SCREEN_DECIDE},
    {"a start whose XML could not be read", "prepare begin", NULL, SPM_HOOK_SCREEN_DECIDE},
    {"a start of a listed domain", "prepare begin", DOMAIN(UUID_LISTED, ""),
     SPM_HOOK_SCREEN_DECIDE},
    {"a start with virt-spm's metadata", "prepare begin",
     DOMAIN(UUID_PLAIN,
            "  <metadata><spm:spm xmlns:spm='http://virt-spm.org/schemas/domain/spm/"
            "1.0'/></metadata>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a restore with virt-spm's metadata", "restore begin",
     DOMAIN(UUID_PLAIN,
            "  <metadata><spm:spm xmlns:spm='http://virt-spm.org/schemas/domain/spm/"
            "1.0'/></metadata>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a start with launch data", "prepare begin",
     DOMAIN(UUID_PLAIN,
            "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/"
            "qemu/1.0'><qemu:arg value='-virt-spm-launch'/></qemu:commandline>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a Nova guest without typing", "prepare begin", DOMAIN(UUID_PLAIN, NOVA("m1.small", "")),
     SPM_HOOK_SCREEN_ALLOW},
    {"a Nova guest whose flavor the flavor file types", "prepare begin",
     DOMAIN(UUID_PLAIN, NOVA("spm.small", "")), SPM_HOOK_SCREEN_DECIDE},
    {"a Nova guest with a virt_spm: extra spec", "prepare begin",
     DOMAIN(UUID_PLAIN,
            NOVA("m1.small",
                 "<nova:extraSpecs><nova:extraSpec name='virt_spm:"
                 "numa_memmap.1'>spm</nova:extraSpec></nova:extraSpecs>")),
     SPM_HOOK_SCREEN_DECIDE},
    {"a Nova guest with stale launch data", "prepare begin",
     DOMAIN(UUID_STALE, NOVA("m1.small", "")), SPM_HOOK_SCREEN_DECIDE},
    {"a stop with launch data to remove", "stopped end", DOMAIN(UUID_STALE, ""),
     SPM_HOOK_SCREEN_DECIDE},
    {"a release with launch data to remove", "release end", DOMAIN(UUID_STALE, ""),
     SPM_HOOK_SCREEN_DECIDE},
    {"a stop without launch data", "stopped end", DOMAIN(UUID_PLAIN, ""), SPM_HOOK_SCREEN_ALLOW},
    {"not well formed", "prepare begin", "<domain><uuid>" UUID_PLAIN "</domain>",
     SPM_HOOK_SCREEN_DECIDE},
    {"empty", "prepare begin", "", SPM_HOOK_SCREEN_DECIDE},
    {"a character reference", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <description>&#45;virt-spm-launch</description>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a DOCTYPE", "prepare begin", "<!DOCTYPE domain>" DOMAIN(UUID_PLAIN, ""),
     SPM_HOOK_SCREEN_DECIDE},
    {"a CDATA section", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <description><![CDATA[x]]></description>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"an XML declaration", "prepare begin", "<?xml version='1.0'?>" DOMAIN(UUID_PLAIN, ""),
     SPM_HOOK_SCREEN_DECIDE},
    {"a default namespace", "prepare begin",
     "<domain xmlns='urn:x'><uuid>" UUID_LISTED "</uuid></domain>", SPM_HOOK_SCREEN_DECIDE},
    {"an undeclared prefix", "prepare begin", DOMAIN(UUID_PLAIN, "  <x:y/>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a prefix out of its scope", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='" NOVA_NS "'/>\n  <a:c/>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"a prefix in its scope", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='" NOVA_NS "'><a:c a:d='1'/></a:b>\n"),
     SPM_HOOK_SCREEN_ALLOW},
    {"libosinfo's metadata", "prepare begin",
     DOMAIN(UUID_PLAIN,
            "  <metadata><libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/"
            "xmlns/libvirt/domain/1.0'><libosinfo:os id='http://debian.org/debian/"
            "12'/></libosinfo:libosinfo></metadata>\n"),
     SPM_HOOK_SCREEN_ALLOW},
    {"a namespace the screen does not know", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='urn:a'/>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"a namespace with a bad port (the fuzzer's find)", "restore begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='http://virt-spm.o2:rg/x'/>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"an empty UUID (the fuzzer's find)", "prepare begin", "<domain><uuid></uuid></domain>",
     SPM_HOOK_SCREEN_DECIDE},
    {"two UUIDs", "prepare begin",
     "<domain><uuid>" UUID_PLAIN "</uuid><uuid>" UUID_LISTED "</uuid></domain>",
     SPM_HOOK_SCREEN_DECIDE},
    {"an element inside the UUID", "prepare begin",
     "<domain><uuid>" UUID_PLAIN "<x/></uuid></domain>", SPM_HOOK_SCREEN_DECIDE},
    {"two emulators", "prepare begin",
     "<domain><devices><emulator>/a</emulator><emulator>/b</emulator></devices></domain>",
     SPM_HOOK_SCREEN_DECIDE},
    {"a root other than domain", "prepare begin", "<domainsnapshot/>", SPM_HOOK_SCREEN_DECIDE},
    {"two roots", "prepare begin", "<domain/><domain/>", SPM_HOOK_SCREEN_DECIDE},
    {"text after the root", "prepare begin", "<domain/>x", SPM_HOOK_SCREEN_DECIDE},
    {"a '<' in an attribute value (the fuzzer's find)", "migrate begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='http://virt-spm.org/s</devices>ain'/>\n"),
     SPM_HOOK_SCREEN_DECIDE},
    {"a namespace that is no URI (the fuzzer's find)", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='http://x/li|mlns:bvirt'/>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"a local name that starts with a digit (the fuzzer's find)", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <a:b xmlns:a='" NOVA_NS "'><a:5c/></a:b>\n"), SPM_HOOK_SCREEN_DECIDE},
    {"attributes without white space between them", "restore begin", "<domain type='kvm'id='1'/>",
     SPM_HOOK_SCREEN_DECIDE},
    {"an attribute given twice", "restore begin", "<domain type='kvm' type='qemu'/>",
     SPM_HOOK_SCREEN_DECIDE},
    {"one namespaced attribute under two prefixes", "restore begin",
     "<domain xmlns:a='" NOVA_NS "' xmlns:b='" NOVA_NS "'><x a:y='1' b:y='2'/></domain>",
     SPM_HOOK_SCREEN_DECIDE},
    {"']]>' in text", "restore begin", "<domain>]]></domain>", SPM_HOOK_SCREEN_DECIDE},
    {"non-ASCII text", "prepare begin",
     DOMAIN(UUID_PLAIN, "  <description>caf\xc3\xa9</description>\n"), SPM_HOOK_SCREEN_DECIDE},
};

static char *flavorsFile;

static int
testScreen(const void *opaque)
{
    const screenCase *tc = opaque;
    g_auto(GStrv) words = tc->op ? g_strsplit(tc->op, " ", 2) : NULL;
    const char *argv[6] = {"virt-spm-hook", "g"};
    g_autofree char *message = NULL;
    size_t len = tc->xml ? strlen(tc->xml) : 0;
    spmHookScreenVerdict got;
    spmQEMUHookVerdict full;
    int argc = 2;

    if (words) {
        argv[argc++] = words[0];
        argv[argc++] = words[1];
        argv[argc++] = "-";
    }
    got = spmHookScreen(argc, argv, tc->xml, len, flavorsFile);
    if (got != tc->expected) {
        printf("# the screen says %s, expected %s\n",
               got == SPM_HOOK_SCREEN_ALLOW ? "allow" : "decide",
               tc->expected == SPM_HOOK_SCREEN_ALLOW ? "allow" : "decide");
        return -1;
    }
    if (spmErrorTotal() != 0) {
        printf("# the screen left an error queued\n");
        return -1;
    }
    /* the contract: what the screen allows, the full decision allows */
    full = spmQEMUHookDecide(argc, argv, tc->xml, len, &message);
    spmErrorReset();
    if (got == SPM_HOOK_SCREEN_ALLOW && full != SPM_QEMU_HOOK_ALLOW) {
        printf("# the screen allows what the full decision refuses: %s", message);
        return -1;
    }
    return 0;
}

static int
mymain(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *runtime = NULL;
    g_autofree char *launch = NULL;
    int ret = 0;
    size_t i;

    if (!(dir = g_dir_make_tmp("spm-screen-XXXXXX", NULL)))
        return -1;
    runtime = g_build_filename(dir, "run", NULL);
    launch = g_build_filename(runtime, UUID_STALE, NULL);
    flavorsFile = g_build_filename(dir, "flavors.conf", NULL);
    g_setenv("VIRT_SPM_EMULATOR_DIR", dir, TRUE);
    g_setenv("VIRT_SPM_RUNTIME_DIR", runtime, TRUE);
    if (spmTypedDomainsAdd(dir, UUID_LISTED, "g") < 0 || g_mkdir(runtime, 0755) < 0 ||
        !g_file_set_contents(launch, "v=1,form=sp-mem\n", -1, NULL) ||
        !g_file_set_contents(flavorsFile, "[spm.small]\nvirt_spm:numa_memmap.1=spm\n", -1, NULL)) {
        spmTestRemoveTree(dir);
        return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *title = g_strdup_printf("hook screen: %s", cases[i].name);

        if (spmTestRun(title, testScreen, &cases[i]) < 0)
            ret = -1;
    }
    spmTestRemoveTree(dir);
    g_clear_pointer(&flavorsFile, g_free);
    return ret;
}

SPM_TEST_MAIN(mymain)
