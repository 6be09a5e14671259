import { EmojiPicker as Picker } from "frimousse";
import { useEffect, useRef } from "react";

// Emojibase's data is copied into dist/emojibase/ by the build (scripts/copy-emoji-data.mjs):
// the picker loads it from this origin, so it works offline and under the page's CSP.
const EMOJIBASE_URL = "/emojibase";
// Offer every emoji of this version without probing the fonts with a canvas first: a browser
// without a colour emoji font would otherwise hide them all.
const EMOJI_VERSION = 15;

/** frimousse's picker, styled by styles.css: search, then the grid; a pick closes it. */
export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) onClose();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [onClose]);

  return (
    <div className="emoji-picker" ref={root} data-testid="emoji-picker">
      <Picker.Root
        emojibaseUrl={EMOJIBASE_URL}
        emojiVersion={EMOJI_VERSION}
        columns={8}
        onEmojiSelect={({ emoji }) => onPick(emoji)}
      >
        <Picker.Search autoFocus placeholder="Search emoji" data-testid="emoji-search" />
        <Picker.Viewport className="emoji-viewport">
          <Picker.Loading className="muted">Loading…</Picker.Loading>
          <Picker.Empty className="muted">No emoji found.</Picker.Empty>
          <Picker.List
            className="emoji-list"
            components={{
              CategoryHeader: ({ category, ...props }) => (
                <div className="emoji-category" {...props}>
                  {category.label}
                </div>
              ),
              Emoji: ({ emoji, ...props }) => (
                <button {...props} className="emoji-option" data-testid="emoji-option" data-emoji={emoji.emoji} aria-label={emoji.label}>
                  {emoji.emoji}
                </button>
              ),
            }}
          />
        </Picker.Viewport>
      </Picker.Root>
    </div>
  );
}
