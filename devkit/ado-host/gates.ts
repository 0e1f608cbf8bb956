/**
 * Approvals and Checks of the fake Azure DevOps host, modelled on the published REST reference
 * (api-version 7.1, area "approvalsandchecks"):
 * - Check Configurations - List: GET {project}/_apis/pipelines/checks/configurations?resourceType=&resourceId=
 *   https://learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/check-configurations/list
 * - Approvals - Query: GET {project}/_apis/pipelines/approvals?approvalIds=&state=&$expand=steps
 *   https://learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals/query
 * - Approvals - Get: GET {project}/_apis/pipelines/approvals/{approvalId}?$expand=steps
 * - Approvals - Update: PATCH {project}/_apis/pipelines/approvals, body [{ approvalId, status, comment }]
 *   https://learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals/update
 * The shape of an approval follows the recorded answer in fixtures/approvals-1042.json. What the
 * service checks is checked here too: only an assigned approver may decide (the caller's identity comes
 * from its token), a decided approval cannot be decided again, status must be approved or rejected.
 */
import { randomUUID } from 'node:crypto';

export interface Identity {
  id: string;
  displayName: string;
  uniqueName: string;
}

export interface ApprovalCheck {
  /** Environment name the check is configured on (resourceType "environment"). */
  environment: string;
  approvers: Identity[];
  instructions: string;
}

interface Step {
  assignedApprover: Identity;
  actualApprover?: Identity;
  status: string;
  comment?: string;
  initiatedOn: string;
  lastModifiedOn?: string;
}

export interface Approval {
  id: string;
  status: string;
  createdOn: string;
  lastModifiedOn: string;
  instructions: string;
  minRequiredApprovers: number;
  blockedApprovers: Identity[];
  executionOrder: string;
  steps: Step[];
  pipeline: { id: string; name: string; owner: { id: number; name: string } };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, body: unknown): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

const CHECK_TYPE_APPROVAL = { id: '8c6f20a7-a545-4486-9777-f762fafe0d4d', name: 'Approval' };

export class Gates {
  private readonly approvals = new Map<string, Approval>();
  private readonly waiters = new Map<string, ((a: Approval) => void)[]>();

  /** `tokens`: bearer token → the identity that holds it (the one who approves). */
  constructor(
    private readonly checks: ApprovalCheck[],
    private readonly tokens: Record<string, Identity>,
    private readonly envId: (name: string) => number | undefined,
  ) {}

  /** What the service does when a stage targets an environment with an Approval check: a pending approval. */
  request(environment: string, pipeline: Approval['pipeline']): Approval | undefined {
    const check = this.checks.find((c) => c.environment === environment);
    if (!check) return undefined;
    const now = new Date().toISOString();
    const approval: Approval = {
      id: randomUUID(),
      status: 'pending',
      createdOn: now,
      lastModifiedOn: now,
      instructions: check.instructions,
      minRequiredApprovers: 1,
      blockedApprovers: [],
      executionOrder: 'anyOrder',
      steps: check.approvers.map((a) => ({ assignedApprover: a, status: 'pending', initiatedOn: now })),
      pipeline,
    };
    this.approvals.set(approval.id, approval);
    return approval;
  }

  /** Resolves once someone decided the approval (through PATCH, as the web UI does). */
  decided(id: string): Promise<Approval> {
    const a = this.approvals.get(id);
    if (a && a.status !== 'pending') return Promise.resolve(a);
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  all(): Approval[] {
    return [...this.approvals.values()];
  }

  /** Answers the routes above, or undefined when the path is not theirs. */
  handle(method: string, path: string, query: URLSearchParams, body: string, token?: string): Answer | undefined {
    if (/^[^/]+\/_apis\/pipelines\/checks\/configurations$/.test(path)) return this.configurations(query);
    const one = /^[^/]+\/_apis\/pipelines\/approvals\/([0-9a-f-]{36})$/i.exec(path);
    if (one && method === 'GET') {
      const a = this.approvals.get(one[1].toLowerCase());
      return a
        ? json(200, this.view(a, query))
        : json(404, { message: `Approval ${one[1]} not found.`, typeKey: 'ApprovalNotFoundException' });
    }
    if (!/^[^/]+\/_apis\/pipelines\/approvals$/.test(path)) return undefined;
    if (method === 'PATCH') return this.update(body, token);
    if (method !== 'GET') return json(405, { message: `${method} is not supported.` });
    const ids = (query.get('approvalIds') ?? '').split(',').filter(Boolean);
    const state = query.get('state');
    const value = this.all()
      .filter((a) => !ids.length || ids.some((i) => i.toLowerCase() === a.id))
      .filter((a) => !state || (state === 'pending' ? a.status === 'pending' : a.status !== 'pending'))
      .map((a) => this.view(a, query));
    return json(200, { count: value.length, value });
  }

  /** `$expand=steps` adds the steps; without it the service leaves them out. */
  private view(a: Approval, query: URLSearchParams): Partial<Approval> {
    const expand = (query.get('$expand') ?? '').split(',');
    if (expand.includes('steps')) return a;
    const { steps: _steps, ...rest } = a;
    return rest;
  }

  private configurations(query: URLSearchParams): Answer {
    const type = query.get('resourceType');
    const id = query.get('resourceId');
    const value = this.checks
      .map((c, i) => ({ c, i, envId: this.envId(c.environment) }))
      .filter(({ envId }) => envId !== undefined)
      .filter(({ envId }) => (!type || type === 'environment') && (!id || String(envId) === id))
      .map(({ c, i, envId }) => ({
        id: i + 1,
        type: CHECK_TYPE_APPROVAL,
        resource: { type: 'environment', id: String(envId), name: c.environment },
        settings: {
          approvers: c.approvers,
          executionOrder: 'anyOrder',
          minRequiredApprovers: 0,
          instructions: c.instructions,
          blockedApprovers: [],
        },
        timeout: 43200,
      }));
    return json(200, { count: value.length, value });
  }

  private update(body: string, token?: string): Answer {
    const who = token ? this.tokens[token] : undefined;
    if (!who) return json(401, { message: 'TF400813: The user is not authorized to access this resource.' });
    let requests: { approvalId?: string; status?: string; comment?: string }[];
    try {
      requests = JSON.parse(body) as typeof requests;
      if (!Array.isArray(requests)) throw new Error('not an array');
    } catch {
      return json(400, { message: 'The request body must be a JSON array of approval updates.' });
    }
    const updated: Approval[] = [];
    for (const r of requests) {
      const a = this.approvals.get((r.approvalId ?? '').toLowerCase());
      if (!a)
        return json(404, { message: `Approval ${r.approvalId} not found.`, typeKey: 'ApprovalNotFoundException' });
      if (r.status !== 'approved' && r.status !== 'rejected')
        return json(400, { message: `Status '${r.status}' is not valid: use approved or rejected.` });
      const step = a.steps.find((s) => s.assignedApprover.id === who.id);
      if (!step) return json(403, { message: `${who.displayName} is not an approver of ${a.id}.` });
      if (a.status !== 'pending') return json(409, { message: `Approval ${a.id} was already ${a.status}.` });
      const now = new Date().toISOString();
      Object.assign(step, { actualApprover: who, status: r.status, comment: r.comment, lastModifiedOn: now });
      a.status = r.status;
      a.lastModifiedOn = now;
      updated.push(a);
    }
    for (const a of updated) {
      for (const resolve of this.waiters.get(a.id) ?? []) resolve(a);
      this.waiters.delete(a.id);
    }
    return json(200, { count: updated.length, value: updated });
  }
}
