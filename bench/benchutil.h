/*
 * benchutil.h: what the benchmarks share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stddef.h>

/* Sorts @v ascending (for minimum and percentiles). */
void spmBenchSort(double *v, size_t n);

/* The median of the @n (> 0) samples in @v: the middle one, or the mean of
 * the two middle ones for an even count.  Sorts @v. */
double spmBenchMedian(double *v, size_t n);
