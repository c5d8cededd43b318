/*
 * benchutil.c: what the benchmarks share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "benchutil.h"

#include <stdlib.h>

static int
spmBenchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void
spmBenchSort(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), spmBenchCompareDouble);
}

double
spmBenchMedian(double *v, size_t n)
{
    spmBenchSort(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
