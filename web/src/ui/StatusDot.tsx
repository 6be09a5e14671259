import type { Presence } from "../protocol";

export const STATUS_LABEL: Record<Presence["status"], string> = {
  online: "Online",
  away: "Away",
  busy: "Busy",
  offline: "Offline",
};

export function StatusDot({ status }: { status: Presence["status"] }) {
  return <span className={`dot dot-${status}`} aria-hidden="true" />;
}
