/**
 * A run's build timeline as Azure DevOps records it for a YAML pipeline (Timeline - Get, see the recorded
 * devkit/ado-host/fixtures/timeline-1042.json): a Stage record per stage; under it a Checkpoint whose
 * Checkpoint.Approval child has the approval's id (the hub reads the decision from the Approvals API by
 * that id); then Phase → Job records for the jobs.
 */
import { randomUUID } from 'node:crypto';
import type { RecordedTimeline } from '../../devkit/ado-host/fake-ado';
import type { Stage } from './series';

interface TimelineRecord {
  id: string;
  parentId: string | null;
  type: string;
  name: string;
  identifier?: string;
  order: number;
  attempt: number;
  state: 'pending' | 'inProgress' | 'completed';
  result: string | null;
  startTime: string | null;
  finishTime: string | null;
}

const iso = (ms = Date.now()): string => new Date(ms).toISOString();
const title = (s: string): string => s.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

export class RunTimeline {
  readonly recorded: RecordedTimeline;
  private readonly records: TimelineRecord[] = [];
  private readonly stageIds = new Map<string, string>();
  private readonly checkpointIds = new Map<string, string>();

  constructor() {
    this.recorded = { timeline: { records: this.records } };
  }

  private add(r: Omit<TimelineRecord, 'attempt'>): TimelineRecord {
    const full = { attempt: 1, ...r };
    this.records.push(full);
    return full;
  }

  private find(id: string | undefined): TimelineRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  private stageRecord(stage: Stage, state: TimelineRecord['state']): TimelineRecord {
    const existing = this.find(this.stageIds.get(stage.name));
    if (existing) return existing;
    const id = randomUUID();
    this.stageIds.set(stage.name, id);
    const order = this.stageIds.size;
    return this.add({
      id,
      parentId: null,
      type: 'Stage',
      name: title(stage.name),
      identifier: stage.name,
      order,
      state,
      result: null,
      startTime: state === 'pending' ? null : iso(),
      finishTime: null,
    });
  }

  startStage(stage: Stage): void {
    this.stageRecord(stage, 'inProgress');
  }

  skipStage(stage: Stage): void {
    Object.assign(this.stageRecord(stage, 'pending'), { state: 'completed', result: 'skipped' });
  }

  startApproval(stage: Stage, approvalId: string): void {
    const parent = this.stageRecord(stage, 'inProgress');
    const checkpoint = randomUUID();
    this.checkpointIds.set(stage.name, checkpoint);
    const base = { state: 'inProgress' as const, result: null, startTime: iso(), finishTime: null };
    this.add({ id: checkpoint, parentId: parent.id, type: 'Checkpoint', name: 'Checkpoint', order: 1, ...base });
    this.add({
      id: approvalId,
      parentId: checkpoint,
      type: 'Checkpoint.Approval',
      name: 'Approval',
      order: 1,
      ...base,
    });
  }

  finishApproval(stage: Stage, approved: boolean): void {
    const checkpoint = this.checkpointIds.get(stage.name);
    for (const r of this.records.filter((x) => x.id === checkpoint || x.parentId === checkpoint))
      Object.assign(r, { state: 'completed', result: approved ? 'succeeded' : 'failed', finishTime: iso() });
  }

  addJob(stage: Stage, name: string, startedAt: number, ok: boolean): void {
    const parent = this.stageRecord(stage, 'inProgress');
    const done = {
      state: 'completed' as const,
      result: ok ? 'succeeded' : 'failed',
      startTime: iso(startedAt),
      finishTime: iso(),
    };
    const phase = this.add({ id: randomUUID(), parentId: parent.id, type: 'Phase', name, order: 2, ...done });
    this.add({ id: randomUUID(), parentId: phase.id, type: 'Job', name, order: 1, ...done });
  }

  finishStage(stage: Stage, ok: boolean): void {
    Object.assign(this.stageRecord(stage, 'inProgress'), {
      state: 'completed',
      result: ok ? 'succeeded' : 'failed',
      finishTime: iso(),
    });
  }
}
