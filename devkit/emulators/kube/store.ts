import { randomUUID } from 'node:crypto';
import { JsonObject, clone, fieldsV1 } from './patch';
import { DEFAULT_RESOURCES, ResourceType } from './resources';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** Who caused a change: a client request, a simulated controller, or the test itself. */
export type ChangeSource = 'api' | 'controller' | 'test';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: JsonObject;
  source: ChangeSource;
}

interface Ownership {
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  paths: Map<string, string[]>;
}

export interface Entry {
  type: ResourceType;
  obj: JsonObject;
  /** Server-side apply field ownership per manager (rendered into metadata.managedFields). */
  owners: Map<string, Ownership>;
}

/** All objects, keyed by group, plural, namespace and name; one global resourceVersion counter like etcd's revision. */
export class ObjectStore {
  readonly types: ResourceType[] = [...DEFAULT_RESOURCES];
  private readonly entries = new Map<string, Entry>();
  private revision = 1000;
  private readonly listeners: ((e: StoreEvent) => void)[] = [];

  /** Adds a resource type, or replaces the one with the same group and plural (stored objects stay). */
  register(t: ResourceType): void {
    const i = this.types.findIndex((x) => x.group === t.group && x.plural === t.plural);
    if (i >= 0) this.types.splice(i, 1);
    this.types.push(t);
    for (const e of this.entries.values()) if (e.type.group === t.group && e.type.plural === t.plural) e.type = t;
  }

  typeFor(group: string, version: string | undefined, plural: string): ResourceType | undefined {
    return this.types.find(
      (t) => t.group === group && t.plural === plural && (!version || t.versions.includes(version)),
    );
  }

  typeForKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.kind === kind && t.versions.includes(version));
  }

  currentRevision(): string {
    return String(this.revision);
  }

  private key(t: ResourceType, ns: string | undefined, name: string): string {
    return `${t.group}|${t.plural}|${t.namespaced ? (ns ?? '') : ''}|${name}`;
  }

  get(t: ResourceType, ns: string | undefined, name: string): Entry | undefined {
    return this.entries.get(this.key(t, ns, name));
  }

  list(t: ResourceType, ns?: string): Entry[] {
    return [...this.entries.values()].filter(
      (e) =>
        e.type.group === t.group &&
        e.type.plural === t.plural &&
        (!ns || !t.namespaced || (e.obj.metadata as JsonObject).namespace === ns),
    );
  }

  /** Stores a new object, filling the fields only the server sets. */
  create(t: ResourceType, obj: JsonObject, source: ChangeSource): Entry {
    const meta = obj.metadata as JsonObject;
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.generation = 1;
    meta.resourceVersion = String(++this.revision);
    const entry: Entry = { type: t, obj, owners: new Map() };
    this.entries.set(this.key(t, meta.namespace as string | undefined, meta.name as string), entry);
    this.emit({ type: 'ADDED', resource: t, object: clone(obj), source });
    return entry;
  }

  /** Replaces an object's content; bumps resourceVersion (and generation when `specChanged`). */
  update(entry: Entry, obj: JsonObject, specChanged: boolean, source: ChangeSource): Entry {
    const meta = obj.metadata as JsonObject;
    const old = entry.obj.metadata as JsonObject;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.generation = (old.generation as number) + (specChanged ? 1 : 0);
    meta.resourceVersion = String(++this.revision);
    entry.obj = obj;
    this.emit({ type: 'MODIFIED', resource: entry.type, object: clone(obj), source });
    return entry;
  }

  /** A concurrent writer elsewhere: the object's resourceVersion moves, nothing else does. */
  touch(entry: Entry): void {
    (entry.obj.metadata as JsonObject).resourceVersion = String(++this.revision);
    this.emit({ type: 'MODIFIED', resource: entry.type, object: clone(entry.obj), source: 'test' });
  }

  remove(entry: Entry, source: ChangeSource): void {
    const meta = entry.obj.metadata as JsonObject;
    this.entries.delete(this.key(entry.type, meta.namespace as string | undefined, meta.name as string));
    meta.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resource: entry.type, object: clone(entry.obj), source });
  }

  on(listener: (e: StoreEvent) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private emit(e: StoreEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  /** The object as a client receives it: requested apiVersion and managedFields rendered. */
  render(entry: Entry, version: string): JsonObject {
    const out = clone(entry.obj);
    out.apiVersion = entry.type.group ? `${entry.type.group}/${version}` : version;
    out.kind = entry.type.kind;
    const managed = [...entry.owners.entries()]
      .filter(([, o]) => o.paths.size)
      .map(([manager, o]) => ({
        manager,
        operation: o.operation,
        apiVersion: o.apiVersion,
        time: o.time,
        fieldsType: 'FieldsV1',
        fieldsV1: fieldsV1([...o.paths.values()]),
      }));
    if (managed.length) (out.metadata as JsonObject).managedFields = managed;
    return out;
  }
}
