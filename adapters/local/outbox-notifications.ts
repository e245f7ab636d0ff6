import { html } from '../../core/html-escape';
import type { Notice } from '../../core/notifications';
import type { Mailer } from '../../core/ports';

/** Who reads the notification topic in local mode: the outbox, under this address. */
export const LOCAL_NOTIFICATIONS_RECIPIENT = 'notifications@localhost';

/**
 * Local mode's stand-in for an email subscription to the notification topic
 * (docs/operations.md#notifications): each notice becomes a message in the outbox, its text as is.
 */
export function outboxNotifications(mailer: Mailer, from: string) {
  return (notice: { readonly subject?: string; readonly message: string }): Promise<void> => {
    const subject = notice.subject ?? notice.message.split('\n')[0] ?? 'notification';
    return mailer.send({ from, to: [LOCAL_NOTIFICATIONS_RECIPIENT], subject, text: notice.message, html: html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head><body><pre style="font-family:Menlo,Consolas,monospace;white-space:pre-wrap">${notice.message}</pre></body></html>`.value });
  };
}

export type { Notice };
