import { Fragment } from "react";

import { splitLinks } from "../lib/links";

/**
 * Message text as text: React escapes it; only http(s) links become anchors. A link whose
 * text does not show where it goes is followed by a badge with the host it really opens.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === "link" ? (
          <Fragment key={i}>
            <a href={part.href} target="_blank" rel="noopener noreferrer">
              {part.text}
            </a>
            {part.host && (
              <span className="link-host" data-testid="link-host" title={`This link opens ${part.host}`}>
                {part.host}
              </span>
            )}
          </Fragment>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
