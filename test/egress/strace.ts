/**
 * Reads `strace -f -e trace=connect,sendto,sendmsg,sendmmsg` output and names every destination
 * off this machine. Loopback (127.0.0.0/8, ::1, and the IPv4-mapped loopback) is local; so are
 * AF_UNIX, AF_NETLINK (the kernel) and AF_UNSPEC (a UDP socket disconnecting); a send with no
 * address goes where its socket's traced connect said.
 */

/** The system calls traced: every way a process names a destination. */
export const TRACED_CALLS = 'connect,sendto,sendmsg,sendmmsg';

export interface Destination {
  call: string;
  family: string;
  address: string;
  line: string;
}

const CALL = /\b(connect|sendto|sendmsg|sendmmsg)\(/;
const ADDRESS = /sa_family=AF_(\w+)(?:, [^}]*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"))?/g;
const LOCAL_FAMILIES = new Set(['UNIX', 'LOCAL', 'NETLINK', 'UNSPEC']);

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/** Every address the traced processes connected or sent to. */
export function destinations(trace: string): Destination[] {
  const found: Destination[] = [];
  for (const line of trace.split('\n')) {
    const call = CALL.exec(line)?.[1];
    if (!call) continue;
    for (const match of line.matchAll(ADDRESS)) {
      found.push({ call, family: match[1]!, address: match[2] ?? match[3] ?? '', line });
    }
  }
  return found;
}

/** The destinations that would leave this machine. */
export function offMachine(trace: string): Destination[] {
  return destinations(trace).filter((d) => !LOCAL_FAMILIES.has(d.family) && !((d.family === 'INET' || d.family === 'INET6') && isLoopback(d.address)));
}
