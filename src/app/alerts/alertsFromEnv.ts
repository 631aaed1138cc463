import { TelegramChannel, TELEGRAM_API, WebhookChannel } from './channels.ts';
import type { AlertChannel } from './alert.ts';

/**
 * The alert channels the environment configures (secrets only from there, never a flag or a file):
 *   PERP_ARB_ALERT_WEBHOOK_URL                         a JSON POST per alert
 *   PERP_ARB_TELEGRAM_BOT_TOKEN + PERP_ARB_TELEGRAM_CHAT_ID   Telegram's sendMessage
 *   PERP_ARB_TELEGRAM_API_URL                          the bot API's base (default https://api.telegram.org)
 */
export function alertChannelsFromEnv(env: NodeJS.ProcessEnv, source: string): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const webhook = env.PERP_ARB_ALERT_WEBHOOK_URL;
  if (webhook) {
    try {
      channels.push(new WebhookChannel(webhook, source));
    } catch (error) {
      throw new Error(`$PERP_ARB_ALERT_WEBHOOK_URL: ${(error as Error).message}`);
    }
  }
  const bot = env.PERP_ARB_TELEGRAM_BOT_TOKEN;
  const chat = env.PERP_ARB_TELEGRAM_CHAT_ID;
  if ((bot === undefined || bot === '') !== (chat === undefined || chat === '')) throw new Error('Telegram alerts need both $PERP_ARB_TELEGRAM_BOT_TOKEN and $PERP_ARB_TELEGRAM_CHAT_ID');
  if (bot && chat) channels.push(new TelegramChannel(bot, chat, env.PERP_ARB_TELEGRAM_API_URL || TELEGRAM_API));
  return channels;
}
