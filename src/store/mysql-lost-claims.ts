// Lost-claim bookkeeping. A claim whose transaction failed may have committed although its
// answer was lost with the connection: the scheduler never saw those jobs, and the instance is
// alive, so nobody else would ever release them. The instance's next claim gives them back first.

export class LostClaims {
  /** Per instance, the ids a failed claim selected. */
  private readonly ids = new Map<number, Set<number>>();

  /** Jobs to give back before `instanceId` claims again. */
  pending(instanceId: number): number[] {
    return [...(this.ids.get(instanceId) ?? [])];
  }

  /** A claim of `instanceId` that selected `selected` failed: they may be held. */
  remember(instanceId: number, selected: readonly number[]): void {
    if (selected.length === 0) return;
    const ids = this.ids.get(instanceId) ?? new Set<number>();
    for (const id of selected) ids.add(id);
    this.ids.set(instanceId, ids);
  }

  /** A claim of `instanceId` committed, and with it the release of everything pending. */
  settled(instanceId: number): void {
    this.ids.delete(instanceId);
  }
}
