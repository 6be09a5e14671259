import { useEffect } from "react";

/** The latest failure, in plain words, until dismissed or after a few seconds. */
export function Notice({ notice, onDismiss }: { notice: { id: number; text: string } | null; onDismiss: () => void }) {
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(onDismiss, 8000);
    return () => clearTimeout(timer);
  }, [notice, onDismiss]);

  return (
    <div className="notice-area" aria-live="assertive">
      {notice && (
        <div className="notice" role="alert" data-testid="notice" key={notice.id}>
          <span>{notice.text}</span>
          <button type="button" className="icon" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
