import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  className?: string;
}

/** A modal dialog (the native element: focus is trapped, Escape closes it). */
export function Dialog({ title, onClose, children, testId, className }: Props) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    return () => dialog.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal${className ? ` ${className}` : ""}`}
      aria-label={title}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose(); // a click on the backdrop
      }}
    >
      <div className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="icon" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** Asks before something that cannot be undone; the button says what it does. */
export function Confirm({
  title,
  text,
  action,
  onConfirm,
  onCancel,
}: {
  title: string;
  text: string;
  action: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel} testId="confirm-dialog">
      <p>{text}</p>
      <div className="row end">
        <button type="button" className="quiet" onClick={onCancel} data-testid="confirm-cancel">
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} data-testid="confirm-ok" autoFocus>
          {action}
        </button>
      </div>
    </Dialog>
  );
}
