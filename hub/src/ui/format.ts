/** Display helpers: plain strings only (React escapes them; nothing here builds markup). */
import type { StatusType } from 'azure-devops-ui/Status';

export function when(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function dur(ms?: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function statusType(status?: string): StatusType {
  switch ((status ?? '').toLowerCase()) {
    case 'succeeded':
    case 'approved':
    case 'pass':
    case 'passed':
    case 'promoted':
      return 'Success';
    case 'succeededwithissues':
    case 'partiallysucceeded':
    case 'inconclusive':
      return 'Warning';
    case 'failed':
    case 'rejected':
    case 'fail':
    case 'aborted':
    case 'timedout':
      return 'Failed';
    case 'cancelled':
    case 'canceled':
    case 'abandoned':
      return 'Canceled';
    case 'skipped':
      return 'Skipped';
    case 'inprogress':
    case 'running':
      return 'Running';
    case 'pending':
    case 'waiting':
      return 'Waiting';
    default:
      return 'Queued';
  }
}

export { tagOrDigest } from '../data/matrix';
