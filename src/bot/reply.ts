/** Reply parameters that still deliver the answer when the message replied to was deleted meanwhile. */
export function replyTo(messageId: number) {
  return { message_id: messageId, allow_sending_without_reply: true };
}
