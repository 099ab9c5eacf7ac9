import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import canonicalize from 'canonicalize';
import { AccountingError } from '../accounting.errors';
import { parseCompound } from '../engine/units';
import packSchema from './pack.schema.json';

export type GasFamily = 'CO2' | 'CH4' | 'N2O' | 'SF6' | 'HFCs' | 'PFCs' | 'NF3';
export type Method =
  | 'fuel-combustion'
  | 'gas-mass'
  | 'purchased-energy'
  | 'exported-energy'
  | 'reported-co2e';
export type ParameterRole = 'ncv' | 'carbonContent' | 'oxidationRate' | 'gasMassFraction' | 'emissionFactor';
export type SourceCategory =
  | 'stationary-combustion'
  | 'mobile-combustion'
  | 'process'
  | 'purchased-electricity'
  | 'purchased-heat'
  | 'exported-electricity'
  | 'exported-heat'
  | 'indirect-other';

export interface Text {
  readonly zh?: string;
  readonly en: string;
}
export interface Citation {
  readonly document: string;
  readonly locator: string;
  readonly note?: string;
}
export interface SourceDocument {
  readonly id: string;
  readonly title: string;
  readonly issuer: string;
  readonly reference?: string;
  readonly year: number;
  readonly note?: string;
}
export interface PackParameter {
  readonly id: string;
  readonly name: Text;
  readonly value: string;
  readonly unit: string;
  readonly citation: Citation;
  readonly applicablePeriod?: { readonly from: string; readonly to: string };
}
export interface PackSourceType {
  readonly id: string;
  readonly title: Text;
  readonly category: SourceCategory;
  readonly method: Method;
  readonly gas: string;
  readonly scope: 1 | 2 | 3 | null;
  readonly isoCategory?: 1 | 2 | 3 | 4 | 5 | 6;
  readonly energyCarrier?: 'electricity' | 'heat';
  readonly formula?: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly citation?: Citation;
}
export interface PackDocument {
  readonly id: string;
  readonly version: string;
  readonly title: Text;
  readonly description?: string;
  readonly sourceDocuments: readonly SourceDocument[];
  readonly gwp: {
    readonly set: string;
    readonly citation: Citation;
    readonly values: Readonly<Record<string, { readonly value: string; readonly family: GasFamily }>>;
  };
  readonly parameters: readonly PackParameter[];
  readonly sourceTypes: readonly PackSourceType[];
  readonly scope2?: {
    readonly marketBased: {
      readonly instruments: readonly ('green-power-contract' | 'certificate')[];
      readonly residualFactor: readonly string[];
      readonly citation?: Citation;
    };
  };
  readonly exports: { readonly deductFromTotal: boolean; readonly citation?: Citation };
  readonly rounding: {
    readonly mode: 'ROUND_HALF_UP' | 'ROUND_HALF_EVEN' | 'ROUND_DOWN' | 'ROUND_UP';
    readonly decimalPlaces: number;
    readonly appliesTo: readonly ('lines' | 'totals' | 'intensity')[];
    readonly note?: string;
  };
  readonly reportTemplate: {
    readonly sections: readonly { readonly id: string; readonly title: Text; readonly content?: string }[];
  };
}

/** A validated pack with the SHA-256 (0x-prefixed hex) of its RFC 8785 canonical bytes. */
export interface Pack {
  readonly document: PackDocument;
  readonly hash: string;
  /** `${id}@${version}` */
  readonly ref: string;
}

/** Roles each method reads; `gasMassFraction` is optional for gas-mass (absent = the quantity is the gas). */
export const methodRoles: Readonly<Record<Method, readonly ParameterRole[]>> = {
  'fuel-combustion': ['ncv', 'carbonContent', 'oxidationRate'],
  'gas-mass': ['gasMassFraction'],
  'purchased-energy': ['emissionFactor'],
  'exported-energy': ['emissionFactor'],
  'reported-co2e': [],
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile(packSchema);

/** SHA-256 of the RFC 8785 canonical JSON of any JSON value, as 0x-prefixed lowercase hex. */
export const canonicalHash = (value: unknown): string => {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new AccountingError('PACK_INVALID', 'Value has no JSON form.');
  return `0x${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
};

const deepFreeze = <T>(v: T): T => {
  if (v !== null && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
};

const semanticErrors = (doc: PackDocument): string[] => {
  const errors: string[] = [];
  const docs = new Set(doc.sourceDocuments.map((d) => d.id));
  const checkCitation = (c: Citation | undefined, where: string) => {
    if (c && !docs.has(c.document)) errors.push(`${where}: unknown source document "${c.document}"`);
  };
  const unique = (ids: string[], what: string) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) errors.push(`duplicate ${what} id "${id}"`);
      seen.add(id);
    }
  };
  unique(
    doc.sourceDocuments.map((d) => d.id),
    'source document',
  );
  unique(
    doc.parameters.map((p) => p.id),
    'parameter',
  );
  unique(
    doc.sourceTypes.map((s) => s.id),
    'source type',
  );
  checkCitation(doc.gwp.citation, 'gwp');
  if (doc.gwp.values.CO2?.value !== '1') errors.push('gwp.values.CO2 must be "1"');
  const params = new Map(doc.parameters.map((p) => [p.id, p]));
  for (const p of doc.parameters) {
    checkCitation(p.citation, `parameter ${p.id}`);
    try {
      parseCompound(p.unit);
    } catch {
      errors.push(`parameter ${p.id}: unknown unit "${p.unit}"`);
    }
    if (p.applicablePeriod && p.applicablePeriod.from > p.applicablePeriod.to) {
      errors.push(`parameter ${p.id}: applicablePeriod.from after to`);
    }
  }
  for (const s of doc.sourceTypes) {
    checkCitation(s.citation, `source type ${s.id}`);
    if (s.method !== 'reported-co2e' && !Object.hasOwn(doc.gwp.values, s.gas)) {
      errors.push(`source type ${s.id}: gas "${s.gas}" has no GWP`);
    }
    const allowed = methodRoles[s.method];
    for (const [role, ids] of Object.entries(s.parameters)) {
      if (!(allowed as readonly string[]).includes(role)) {
        errors.push(`source type ${s.id}: role "${role}" not used by method ${s.method}`);
      }
      for (const id of ids)
        if (!params.has(id)) errors.push(`source type ${s.id}: unknown parameter "${id}"`);
    }
    for (const role of allowed) {
      if (role !== 'gasMassFraction' && !Object.hasOwn(s.parameters, role)) {
        errors.push(`source type ${s.id}: method ${s.method} needs role "${role}" (use [] for no default)`);
      }
    }
    if (s.category === 'purchased-electricity' && s.energyCarrier !== 'electricity') {
      errors.push(`source type ${s.id}: purchased electricity must declare energyCarrier "electricity"`);
    }
  }
  for (const id of doc.scope2?.marketBased.residualFactor ?? []) {
    if (!params.has(id)) errors.push(`scope2.marketBased.residualFactor: unknown parameter "${id}"`);
  }
  checkCitation(doc.scope2?.marketBased.citation, 'scope2.marketBased');
  checkCitation(doc.exports.citation, 'exports');
  return errors;
};

/**
 * Validates a pack (JSON text or parsed value) against `pack.schema.json` and the cross-references the
 * schema cannot express, and computes its content hash. Throws `PACK_INVALID`.
 */
export const loadPack = (json: unknown): Pack => {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new AccountingError('PACK_INVALID', `Not JSON: ${(e as Error).message}`);
    }
  }
  if (!validateSchema(value)) {
    const detail = (validateSchema.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new AccountingError('PACK_INVALID', detail);
  }
  const document = deepFreeze(structuredClone(value as unknown) as PackDocument);
  const errors = semanticErrors(document);
  if (errors.length > 0) throw new AccountingError('PACK_INVALID', errors.join('; '));
  return { document, hash: canonicalHash(value), ref: `${document.id}@${document.version}` };
};

/** Refuses a pack whose hash is not the one registered (on chain) for the accounting period. */
export const assertPackHash = (pack: Pack, expectedHash: string): void => {
  const expected = expectedHash.toLowerCase().startsWith('0x')
    ? expectedHash.toLowerCase()
    : `0x${expectedHash.toLowerCase()}`;
  if (pack.hash !== expected) {
    throw new AccountingError(
      'PACK_HASH_MISMATCH',
      `Pack ${pack.ref} has hash ${pack.hash} but the registered hash is ${expected}; refusing to calculate.`,
      { pack: pack.ref, actual: pack.hash, expected },
    );
  }
};
