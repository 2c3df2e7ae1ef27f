// SPDX-License-Identifier: GPL-2.0
/* vnetctl stats: per-port counters and drops by reason. */
#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field stats_fields[] = {
	{ "dev", F_POS, NULL },
	{ "rx-packets", F_KEY, NULL },
	{ "rx-bytes", F_KEY, NULL },
	{ "tx-packets", F_KEY, NULL },
	{ "tx-bytes", F_KEY, NULL },
	{ "connections", F_KEY, NULL },
	{ "fragments", F_KEY, NULL },
	{ "lb-flows", F_KEY, NULL },
	{ "denied-flows", F_KEY, NULL },
	{ "flow-hits", F_KEY, NULL },
	{ "flow-misses", F_KEY, NULL },
	{ "flow-recomputes", F_KEY, NULL },
	{ "flow-insert-failed", F_KEY, NULL },
	{ "flow-carried", F_KEY, NULL },
	{ "drops", F_MAP, "drop" },
	FIELDS_END
};

static int stats_run(struct ctx *c, int argc, char **argv)
{
	return port_query(c, argc, argv, VNET_CMD_STATS_GET, parse_stats_msg,
			  stats_fields);
}

const struct object stats_object = {
	.name = "stats",
	.run = stats_run,
	.usage = "  stats [DEV]\n",
};
