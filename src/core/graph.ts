// The dependency graph between tracks: unknown dependencies, cycles, and a stable order.
import { UsageError } from './errors.js';

export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/** The first cycle found, as a path that starts and ends with the same id, or null. */
export function findCycle(graph: DependencyMap): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    const s = state.get(id);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of graph.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of [...graph.keys()].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
}

/** Throws a UsageError for an unknown dependency or a cycle; `where` names the source. */
export function assertValidGraph(graph: DependencyMap, where: string): void {
  for (const [id, deps] of graph) {
    for (const dep of deps) {
      if (dep === id) {
        throw new UsageError(`${where}: track "${id}" depends on itself.`);
      }
      if (!graph.has(dep)) {
        throw new UsageError(`${where}: track "${id}" depends on unknown track "${dep}".`, {
          hint: 'Create that track first, or fix the id in dependsOn.',
        });
      }
    }
  }
  const cycle = findCycle(graph);
  if (cycle) {
    throw new UsageError(`${where}: dependency cycle ${cycle.join(' -> ')}.`, {
      hint: 'Remove one of these dependencies so the tracks can run in some order.',
    });
  }
}

/** Dependencies before dependents; ties broken by id, so the order is stable. */
export function topoOrder(graph: DependencyMap): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of [...(graph.get(id) ?? [])].sort()) if (graph.has(dep)) visit(dep);
    order.push(id);
  };
  for (const id of [...graph.keys()].sort()) visit(id);
  return order;
}
