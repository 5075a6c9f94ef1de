/**
 * nftables `log` statement output. Without `group` (which sends packets to nfnetlink_log and
 * ulogd2 instead), `log` hands the packet to the same kernel logger as the iptables LOG target
 * (nft_log.c calls nf_log_packet, whose text comes from net/netfilter/nf_log_syslog.c), so the
 * line is the same: `<prefix>IN=… OUT=… SRC=… DST=… …`, e.g. `nft-drop: IN=eth0 …` or
 * `[nftables] Inbound Denied: IN=eth0 …`. `log flags all` adds `MACSRC= MACDST= MACPROTO=`,
 * `UID= GID=`, `SEQ= ACK=` and `OPT (…)`, which the shared parser reads past. This format exists
 * so a user can name what they have (`--format nftables`); it reads exactly what `iptables` reads.
 */

import type { TextFormat } from '../types.js';
import { createNetfilterLogParser } from './iptables.js';

export const nftablesFormat: TextFormat = {
  name: 'nftables',
  kind: 'text',
  create: createNetfilterLogParser,
};
