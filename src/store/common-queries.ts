// Statements whose text is the same in both dialects. `t` and `inst` are table names already
// checked by checkTableName and quoted by the dialect's own file.
export function commonQueries(t: string, inst: string) {
  return {
    /** params: oldest updated_at kept. ON DELETE SET NULL releases their jobs. */
    expireInstances: `DELETE FROM ${inst} WHERE updated_at < ?`,
    /** params: id */
    removeInstance: `DELETE FROM ${inst} WHERE id = ?`,
    /** params: limit */
    listInstances: `SELECT id, updated_at FROM ${inst} ORDER BY id LIMIT ?`,
    /**
     * params: instance_id, now, now. One round trip; each count is served by an index. `pending`
     * is due and not yet claimed (README, `dalga_jobs_pending`): claimed jobs count as running.
     */
    status: `
      SELECT
        (SELECT COUNT(*) FROM ${t} WHERE instance_id = ?) AS instance_running,
        (SELECT COUNT(*) FROM ${t} WHERE instance_id IS NOT NULL) AS running,
        (SELECT COUNT(*) FROM ${t}) AS total,
        (SELECT COUNT(*) FROM ${t} WHERE instance_id IS NULL AND next_run <= ?) AS pending,
        (SELECT COUNT(*) FROM ${inst}) AS instances,
        (SELECT MIN(next_run) FROM ${t} WHERE instance_id IS NULL AND next_run <= ?) AS oldest_due`,
  };
}
