import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { MessageContent } from '../db/vocabulary.js';

// What a product delivers, sent as a copy: its text with its entities, or its file by file id with its caption
// and caption entities. Never a forward (the buyer sees no "Forwarded from"), and never copyMessage, which needs the
// original message to still exist. Entities, not HTML: no parse mode is set, so nothing in the text is parsed.

export async function sendContent(
  api: Api,
  chatId: number,
  content: MessageContent,
  replyTo: number | null,
): Promise<Message> {
  const reply =
    replyTo === null ? {} : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } };
  if (content.type === 'text') return api.sendMessage(chatId, content.text, { entities: content.entities, ...reply });
  const caption = {
    ...(content.caption !== null && { caption: content.caption }),
    caption_entities: content.captionEntities,
    ...reply,
  };
  switch (content.type) {
    case 'photo':
      return api.sendPhoto(chatId, content.fileId, caption);
    case 'document':
      return api.sendDocument(chatId, content.fileId, caption);
    case 'video':
      return api.sendVideo(chatId, content.fileId, caption);
    case 'audio':
      return api.sendAudio(chatId, content.fileId, caption);
    case 'voice':
      return api.sendVoice(chatId, content.fileId, caption);
  }
}
