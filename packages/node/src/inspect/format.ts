// Text rendering of an InspectReport: timeline, clusters table, peers table.
import type { InspectReport, PeerRow, TimelineEntry } from './summarise.js';

/** Shortens a peer id for tables: its last 8 characters (the common prefix tells nothing). */
export function shortId(id: string | null): string {
  if (id === null) return '-';
  return id.length > 10 ? `…${id.slice(-8)}` : id;
}

const fmtAcc = (a: number | null): string => (a === null ? '-' : a.toFixed(3));
const fmtRound = (r: number): string => (r < 0 ? '-' : String(r));

/** Renders rows as a left-aligned text table with a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function describe(t: TimelineEntry): string {
  const s = (k: string): string => String(t[k]);
  switch (t.event) {
    case 'peer_started':
      return `started (${s('backend')}, ${s('samples')} samples)`;
    case 'peer_stopped':
      return `stopped (${s('reason')})`;
    case 'cluster_assigned':
      return t.previous === null || t.previous === undefined
        ? `joined cluster ${s('cluster')}`
        : `moved from cluster ${s('previous')} to ${s('cluster')}`;
    case 'head_elected':
      return `cluster ${s('cluster')}: head ${shortId(s('head'))} term ${s('term')}${
        typeof t.electionMs === 'number' ? ` (elected in ${Math.round(t.electionMs)} ms)` : ''
      }`;
    case 'lease_expired':
      return `cluster ${s('cluster')}: lease of head ${shortId(s('head'))} term ${s('term')} expired`;
    case 'rounds_completed':
      return `completed round ${s('round')} in cluster ${s('cluster')}`;
    default:
      return t.event;
  }
}

/** Renders the full human-readable inspect report. */
export function formatReport(r: InspectReport): string {
  const out: string[] = [];
  const t0 = r.timeline[0]?.time;
  out.push(`Membership timeline${t0 !== undefined ? ` (from ${new Date(t0).toISOString()})` : ''}`);
  if (r.timeline.length === 0) out.push('  (no membership events)');
  for (const t of r.timeline) {
    const rel = `+${((t.time - (t0 ?? t.time)) / 1000).toFixed(3)}s`.padStart(10);
    out.push(`  ${rel}  ${shortId(t.peer).padEnd(9)}  ${describe(t)}`);
  }
  out.push('', 'Clusters');
  out.push(
    table(
      ['cluster', 'members', 'head', 'term', 'round', 'meanAcc'],
      r.clusters.map((c) => [
        c.id,
        String(c.members.length),
        shortId(c.head),
        String(c.term),
        fmtRound(c.round),
        fmtAcc(c.meanAcc),
      ]),
    ),
  );
  out.push('', 'Peers');
  // The epsilon column appears only when some peer ran with differential privacy.
  const dp = r.peers.some((p) => p.epsilon !== undefined);
  out.push(
    table(
      ['peer', 'cluster', 'role', 'round', 'target', 'acc', ...(dp ? ['epsilon'] : []), 'state'],
      r.peers.map((p) => [
        shortId(p.id),
        p.cluster ?? '-',
        p.role ?? '-',
        fmtRound(p.round),
        p.target === null ? '-' : String(p.target),
        fmtAcc(p.acc),
        ...(dp ? [p.epsilon === undefined ? '-' : p.epsilon.toFixed(3)] : []),
        peerState(p),
      ]),
    ),
  );
  const warnings = reportWarnings(r);
  if (warnings.length > 0) out.push('', 'Warnings', ...warnings.map((w) => `  ${w}`));
  return out.join('\n');
}

function peerState(p: PeerRow): string {
  if (p.stoppedEarly) return `STOPPED EARLY (${p.stopReason ?? 'stopped'})`;
  if (p.stopped) return p.target !== null ? 'finished' : `stopped (${p.stopReason ?? '?'})`;
  return 'running';
}

/** What a person must not miss: peers that never finished, clusters with two heads at once. */
export function reportWarnings(r: InspectReport): string[] {
  const out: string[] = [];
  for (const p of r.peers)
    if (p.stoppedEarly)
      out.push(
        `peer ${shortId(p.id)} stopped at round ${fmtRound(p.round)} of ${p.target ?? '?'} ` +
          `(${p.stopReason ?? 'stopped'}): it never finished its run`,
      );
  const t0 = r.timeline[0]?.time ?? 0;
  const rel = (t: number): string => `+${((t - t0) / 1000).toFixed(1)}s`;
  for (const c of r.headConflicts)
    out.push(
      `cluster ${c.cluster} had ${c.heads.length} heads in term ${c.term} at once ` +
        `(${c.heads.map(shortId).join(', ')}, ${rel(c.from)} to ${rel(c.to)}): ` +
        'they did not hear each other (a split network) and both ran rounds',
    );
  return out;
}
