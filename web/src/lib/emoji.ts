/** Emoji as the server stores reactions: one emoji in its standard (RGI) form. */

const PRESENTATION_SELECTOR = /\uFE0F/g;
const ONE_EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;

/**
 * `emoji` without a redundant presentation selector: Emojibase writes "👍️" (U+1F44D U+FE0F)
 * for a character that shows as an emoji by itself, a form the server refuses as not one
 * standard emoji. A selector that matters ("❤️") stays.
 */
export function reactionEmoji(emoji: string): string {
  const bare = emoji.replace(PRESENTATION_SELECTOR, "");
  return bare !== emoji && ONE_EMOJI_PRESENTATION.test(bare) ? bare : emoji;
}
