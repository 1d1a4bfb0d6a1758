// Loopback checks shared by the dashboard and the metrics endpoint (both loopback by default).

/** Whether an address or host name keeps a server on this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host name of a Host header (`localhost:8080` -> localhost, `[::1]:8080` -> ::1). */
export function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  const m = /^\[([^\]]+)\]/.exec(header);
  return m?.[1] ?? header.replace(/:\d+$/, '');
}
