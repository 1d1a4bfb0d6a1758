// The peer's event wiring: view -> clusters -> session -> role -> round drivers; models ->
// evaluation. Also the connection keeper, which every change of view, cluster or role nudges.
import type { Checkpoint } from '../checkpoint.js';
import { notice, type PeerComponents } from '../components.js';
import { ClusterSession } from '../services/cluster-session.js';
import { ConnectionKeeper } from '../services/connection-keeper.js';
import { pexRejected } from './protocols.js';
import type { Services } from './services.js';

/** Subscribes the services to the bus; returns the connection keeper (started by the caller). */
export function wireRoles(c: PeerComponents, s: Services, cp: Checkpoint | undefined): ConnectionKeeper {
  const { self, clock, bus } = c;
  const { slot, membership, head, member, global, evaluator } = s;
  // Bounded connections: the head, part of the cluster, a few others (handlers/peers.ts).
  const keeper = new ConnectionKeeper(
    c,
    () => ({
      self,
      view: membership.view.ids(),
      cluster: s.members(),
      ...(slot.session?.election.head !== undefined ? { head: slot.session.election.head } : {}),
      ...(slot.session?.isHead === true
        ? {
            otherHeads: [...membership.roleClaims()]
              .filter(([, cl]) => cl.role === 'head' && cl.cluster !== slot.session?.cluster)
              .map(([id]) => id),
          }
        : {}),
    }),
    pexRejected(c),
  );
  bus.on('view:changed', () => keeper.soon());
  let myMembers = '';
  bus.on('clusters:changed', ({ mine }) => {
    const capacities = membership.view.capacities(mine.members);
    // Rounds wait for their own cluster to settle, not for changes elsewhere in a large view.
    const key = `${mine.id}\u0000${mine.members.join(',')}`;
    if (key !== myMembers) slot.lastViewChange = clock.now();
    myMembers = key;
    keeper.soon();
    const session = slot.session;
    if (session !== undefined && session.cluster === mine.id) return session.setMembers(capacities);
    head.deactivate();
    member.deactivate();
    global.deactivate();
    session?.close();
    const term = cp?.cluster === mine.id ? cp.term : 0;
    const next = new ClusterSession(c, {
      cluster: mine.id,
      // Candidates are the members whose heartbeats name this cluster (silent identities are not waited for).
      eligible: (id) => membership.roleClaims().get(id)?.cluster === mine.id,
      members: capacities,
      term,
      onRoundOpen: (m, st) => member.onRoundOpen(m, st),
      onNewModel: (h, round, st) => member.onNewModel(h, round, st),
    });
    slot.session = next;
    next.start();
    if (cp === undefined) evaluator.baseline(mine.id, s.clusterInitOf(mine.members));
  });
  bus.on('role:changed', ({ role }) => {
    keeper.soon();
    const session = slot.session;
    if (session === undefined) return;
    if (role === 'head') {
      member.deactivate();
      head.activate(session);
      global.activate(session.cluster);
    } else {
      head.deactivate();
      global.deactivate();
      member.activate(session);
    }
  });
  bus.on('model:adopted', ({ model }) => evaluator.offer(model));
  bus.on('listener_error', ({ event, error }) =>
    notice(
      c,
      'warn',
      `internal error in a ${event} listener: ${(error as Error)?.message ?? String(error)}`,
      'internal_error',
    ),
  );
  return keeper;
}
