import { Fragment, type ReactNode } from "react";

import { renderMarkdown, type MdNode } from "../lib/markdown";

/**
 * Message text rendered as Markdown (lib/markdown.ts) and built as React elements: text stays
 * text. Links open in a new tab without telling the other site where they came from; one
 * whose text does not show where it goes is followed by a badge with the host it really opens.
 */
export function MessageText({ text, mentions = [] }: { text: string; mentions?: readonly string[] }) {
  return <>{renderMarkdown(text, mentions).map(toReact)}</>;
}

function toReact(node: MdNode, key: number): ReactNode {
  switch (node.kind) {
    case "text":
      return node.text;
    case "mention":
      return (
        <span key={key} className="mention" data-testid="mention">
          {node.text}
        </span>
      );
    case "link":
      return (
        <Fragment key={key}>
          <a href={node.href} target="_blank" rel="noopener noreferrer">
            {node.children.map(toReact)}
          </a>
          {node.host && (
            <span className="link-host" data-testid="link-host" title={`This link opens ${node.host}`}>
              {node.host}
            </span>
          )}
        </Fragment>
      );
    case "element": {
      const children = node.children.map(toReact);
      switch (node.tag) {
        case "br":
          return <br key={key} />;
        case "hr":
          return <hr key={key} />;
        case "ol":
          return (
            <ol key={key} start={node.start}>
              {children}
            </ol>
          );
        default: {
          const Tag = node.tag;
          return <Tag key={key}>{children}</Tag>;
        }
      }
    }
  }
}
