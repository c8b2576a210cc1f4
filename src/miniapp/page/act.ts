import { ApiError } from './api.js';
import type { View } from './context.js';

/**
 * A tap that changes something: runs it, says `done` and draws the view again with the server's answer; a refusal
 * (400: the server's rules said no) or a failure is said instead, and the view stays as it is.
 */
export async function act(view: View, action: () => Promise<unknown>, done: string, reload: () => void): Promise<void> {
  try {
    await action();
  } catch (error) {
    view.notify(
      error instanceof ApiError && error.status === 400 ? view.t('app-invalid-input') : view.t('app-action-failed'),
    );
    return;
  }
  view.notify(done);
  reload();
}
