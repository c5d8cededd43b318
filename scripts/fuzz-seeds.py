#!/usr/bin/python3
# fuzz-seeds.py: builds the seed corpora of the fuzz targets from tests/
#
#   scripts/fuzz-seeds.py OUTDIR
#
# writes OUTDIR/TARGET/NAME for every target of tests/fuzz (the inputs are
# the test data as it is, or in the layout a target reads; see
# tests/fuzz/*.c).  Nothing is copied into the repository.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import glob
import hashlib
import os
import re
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
LAUNCH_OPTION = '-virt-spm-launch'


def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def parse_args(path):
    """argv of a libvirt-style .args file (env lines dropped)"""
    lines = read(path).decode().replace(' \\\n', '\n').splitlines()
    argv = []
    for line in lines:
        if not argv and re.match(r'^[A-Za-z_][A-Za-z0-9_]*=', line):
            continue
        argv.extend(line.split(' ', 1))
    return argv


def tree(root):
    """Every file under @root, not through symlinks (the captured sysfs trees
    in tests/hostdata have links that lead back up the tree)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                yield path


# domain XML: every domain the tests use
for path in sorted([p for p in tree(os.path.join(top, 'tests'))
                    if p.endswith('.xml') and
                    os.path.relpath(p, os.path.join(top, 'tests')).split(os.sep)[0].endswith('data')
                    and os.sep in os.path.relpath(p, os.path.join(top, 'tests'))] +
                   glob.glob(os.path.join(top, 'examples', '*.xml'))):
    data = read(path)
    if b'<domain' in data:
        put('fuzz_domain_xml', data)
    elif b'<qemuCaps' in data or b'<capabilities' in data:
        put('fuzz_caps_file', data)

# capabilities: the cache files and the recorded conversations
for path in sorted(glob.glob(os.path.join(top, 'tests', 'qemucapabilitiesdata', '*'))):
    put('fuzz_caps_file', read(path))

# launch data: the .launch files, the strings in the define outputs and tests
launches = set()
for path in glob.glob(os.path.join(top, 'tests', 'qemuargvrewritedata', '*.launch')):
    launches.add(read(path).decode().strip())
for path in tree(os.path.join(top, 'tests')):
    if path.endswith('.replies'):
        continue
    text = read(path).decode(errors='replace')
    launches.update(re.findall(r'v=1,form=[A-Za-z0-9=,.\-_]+', text))
for launch in sorted(launches):
    put('fuzz_launch_data', launch)

# shim argv: each libvirt argv with each launch data where it says @DATA@,
# NUL-separated; the launch data also last, for spmQEMUArgvApplyLaunchData
argsfiles = sorted(glob.glob(os.path.join(top, 'tests', 'qemuargvrewritedata', '*.in.args')))
for path in argsfiles:
    argv = parse_args(path)
    for launch in sorted(launches)[:6]:
        with_data = [launch if a == '@DATA@' else a for a in argv]
        put('fuzz_shim_argv', '\0'.join(with_data))
        i = argv.index('@DATA@') if '@DATA@' in argv else -1
        plain = argv[:i - 1] + argv[i + 1:] if i > 0 else argv
        put('fuzz_shim_argv', '\0'.join(plain + [launch]))

# keyval: every option value of those argvs, behind an implied-key byte
values = set()
for path in argsfiles:
    argv = parse_args(path)
    for opt, val in zip(argv, argv[1:]):
        if opt.startswith('-') and not val.startswith('{'):
            values.add(val)
for i, val in enumerate(sorted(values)):
    put('fuzz_keyval', bytes([i % 4]) + val.encode())

# /proc/iomem: the captured reference guest's, and this machine's
for path in sorted(glob.glob(os.path.join(top, 'tests', 'hostdata', '*', '*', 'fsroot', 'proc',
                                          'iomem'))) + ['/proc/iomem']:
    if os.access(path, os.R_OK):
        put('fuzz_iomem', read(path))

# Nova: flavor file, NUL, domain XML with Nova's metadata (Nova 32's
# <nova:extraSpecs>, or only the flavor's name for the flavor file)
NOVA_NS = 'http://openstack.org/xmlns/libvirt/nova/1.1'
nova_cells = ("<cpu><numa><cell id='0' cpus='0-1' memory='1048576' unit='KiB'/>"
              "<cell id='1' cpus='2' memory='1048576' unit='KiB'/></numa></cpu>")


def nova_domain(flavor_inner):
    return ("<domain type='kvm'><name>instance-00000001</name><memory>2097152</memory>"
            "<metadata><nova:instance xmlns:nova='%s'><nova:flavor name='spm.large'>"
            "<nova:vcpus>3</nova:vcpus>%s</nova:flavor></nova:instance></metadata>%s"
            "</domain>" % (NOVA_NS, flavor_inner, nova_cells))


specs = ("<nova:extraSpecs><nova:extraSpec name='hw:numa_nodes'>2</nova:extraSpec>"
         "<nova:extraSpec name='virt_spm:numa_memmap.1'>spm</nova:extraSpec></nova:extraSpecs>")
put('fuzz_nova', '\0' + nova_domain(specs))
put('fuzz_nova', '[spm.large]\nvirt_spm:numa_memmap.1=spm\n\0' + nova_domain(''))
put('fuzz_nova', '[spm.large]\nvirt_spm:numa_memmap.1=reserved\nvirt_spm:numa_memmap.2=normal\n'
    '\0' + nova_domain(''))
put('fuzz_nova', '[other]\nvirt_spm:numa_memmap.1=spm\n\0' + nova_domain(''))
for path in sorted(glob.glob(os.path.join(top, 'tests', 'domainconfdata', '*.xml')))[:20]:
    put('fuzz_nova', b'\0' + read(path))

# numbers
for s in ['0', '1', '4096', '0x1000', '0X7fffffffffffffff', '18446744073709551615',
          '18446744073709551616', ' 12 ', '3G', '1024k', '2m', '0x10b', '4294967296', '']:
    put('fuzz_number', s)

# QMP: flags byte, chunking byte, then what the peer says
greeting = ('{"QMP": {"version": {"qemu": {"micro": 3, "minor": 1, "major": 11}, '
            '"package": "v11.1.3"}, "capabilities": ["oob"]}}\r\n')
streams = [
    greeting + '{"return": {}, "id": "spm-1"}\r\n'
    '{"return": {"qemu": {"micro": 3, "minor": 1, "major": 11}, "package": ""}, "id": "spm-2"}\r\n'
    '{"return": [{"name": "pc-q35-11.1", "alias": "q35"}], "id": "spm-3"}\r\n',
    greeting + '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}\r\n'
    '{"return": {}, "id": "spm-1"}\r\n'
    '{"error": {"class": "CommandNotFound", "desc": "The command x has not been found"}, '
    '"id": "spm-2"}\r\n',
    greeting + '{"return": {}, "id": "spm-1"}\r\n{"return": {}, "id": "spm-7"}\r\n',
    greeting,
]
for s in streams:
    for flags, chunks in [(0, 0), (0, 1), (0, 0x42), (1, 0x80)]:
        put('fuzz_qmp_stream', bytes([flags, chunks]) + s.encode())

# hook: argv pieces then the XML, NUL-separated; each operation the hook
# guards (and one it does not) with the hook test's domains and every
# example domain
hook_ns = 'http://virt-spm.org/schemas/domain/spm/1.0'
hook_uuid = 'c7a5fdbd-edaf-9455-926a-d65c16db1809'
hook_meta = ('  <metadata>\n    <spm:spm xmlns:spm="%s">\n'
             '      <spm:emulator>/usr/bin/qemu-system-x86_64</spm:emulator>\n'
             '      <spm:cell id="2" memmap="spm"/>\n    </spm:spm>\n  </metadata>\n' % hook_ns)
hook_launch = ('  <qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">\n'
               '    <qemu:arg value="-virt-spm-launch"/>\n'
               '    <qemu:arg value="v=1,form=sp-mem,maxmem=3221225472,slots=0,'
               'node.1.memmap=spm"/>\n  </qemu:commandline>\n')
hook_xmls = []
for meta in ['', hook_meta]:
    for launch in ['', hook_launch]:
        for uuid in ['', '  <uuid>%s</uuid>\n' % hook_uuid]:
            hook_xmls.append("<domain type='qemu'>\n  <name>g</name>\n%s%s  <devices>\n"
                             "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                             "  </devices>\n%s</domain>\n" % (uuid, meta, launch))
hook_xmls.append('<domain')
for path in sorted(glob.glob(os.path.join(top, 'examples', '*.xml')))[:4]:
    hook_xmls.append(read(path).decode(errors='replace'))
# Nova guests (the screen's Nova rules): with extra specs, with a flavor
# the fuzz target's flavor file types, with one it does not, and the UUID
# whose runtime launch data the target keeps
nova_ns = 'http://openstack.org/xmlns/libvirt/nova/1.1'
for flavor, specs, uuid in [('m1.small', '', hook_uuid), ('spm.small', '', hook_uuid),
                            ('m1.small', '<nova:extraSpec name="virt_spm:numa_memmap.1">spm'
                             '</nova:extraSpec>', hook_uuid),
                            ('m1.small', '', '5f0c2b9e-6d3a-4c1b-9e8f-0a1b2c3d4e5f')]:
    nova_meta = ('  <metadata>\n    <nova:instance xmlns:nova="%s">\n'
                 '      <nova:flavor name="%s"><nova:memory>2048</nova:memory>%s'
                 '</nova:flavor>\n    </nova:instance>\n  </metadata>\n'
                 % (nova_ns, flavor, '<nova:extraSpecs>%s</nova:extraSpecs>' % specs
                    if specs else ''))
    hook_xmls.append("<domain type='kvm'>\n  <name>instance-1</name>\n  <uuid>%s</uuid>\n%s"
                     "  <cpu><numa><cell id='0' cpus='0' memory='1048576'/>"
                     "<cell id='1' cpus='1' memory='1048576'/></numa></cpu>\n"
                     "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                     "  </devices>\n</domain>\n" % (uuid, nova_meta))
for op in ['prepare', 'migrate', 'restore', 'start']:
    for xml in hook_xmls:
        put('fuzz_hook', '\0'.join(['g', op, 'begin', '-', xml]))
for op in ['stopped', 'release']:
    for xml in hook_xmls[-2:]:
        put('fuzz_hook', '\0'.join(['g', op, 'end', '-', xml]))
put('fuzz_hook', 'g\0prepare')
