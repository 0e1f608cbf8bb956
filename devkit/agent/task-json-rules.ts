/**
 * The rules microsoft/azure-pipelines-task-lib's tasks.schema.json states for a task.json, checked by
 * code written here (the schema file is not copied): field types, required fields, patterns, enums,
 * the closed sets of properties, friendlyName ≤ 40 characters (its description: "Must be <= 40
 * chars"; tfx warns that longer "will be treated as an error"), and the execution handlers it lists.
 */
type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const GUID = /^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const TOP: Record<string, string> = {
  $schema: 'string',
  id: 'string',
  name: 'string',
  friendlyName: 'string',
  description: 'string',
  helpUrl: 'string',
  helpMarkDown: 'string',
  author: 'string',
  preview: 'boolean',
  deprecated: 'boolean',
  deprecationMessage: 'string',
  removalDate: 'string',
  showEnvironmentVariables: 'boolean',
  runsOn: 'array',
  visibility: 'array',
  category: 'string',
  groups: 'array',
  demands: 'array',
  minimumAgentVersion: 'string',
  version: 'object',
  instanceNameFormat: 'string',
  releaseNotes: 'string',
  inputs: 'array',
  dataSourceBindings: 'array',
  sourceDefinitions: 'array',
  prejobexecution: 'object',
  execution: 'object',
  postjobexecution: 'object',
  messages: 'object',
  outputVariables: 'array',
  restrictions: 'object',
};
const CATEGORIES = [
  'Build',
  'Utility',
  'Test',
  'Package',
  'Deploy',
  'Azure Repos',
  'Azure Boards',
  'Azure Pipelines',
  'Azure Test Plans',
  'Azure Artifacts',
];
const RUNS_ON = ['Agent', 'MachineGroup', 'Server', 'ServerGate', 'DeploymentGroup'];
const HANDLERS = ['Node', 'Node10', 'Node16', 'Node20_1', 'Node24', 'PowerShell', 'PowerShell3'];
const INPUT_TYPES = [
  'boolean',
  'filePath',
  'multiLine',
  'pickList',
  'radio',
  'secureFile',
  'string',
  'int',
  'identities',
  'querycontrol',
];
const INPUT_KEYS: Record<string, string> = {
  name: 'string',
  label: 'string',
  type: 'string',
  defaultValue: 'string|boolean',
  required: 'boolean',
  helpMarkDown: 'string',
  groupName: 'string',
  visibleRule: 'string',
  properties: 'object',
  options: 'object',
  aliases: 'array',
};
const TRUE_FALSE = ['True', 'False'];
const INPUT_PROPERTIES: Record<string, { type: 'string' | 'boolean'; oneOf?: string[]; pattern?: RegExp }> = {
  EditableOptions: { type: 'string', oneOf: TRUE_FALSE },
  MultiSelect: { type: 'string', oneOf: TRUE_FALSE },
  MultiSelectFlatList: { type: 'string', oneOf: TRUE_FALSE },
  DisableManageLink: { type: 'string', oneOf: TRUE_FALSE },
  IsSearchable: { type: 'string', oneOf: TRUE_FALSE },
  PopulateDefaultValue: { type: 'string', oneOf: TRUE_FALSE },
  isVariableOrNonNegativeNumber: { type: 'string', oneOf: ['true', 'false'] },
  resizable: { type: 'boolean' },
  rows: { type: 'string', pattern: /^\d+$/ },
  maxLength: { type: 'string', pattern: /^\d+$/ },
  editorExtension: { type: 'string' },
  EndpointFilterRule: { type: 'string' },
};

function typeOk(v: Json, type: string): boolean {
  return type.split('|').some((t) => (t === 'array' ? Array.isArray(v) : t === 'object' ? isObj(v) : typeof v === t));
}

function closed(where: string, obj: Record<string, Json>, keys: Record<string, string>, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!(k in keys)) out.push(`${where}: property '${k}' is not allowed`);
    else if (!typeOk(v, keys[k])) out.push(`${where}.${k}: must be ${keys[k].replace('|', ' or ')}`);
  }
}

function stringsIn(where: string, v: Json, allowed: string[] | undefined, out: string[]): void {
  if (!Array.isArray(v)) return;
  v.forEach((s, i) => {
    if (typeof s !== 'string') out.push(`${where}[${i}]: must be a string`);
    else if (allowed && !allowed.includes(s)) out.push(`${where}[${i}]: '${s}' is not one of ${allowed.join(', ')}`);
  });
}

function checkInput(where: string, input: Json, out: string[]): void {
  if (!isObj(input)) return void out.push(`${where}: must be an object`);
  closed(where, input, INPUT_KEYS, out);
  for (const k of ['name', 'label', 'type']) if (!(k in input)) out.push(`${where}: '${k}' is required`);
  if (typeof input.name === 'string' && !/^[A-Za-z][A-Za-z0-9]*$/.test(input.name))
    out.push(`${where}.name: '${input.name}' must match ^[A-Za-z][A-Za-z0-9]*$`);
  const t = input.type;
  if (typeof t === 'string' && !INPUT_TYPES.includes(t) && !/^connectedService:.+$/.test(t))
    out.push(`${where}.type: '${t}' is not a known input type`);
  stringsIn(`${where}.aliases`, input.aliases, undefined, out);
  if (isObj(input.properties)) {
    for (const [k, v] of Object.entries(input.properties)) {
      const rule = INPUT_PROPERTIES[k];
      if (!rule) continue; // the schema leaves other properties open
      if (typeof v !== rule.type)
        out.push(`${where}.properties.${k}: must be a ${rule.type}, not ${JSON.stringify(v)}`);
      else if (rule.oneOf && !rule.oneOf.includes(String(v)))
        out.push(`${where}.properties.${k}: must be one of ${rule.oneOf.join(', ')}`);
      else if (rule.pattern && !rule.pattern.test(String(v)))
        out.push(`${where}.properties.${k}: must match ${rule.pattern}`);
    }
  }
}

function checkExecution(where: string, exec: Json, out: string[]): void {
  if (!isObj(exec)) return;
  for (const [handler, target] of Object.entries(exec)) {
    if (!HANDLERS.includes(handler)) out.push(`${where}: handler '${handler}' is not one of ${HANDLERS.join(', ')}`);
    else if (!isObj(target) || typeof target.target !== 'string')
      out.push(`${where}.${handler}: 'target' (a string) is required`);
  }
}

/** Every rule the task.json breaks, each naming the field; empty when it follows tasks.schema.json. */
export function taskJsonProblems(task: Json): string[] {
  const out: string[] = [];
  if (!isObj(task)) return ['task.json: must be an object'];
  closed('task', task, TOP, out);
  if (typeof task.id === 'string' && !GUID.test(task.id)) out.push(`task.id: '${task.id}' is not a GUID`);
  if (typeof task.name === 'string' && !/^[A-Za-z0-9-]+$/.test(task.name))
    out.push(`task.name: '${task.name}' must match ^[A-Za-z0-9\\-]+$`);
  if (typeof task.friendlyName === 'string' && task.friendlyName.length > 40) {
    out.push(`task.friendlyName: '${task.friendlyName}' is ${task.friendlyName.length} characters; at most 40`);
  }
  if (typeof task.category === 'string' && !CATEGORIES.includes(task.category))
    out.push(`task.category: '${task.category}' is not one of ${CATEGORIES.join(', ')}`);
  if (typeof task.minimumAgentVersion === 'string' && !/^\d+\.\d+(\.\d+)?$/.test(task.minimumAgentVersion))
    out.push('task.minimumAgentVersion: must look like 3.232.1');
  if (typeof task.removalDate === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(task.removalDate))
    out.push('task.removalDate: must be YYYY-MM-DD');
  stringsIn('task.runsOn', task.runsOn, RUNS_ON, out);
  stringsIn('task.visibility', task.visibility, ['Build', 'Release'], out);
  stringsIn('task.demands', task.demands, undefined, out);
  if (isObj(task.version)) {
    closed('task.version', task.version, { Major: 'number', Minor: 'number', Patch: 'number' }, out);
    for (const k of ['Major', 'Minor', 'Patch']) if (!(k in task.version)) out.push(`task.version: '${k}' is required`);
  }
  if (Array.isArray(task.groups)) {
    task.groups.forEach((g, i) => {
      if (!isObj(g)) return void out.push(`task.groups[${i}]: must be an object`);
      closed(
        `task.groups[${i}]`,
        g,
        { name: 'string', displayName: 'string', isExpanded: 'boolean', visibleRule: 'string' },
        out,
      );
      for (const k of ['name', 'displayName']) if (!(k in g)) out.push(`task.groups[${i}]: '${k}' is required`);
    });
  }
  if (Array.isArray(task.inputs)) task.inputs.forEach((input, i) => checkInput(`task.inputs[${i}]`, input, out));
  if (Array.isArray(task.outputVariables)) {
    task.outputVariables.forEach((v, i) => {
      if (!isObj(v)) return void out.push(`task.outputVariables[${i}]: must be an object`);
      closed(`task.outputVariables[${i}]`, v, { name: 'string', description: 'string' }, out);
      if (typeof v.name !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(v.name))
        out.push(`task.outputVariables[${i}].name: must match ^[A-Za-z][A-Za-z0-9]*$`);
    });
  }
  if (isObj(task.restrictions)) {
    closed('task.restrictions', task.restrictions, { commands: 'object', settableVariables: 'object' }, out);
    const { commands, settableVariables } = task.restrictions;
    if (isObj(commands)) {
      closed('task.restrictions.commands', commands, { mode: 'string' }, out);
      if (commands.mode !== undefined && !['any', 'restricted'].includes(String(commands.mode)))
        out.push("task.restrictions.commands.mode: must be 'any' or 'restricted'");
    }
    if (isObj(settableVariables)) {
      closed('task.restrictions.settableVariables', settableVariables, { allowed: 'array' }, out);
      stringsIn('task.restrictions.settableVariables.allowed', settableVariables.allowed, undefined, out);
    }
  }
  for (const k of ['execution', 'prejobexecution', 'postjobexecution']) checkExecution(`task.${k}`, task[k], out);
  return out;
}
