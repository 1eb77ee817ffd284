/**
 * The beneficiary's identity: personal data, never in clear in an event, a read model, a log or a
 * stream id. It is encrypted under the beneficiary's own key (privacy/crypto) before it reaches the
 * decider, and decrypted only to answer an authorised caller.
 */
export interface Identity {
  firstName: string;
  lastName: string;
  birthDate: string;
  /** Numéro de sécurité sociale, 15 characters, checked with its key. */
  nir?: string | null;
  /** The household's file at the CAF or the MSA (shared by the demandeur and the conjoint). */
  allocataire?: { organism: 'caf' | 'msa'; number: string } | null;
  address?: { line1: string; line2?: string | null; postalCode: string; city: string } | null;
  phone?: string | null;
  email?: string | null;
}

export function isIdentity(value: unknown): value is Identity {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Identity>;
  return typeof candidate.firstName === 'string' && typeof candidate.lastName === 'string' && typeof candidate.birthDate === 'string';
}
