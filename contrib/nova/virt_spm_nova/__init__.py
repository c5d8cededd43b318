# virt_spm_nova: OpenStack Nova extra-spec validators for virt-spm
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virt-spm's flavor extra specs for OpenStack Nova (see validators.py)."""
