import type { Database } from './client.js';
import { telegramUpdates } from './schema.js';

/** True the first time an update_id is seen by any process on this database. */
export function createUpdateLog(db: Database) {
  return {
    async isFirstDelivery(updateId: number): Promise<boolean> {
      const inserted = await db
        .insert(telegramUpdates)
        .values({ updateId })
        .onConflictDoNothing({ target: telegramUpdates.updateId })
        .returning({ updateId: telegramUpdates.updateId });
      return inserted.length > 0;
    },
  };
}

export type UpdateLog = ReturnType<typeof createUpdateLog>;
