/*
 * bench-hwloc-floor.c: the least a tool built on hwloc does to list the
 * host's NUMA nodes
 *
 * Loads the topology with every object type hwloc lets a caller filter out
 * filtered out (what remains: the machine, its NUMA nodes and its CPUs)
 * and prints the number of NUMA nodes.  It links hwloc and nothing else.
 * bench/bench-nodeinfo.sh times it beside `virt-spm nodeinfo`: the ratio of
 * this program to numactl is where any hwloc-based nodeinfo starts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <hwloc.h>
#include <stdio.h>

int
main(void)
{
    hwloc_topology_t topo;
    int nodes;

    if (hwloc_topology_init(&topo) < 0)
        return 1;
    hwloc_topology_set_all_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    if (hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        return 1;
    }
    nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    hwloc_topology_destroy(topo);
    printf("%d\n", nodes);
    return 0;
}
