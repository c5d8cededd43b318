/*
 * qemu_json.h: json-c, as used by the QEMU code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"

#include <json.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);
