/* SPDX-License-Identifier: GPL-2.0 */
/* Object names: 1 to VNET_NAME_MAX - 1 characters of [A-Za-z0-9_.-]. */
#ifndef _VNET_CORE_NAME_H
#define _VNET_CORE_NAME_H

#include "compat.h"

static inline bool vnet_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* @max is the buffer size, VNET_NAME_MAX: room for the NUL. */
static inline bool vnet_name_valid(const char *s, unsigned int max)
{
	unsigned int i;

	for (i = 0; s[i]; i++)
		if (i + 1 >= max || !vnet_name_char(s[i]))
			return false;
	return i > 0;
}

#endif /* _VNET_CORE_NAME_H */
