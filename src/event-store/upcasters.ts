/**
 * Schema evolution (DESIGN §4): a stored event type is never renamed and old events stay readable
 * forever. A new shape gets a new schemaVersion, and an upcaster turns version n into n + 1 on read;
 * chains of them bring any stored version to the current one.
 */
export interface Upcaster {
  type: string;
  /** The version this upcaster reads; it returns the data of `fromVersion + 1`. */
  fromVersion: number;
  upcast(data: unknown): unknown;
}

export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();
  private readonly current = new Map<string, number>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  register(upcaster: Upcaster): this {
    const key = `${upcaster.type}@${upcaster.fromVersion}`;
    if (this.byKey.has(key)) throw new Error(`two upcasters for ${key}`);
    this.byKey.set(key, upcaster);
    this.current.set(upcaster.type, Math.max(this.currentVersion(upcaster.type), upcaster.fromVersion + 1));
    return this;
  }

  /** The schema version new events of `type` are written with. */
  currentVersion(type: string): number {
    return this.current.get(type) ?? 1;
  }

  upcast(type: string, schemaVersion: number, data: unknown): { schemaVersion: number; data: unknown } {
    let version = schemaVersion;
    let value = data;
    for (let upcaster = this.byKey.get(`${type}@${version}`); upcaster; upcaster = this.byKey.get(`${type}@${version}`)) {
      value = upcaster.upcast(value);
      version += 1;
    }
    return { schemaVersion: version, data: value };
  }
}
