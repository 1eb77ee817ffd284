import type { NewEvent } from '../event-store/event-store.js';
import { ageBandAtEntry, ageOn, isUnder26On } from '../parcours/domain/age.js';
import type { CommandActor, ParcoursCommand } from '../parcours/domain/commands.js';
import { decide } from '../parcours/domain/parcours-decider.js';
import { ParcoursRuleError } from '../parcours/domain/errors.js';
import type {
  ActionKind,
  Barriers,
  EmploymentContractEndReason,
  EmploymentContractKind,
  EncryptedValue,
  EngagementContractKind,
  ExitCategory,
  ExitReason,
  ParcoursType,
  StructureKind,
} from '../parcours/domain/events.js';
import { PLEIN_EMPLOI_FROM, SUSPENSION_REMOBILISATION_FROM, latestSanctionEnd, regimeOfDate } from '../parcours/domain/regimes.js';
import { type ParcoursState, evolve, openEmploymentContract, openEngagementContract } from '../parcours/domain/state.js';
import type { Identity } from '../privacy/identity.js';
import { AMBERT, BILLOM, DEMO_ORGANISATIONS, type DtsTerritory, ENTRE_DORE, THIERS, demoPartnerId } from './consortium.js';
import { type SeededRandom, addDays, daysBetween } from './random.js';

/**
 * The life of one parcours of the demo, as the consortium's caseworkers would have recorded it day
 * after day since 2021: every step is a command of the parcours decider, decided on the state the
 * steps before it made, so the events are exactly those the service would have written. Dates are
 * business dates in the past (the events' `occurredAt` and their data); the history stops on the
 * day of the load. Delays are mostly within the continuity rules' thresholds, with the share of
 * late steps a real territory shows (late orientations, contracts not renewed, no contact for
 * months, employment ended with nothing next…), so that the continuity pages have something true
 * to show.
 */

/** Encrypts under the parcours' data key (the loader holds it): the identity and the contact notes. */
export interface Sealer {
  seal(value: unknown): EncryptedValue;
}

export interface DemoHistory {
  parcoursId: string;
  identity: Identity;
  householdRole: 'demandeur' | 'conjoint';
  events: NewEvent[];
  state: ParcoursState;
  /** The business date of the last caseworker command: the retention clock (last_activity_on). */
  lastActivityOn: string;
  /** Commands the decider refused (a generator bug; the test requires none). */
  refused: Array<{ type: string; code: string; message: string }>;
}

/** The service's first days of the SPIE experimentation of Thiers. */
export const DEMO_HISTORY_STARTS_ON = '2021-01-04';

class EndOfHistory extends Error {}

/** A command as a step states it: the recorder adds the parcours and the context. */
type Step = ParcoursCommand extends infer C ? (C extends ParcoursCommand ? Omit<C, 'parcoursId' | 'context'> : never) : never;

interface Caseworker {
  userId: string;
  partnerId: string;
}

const partnerIds = new Map(DEMO_ORGANISATIONS.map((organisation) => [organisation.key, demoPartnerId(organisation.key)]));
function partnerOf(key: string): string {
  const id = partnerIds.get(key);
  if (!id) throw new Error(`no demo organisation ${key}`);
  return id;
}
function referentsOf(key: string): Caseworker[] {
  const organisation = DEMO_ORGANISATIONS.find((candidate) => candidate.key === key)!;
  return organisation.members.filter((member) => member.roles.includes('referent')).map((member) => ({ userId: member.userId, partnerId: partnerOf(key) }));
}

/** Who takes the parcours of each kind, per EPCI (the organisations serving it). */
const ORGANISMES: Record<DtsTerritory, { emploi: string; jeunes: string; socio: string[]; social: string[]; aci: string; ei: string; ai: string; employers: string[]; interim: string; commune: string }> = {
  [THIERS]: { emploi: 'ft-thiers', jeunes: 'ml-thiers', socio: ['cd63', 'asso-passerelle', 'asso-passerelle', 'asso-numerique'], social: ['cd63', 'cd63', 'ccas-thiers', 'ccas-courpiere'], aci: 'aci-jardins', ei: 'ei-coutellerie', ai: 'ai-dore', employers: ['coutellerie-durolle', 'ch-thiers'], interim: 'interim-thiers', commune: 'commune-thiers' },
  [AMBERT]: { emploi: 'ft-ambert', jeunes: 'ml-thiers', socio: ['cd63', 'asso-mobilite', 'asso-sante'], social: ['cd63', 'ccas-ambert', 'asso-sante'], aci: 'aci-ressourcerie', ei: 'ei-coutellerie', ai: 'ai-livradois', employers: ['ehpad-ambert', 'transports-livradois'], interim: 'interim-ambert', commune: 'commune-ambert' },
  [BILLOM]: { emploi: 'ft-cournon', jeunes: 'ml-clermont', socio: ['cd63', 'asso-familles', 'centre-social-billom'], social: ['cd63', 'ccas-billom', 'centre-social-billom'], aci: 'aci-patrimoine', ei: 'ei-batiment', ai: 'ai-dore', employers: ['scierie-billom', 'supermarche-lezoux'], interim: 'interim-thiers', commune: 'commune-thiers' },
  [ENTRE_DORE]: { emploi: 'ft-thiers', jeunes: 'ml-thiers', socio: ['cd63', 'asso-passerelle', 'asso-numerique'], social: ['cd63', 'ccas-lezoux'], aci: 'aci-patrimoine', ei: 'ei-batiment', ai: 'ai-dore', employers: ['plasturgie-dore', 'supermarche-lezoux'], interim: 'interim-thiers', commune: 'commune-thiers' },
};

/** Towns of each EPCI with their postal code, for addresses. */
const TOWNS: Record<DtsTerritory, ReadonlyArray<readonly [string, string]>> = {
  [THIERS]: [['Thiers', '63300'], ['Thiers', '63300'], ['Courpière', '63120'], ['Saint-Rémy-sur-Durolle', '63550'], ['Puy-Guillaume', '63290'], ['Celles-sur-Durolle', '63250']],
  [AMBERT]: [['Ambert', '63600'], ['Ambert', '63600'], ['Arlanc', '63220'], ['Cunlhat', '63590'], ['Saint-Anthème', '63660'], ['Viverols', '63840']],
  [BILLOM]: [['Billom', '63160'], ['Billom', '63160'], ['Vic-le-Comte', '63270'], ['Saint-Julien-de-Coppel', '63160'], ['Égliseneuve-près-Billom', '63160']],
  [ENTRE_DORE]: [['Lezoux', '63190'], ['Lezoux', '63190'], ['Maringues', '63350'], ['Joze', '63350'], ['Peschadoires', '63920']],
};
const STREETS = ['rue de la République', 'avenue du Général-de-Gaulle', 'rue des Couteliers', 'place de la Mairie', 'chemin des Prés', 'rue du Pont', 'route de Clermont', 'rue Pasteur', 'allée des Tilleuls', 'rue de la Durolle'];
const FIRST_F = ['Marie', 'Léa', 'Chloé', 'Manon', 'Sarah', 'Inès', 'Julie', 'Laura', 'Émilie', 'Nadia', 'Sandrine', 'Nathalie', 'Christine', 'Sylvie', 'Aïcha', 'Fatou', 'Océane', 'Amandine', 'Jessica', 'Audrey', 'Céline', 'Karine', 'Stéphanie', 'Mélanie', 'Yasmina', 'Agathe', 'Lucie', 'Anaïs', 'Morgane', 'Patricia'];
const FIRST_M = ['Lucas', 'Hugo', 'Thomas', 'Kevin', 'Nicolas', 'Julien', 'Maxime', 'Alexandre', 'Mehdi', 'Youssef', 'David', 'Christophe', 'Sébastien', 'Frédéric', 'Patrick', 'Mamadou', 'Dylan', 'Anthony', 'Jordan', 'Florian', 'Romain', 'Jérémy', 'Bruno', 'Éric', 'Hakim', 'Loïc', 'Quentin', 'Mickaël', 'Gérard', 'Alain'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Durand', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Faure', 'André', 'Mercier', 'Blanc', 'Guerin', 'Boyer', 'Garnier', 'Chevalier', 'Legrand', 'Gauthier', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Chabrol', 'Bouchet', 'Chassagne', 'Vernet', 'Pourrat', 'Tixier', 'Chomette', 'Gidon', 'Dauphin', 'Bardin', 'Amrani', 'Benali', 'Diallo', 'Traoré', 'Nguyen', 'Ferreira', 'Da Silva', 'Rodrigues', 'Yilmaz', 'Haddad'];
const NOTES = [
  'Point téléphonique : démarches de mobilité en cours (permis B).',
  'Entretien : recherche de solution de garde pour reprendre une formation.',
  'Échange sur le projet professionnel ; orientation vers une immersion.',
  'Relance après rendez-vous manqué ; nouveau rendez-vous fixé.',
  'Aide au dossier de logement ; lien avec le CCAS.',
  'Candidature envoyée à une structure d’insertion ; réponse attendue.',
];

export interface PersonKeys {
  /** Keys already taken (NIR, allocataire, name and birth date): one open parcours per person. */
  taken: Set<string>;
}

/** A made-up person of the territory, never the same twice (their identifiers are unique across the load). */
function person(rng: SeededRandom, territory: DtsTerritory, entryOn: string, source: 'caf' | 'msa', keys: PersonKeys): Identity {
  for (;;) {
    const woman = rng.chance(0.56);
    const firstName = rng.pick(woman ? FIRST_F : FIRST_M);
    const lastName = rng.chance(0.08) ? `${rng.pick(LAST)}-${rng.pick(LAST)}` : rng.pick(LAST);
    const age = rng.weighted<[number, number]>([
      [[18, 25], 22],
      [[26, 49], 58],
      [[50, 62], 20],
    ]);
    const birthYear = Number(entryOn.slice(0, 4)) - rng.between(age[0], age[1]);
    const birthDate = `${birthYear}-${String(rng.between(1, 12)).padStart(2, '0')}-${String(rng.between(1, 28)).padStart(2, '0')}`;
    if (birthDate > entryOn || ageOn(birthDate, entryOn) < 18) continue;
    const body = `${woman ? 2 : 1}${String(birthYear % 100).padStart(2, '0')}${birthDate.slice(5, 7)}63${rng.digits(6)}`;
    const nir = `${body}${String(97 - Number(BigInt(body) % 97n)).padStart(2, '0')}`;
    const allocataire = { organism: source, number: rng.digits(7) };
    const nameKey = `${lastName}|${firstName}|${birthDate}`;
    const identifiers = [`nir:${nir}`, `alloc:${source}:${Number(allocataire.number)}`, `name:${nameKey}`];
    if (identifiers.some((key) => keys.taken.has(key))) continue;
    for (const key of identifiers) keys.taken.add(key);
    const [city, postalCode] = rng.pick(TOWNS[territory]);
    return {
      firstName,
      lastName,
      birthDate,
      nir: rng.chance(0.92) ? nir : null,
      allocataire,
      address: { line1: `${rng.between(1, 60)} ${rng.pick(STREETS)}`, line2: null, postalCode, city },
      phone: rng.chance(0.7) ? `06${rng.digits(8)}` : null,
      email: rng.chance(0.3) ? `${firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase() + '@example.org' : null,
    };
  }
}

/** Records the steps of one parcours through the decider. */
class Recorder {
  state: ParcoursState | null = null;
  readonly events: NewEvent[] = [];
  readonly refused: DemoHistory['refused'] = [];
  lastActivityOn: string;

  constructor(
    readonly parcoursId: string,
    readonly today: string,
    private readonly rng: SeededRandom,
    entryOn: string,
  ) {
    this.lastActivityOn = entryOn;
  }

  /** Stops the history when a step would come after today. */
  on(date: string): string {
    if (date > this.today) throw new EndOfHistory();
    return date;
  }

  record(actor: CommandActor, date: string, command: Step): boolean {
    const full = { ...command, parcoursId: this.parcoursId, context: { today: this.today, actor } } as ParcoursCommand;
    let decided;
    try {
      decided = decide(full, this.state);
    } catch (error) {
      if (!(error instanceof ParcoursRuleError)) throw error;
      this.refused.push({ type: command.type, code: error.code, message: error.message });
      return false;
    }
    if (decided.length === 0) return true;
    this.state = decided.reduce(evolve, this.state);
    const metadata = {
      actor: { ...(actor.userId ? { userId: actor.userId } : {}), partnerId: actor.partnerId, role: actor.role },
      correlationId: this.rng.uuid(),
      causationId: null,
      occurredAt: date,
    };
    for (const event of decided) this.events.push({ eventId: this.rng.uuid(), type: event.type, data: event.data, metadata });
    if (date > this.lastActivityOn) this.lastActivityOn = date;
    return true;
  }

  get current(): ParcoursState {
    return this.state!;
  }
}

export interface HistoryOptions {
  parcoursId: string;
  rng: SeededRandom;
  today: string;
  keys: PersonKeys;
  sealer: Sealer;
}

const TERRITORY_WEIGHTS: ReadonlyArray<readonly [DtsTerritory, number]> = [
  [THIERS, 40],
  [AMBERT, 24],
  [ENTRE_DORE, 20],
  [BILLOM, 16],
];

/** One parcours, from its entry (a day between 2021 and today) to today. */
export function demoHistory(options: HistoryOptions): DemoHistory {
  const { rng, today, parcoursId, sealer } = options;
  const span = daysBetween(DEMO_HISTORY_STARTS_ON, today);
  // Entrants arrive all along; a few more lately (the 2025 law registers more people).
  const entryOn = addDays(DEMO_HISTORY_STARTS_ON, Math.floor(span * Math.pow(rng.next(), 0.9)));
  const territory = rng.weighted(TERRITORY_WEIGHTS);
  const source = rng.weighted<'caf' | 'msa'>([
    ['caf', 90],
    ['msa', 10],
  ]);
  const identity = person(rng, territory, entryOn, source, options.keys);
  const householdRole = rng.chance(0.85) ? 'demandeur' : 'conjoint';
  const recorder = new Recorder(parcoursId, today, rng, entryOn);
  const cd63 = partnerOf('cd63');
  const orientationManager: CommandActor = { userId: territory === AMBERT ? 'orientation.ambert' : 'orientation.thiers', partnerId: cd63, role: 'orientation_manager' };
  try {
    simulate(recorder, rng, { identity, householdRole, territory, source, entryOn, orientationManager, sealer });
  } catch (error) {
    if (!(error instanceof EndOfHistory)) throw error;
  }
  return { parcoursId, identity, householdRole, events: recorder.events, state: recorder.current, lastActivityOn: recorder.lastActivityOn, refused: recorder.refused };
}

interface Facts {
  identity: Identity;
  householdRole: 'demandeur' | 'conjoint';
  territory: DtsTerritory;
  source: 'caf' | 'msa';
  entryOn: string;
  orientationManager: CommandActor;
  sealer: Sealer;
}

function barriers(rng: SeededRandom, type: ParcoursType): Barriers {
  const level = (strong: number, medium: number) => rng.weighted<'strong' | 'medium' | 'none'>([
    ['strong', strong],
    ['medium', medium],
    ['none', 1 - strong - medium],
  ]);
  const heavy = type === 'social' ? 2 : type === 'socio_professionnel' ? 1 : 0.4;
  return {
    mobility: level(0.2 * heavy, 0.25),
    family: level(0.12 * heavy, 0.2),
    health: level(0.15 * heavy, 0.2),
    literacy: level(0.05 * heavy, 0.1),
    housing: level(0.12 * heavy, 0.2),
    finances: level(0.2 * heavy, 0.3),
    administrative: level(0.08 * heavy, 0.2),
    digital: level(0.1 * heavy, 0.25),
    language: level(0.03 * heavy, 0.05),
  };
}

function simulate(recorder: Recorder, rng: SeededRandom, facts: Facts): void {
  const { identity, territory, entryOn, orientationManager } = facts;
  const organismes = ORGANISMES[territory];
  const ageAtEntry = ageOn(identity.birthDate, entryOn);
  const young = ageAtEntry < 26;

  // Entry: opened by the Département, which follows the parcours from its entry (as the service does).
  recorder.record(orientationManager, entryOn, {
    type: 'OpenParcours',
    identity: facts.sealer.seal(identity),
    householdRole: facts.householdRole,
    rsaSocle: true,
    entryOn,
    territory,
    source: facts.source,
    ageBandAtEntry: ageBandAtEntry(identity.birthDate, entryOn),
    ...(rng.chance(0.08) ? { rsaRights: 'socle_majore' as const } : {}),
  });
  recorder.record(orientationManager, entryOn, { type: 'JoinFollowUpGroup', partner: { partnerId: orientationManager.partnerId, active: true }, joinedOn: entryOn });

  const parcoursType = rng.weighted<ParcoursType>([
    ['emploi', young ? 40 : 48],
    ['socio_professionnel', 32],
    ['social', 20],
  ]);
  let day = entryOn;
  const advance = (days: number) => (day = recorder.on(addDays(day, days)));

  if (rng.chance(0.9)) {
    advance(rng.between(3, 20));
    recorder.record(orientationManager, day, { type: 'RecordDiagnostic', barriers: barriers(rng, parcoursType), recentActivity: rng.pick(['job_seeker_under_12_months', 'job_seeker_12_to_24_months', 'job_seeker_24_months_and_over', 'inactive', 'never_worked', 'employed'] as const), qualificationLevel: rng.pick(['infra_3', 'infra_3', '3', '3', '4', '5', '6_plus'] as const), diagnosedOn: day });
  }

  // Orientation: mostly within the six weeks, some late (R1), a few still waiting.
  if (rng.chance(0.03)) {
    advance(rng.between(200, 400));
    return;
  }
  day = recorder.on(addDays(entryOn, rng.chance(0.86) ? rng.between(12, 41) : rng.between(43, 110)));
  let organisme = chooseOrganisme(rng, parcoursType, young, organismes);
  const orientedOn = day;
  recorder.record(orientationManager, day, {
    type: 'DecideOrientation',
    parcoursType,
    organismeReferent: { partnerId: partnerOf(organisme), active: true },
    decidedBy: orientationManager.userId!,
    reason: rng.weighted([
      ['diagnostic_outcome', 70],
      ['beneficiary_choice', 12],
      ['multidisciplinary_team', 10],
      ['default_orientation', 4],
      ['other', 4],
    ] as const),
    decidedOn: day,
    notifiedOn: day >= PLEIN_EMPLOI_FROM || rng.chance(0.5) ? minDate(addDays(day, rng.between(0, 6)), recorder.today) : null,
  });

  // The référent unique: named within two weeks mostly (R4 beyond 15 days).
  let referent = pickReferent(rng, organisme);
  const named = rng.chance(0.97);
  if (!named) {
    advance(rng.between(20, 200));
    return;
  }
  day = recorder.on(addDays(orientedOn, rng.chance(0.9) ? rng.between(1, 14) : rng.between(16, 55)));
  recorder.record(orientationManager, day, { type: 'AssignReferent', referent: { userId: referent.userId, partnerId: referent.partnerId, roles: ['referent'], partnerActive: true }, assignedOn: day });
  let actor: CommandActor = { userId: referent.userId, partnerId: referent.partnerId, role: 'referent' };

  // First accompaniment appointment (R3: within 30 days of the orientation).
  const firstAppointment = addDays(orientedOn, rng.chance(0.85) ? rng.between(5, 28) : rng.between(31, 70));
  day = recorder.on(firstAppointment > day ? firstAppointment : addDays(day, rng.between(1, 7)));
  recorder.record(actor, day, { type: 'RecordAppointment', appointmentId: rng.uuid(), kind: 'accompaniment', scheduledOn: day, outcome: 'seen', partnerId: referent.partnerId });

  // The engagement contract: within the month (or two) of the orientation, some late (R2), a few never.
  let contractDueOn: string | null = rng.chance(0.95) ? addDays(orientedOn, rng.chance(0.82) ? rng.between(7, 28) : rng.between(35, 95)) : null;
  let nextReview = parcoursType === 'social' ? addDays(orientedOn, rng.between(150, rng.chance(0.8) ? 180 : 260)) : null;
  let currentType: ParcoursType = parcoursType;
  let employmentEnd: { contractId: string; on: string; reason: EmploymentContractEndReason; kind: EmploymentContractKind; months: number } | null = null;
  let nextStepAfterEmployment: string | null = null;
  let exitPlan: { on: string; category: ExitCategory; reason: ExitReason } | null = null;
  let suspension: { resumeOn: string; reason: 'remobilised' | 'term_reached' } | null = null;
  let ftRegistration = entryOn < PLEIN_EMPLOI_FROM && rng.chance(0.9) ? addDays(PLEIN_EMPLOI_FROM, rng.between(1, 80)) : null;
  let pendingReorientation: { decideOn: string; accept: boolean } | null = null;
  let handoverGap: { assignOn: string; to: Caseworker } | null = null;
  const actions: Array<{ actionId: string; nextOn: string; next: 'started' | 'completed' | 'abandoned' }> = [];

  let recordedBefore = -1;
  for (let step = 0; step < 600; step += 1) {
    const current = recorder.current;
    // A step that recorded nothing must not be taken again on the same day.
    const stalled = recorder.events.length === recordedBefore;
    recordedBefore = recorder.events.length;
    let target: string;
    if (current.status === 'suspended' && suspension !== null) target = suspension.resumeOn;
    else if (current.referent === null && handoverGap !== null) target = handoverGap.assignOn;
    else {
      // Time moves in steps of weeks; now and then months pass with no contact at all (R9).
      const next = addDays(day, rng.chance(0.07) ? rng.between(95, 150) : rng.between(14, 55));
      // Dated steps that fall due within this stretch happen first, in date order.
      const due = [contractDueOn, nextReview, employmentEnd?.on, nextStepAfterEmployment, exitPlan?.on, ftRegistration, pendingReorientation?.decideOn, ...actions.map((action) => action.nextOn)]
        .filter((date): date is string => date !== null && date !== undefined && date <= next)
        .sort()[0];
      target = due ?? next;
    }
    if (target < day) target = day;
    if (target === day && stalled) target = addDays(day, 1);
    day = recorder.on(target);
    const state = recorder.current;

    if (ftRegistration !== null && ftRegistration <= day) {
      recorder.record(orientationManager, day, { type: 'RecordFranceTravailRegistration', registeredOn: day });
      ftRegistration = null;
      continue;
    }
    if (suspension !== null && suspension.resumeOn <= day) {
      recorder.record(orientationManager, day, { type: 'ResumeParcours', resumedOn: day, reason: day >= SUSPENSION_REMOBILISATION_FROM ? suspension.reason : null });
      suspension = null;
      continue;
    }
    if (state.status === 'suspended') continue;
    if (handoverGap !== null && handoverGap.assignOn <= day) {
      const to = handoverGap.to;
      recorder.record(orientationManager, day, { type: 'AssignReferent', referent: { userId: to.userId, partnerId: to.partnerId, roles: ['referent'], partnerActive: true }, assignedOn: day });
      referent = to;
      actor = { userId: to.userId, partnerId: to.partnerId, role: 'referent' };
      handoverGap = null;
      continue;
    }
    if (exitPlan !== null && exitPlan.on <= day) {
      recorder.record(state.referent ? actor : orientationManager, day, { type: 'ExitParcours', category: exitPlan.category, reason: exitPlan.reason, exitedOn: day });
      exitPlan = null;
      // A few come back: their RSA rights reopen after a job ended or a move fell through.
      if (!rng.chance(0.1)) return;
      advance(rng.between(60, 400));
      recorder.record(orientationManager, day, { type: 'ReopenParcours', reason: rng.pick(['rsa_rights_reopened', 'employment_ended'] as const), reopenedOn: day });
      referent = pickReferent(rng, organisme);
      actor = { userId: referent.userId, partnerId: referent.partnerId, role: 'referent' };
      handoverGap = { assignOn: addDays(day, rng.between(3, 25)), to: referent };
      contractDueOn = addDays(day, rng.between(20, 60));
      employmentEnd = null;
      nextStepAfterEmployment = null;
      continue;
    }
    if (pendingReorientation !== null && pendingReorientation.decideOn <= day) {
      if (pendingReorientation.accept) {
        currentType = currentType === 'social' ? 'socio_professionnel' : currentType === 'socio_professionnel' ? rng.pick(['emploi', 'social'] as const) : 'socio_professionnel';
        organisme = chooseOrganisme(rng, currentType, isUnder26On(identity.birthDate, day), organismes);
        recorder.record(orientationManager, day, { type: 'DecideReorientation', accepted: true, parcoursType: currentType, organismeReferent: { partnerId: partnerOf(organisme), active: true }, decidedBy: orientationManager.userId!, decidedOn: day });
        const to = pickReferent(rng, organisme);
        if (to.userId !== referent.userId) {
          if (rng.chance(0.7)) {
            // The new référent takes over the same day: a handover, no gap.
            advance(rng.between(2, 12));
            recorder.record(orientationManager, day, { type: 'AssignReferent', referent: { userId: to.userId, partnerId: to.partnerId, roles: ['referent'], partnerActive: true }, assignedOn: day });
            referent = to;
            actor = { userId: to.userId, partnerId: to.partnerId, role: 'referent' };
          } else {
            // Released first, the next one named days later (R10 past a week).
            recorder.record(orientationManager, day, { type: 'ReleaseReferent', reason: 'reorientation', releasedOn: day });
            handoverGap = { assignOn: addDays(day, rng.chance(0.6) ? rng.between(1, 7) : rng.between(9, 40)), to };
          }
        }
        nextReview = currentType === 'social' ? addDays(day, rng.between(150, 200)) : null;
      } else {
        recorder.record(orientationManager, day, { type: 'DecideReorientation', accepted: false, rejectionReason: rng.pick(['current_orientation_suitable', 'request_withdrawn'] as const), decidedBy: orientationManager.userId!, decidedOn: day });
        if (currentType === 'social') nextReview = addDays(day, rng.between(150, 200));
      }
      pendingReorientation = null;
      continue;
    }
    if (state.referent === null && handoverGap === null) {
      handoverGap = { assignOn: addDays(day, rng.between(1, 10)), to: referent };
      continue;
    }
    if (state.referent === null) continue;

    if (nextReview !== null && nextReview <= day && currentType === 'social') {
      recorder.record(actor, day, { type: 'RecordDiagnostic', barriers: barriers(rng, currentType), recentActivity: 'inactive', qualificationLevel: rng.pick(['infra_3', '3', '4'] as const), diagnosedOn: day });
      nextReview = addDays(day, rng.chance(0.8) ? rng.between(150, 180) : rng.between(200, 300));
      continue;
    }

    const engagement = openEngagementContract(state);
    if (contractDueOn !== null && contractDueOn <= day) {
      // Renewed before its term: the running contract is ended as replaced, the same day.
      if (engagement !== null && engagement.endsOn >= day) recorder.record(actor, day, { type: 'EndEngagementContract', contractId: engagement.contractId, endedOn: day, reason: 'replaced' });
      const kind = contractKind(rng, day, organisme);
      const months = kind === 'CEJ' || kind === 'PACEA' ? 12 : rng.pick([6, 6, 12]);
      const ce = kind === 'CE' ? activityHours(rng) : { weeklyActivityHours: kind === 'CEJ' ? 15 : 0, activityHoursAdjustment: null };
      recorder.record(actor, day, { type: 'SignEngagementContract', contractId: rng.uuid(), kind, signedOn: day, startsOn: day, endsOn: addDays(day, months * 30), ...ce });
      const endsOn = addDays(day, months * 30);
      // Renewed in the last weeks of its term, or left to lapse for a while (R5), rarely for good.
      contractDueOn = rng.chance(0.8) ? addDays(endsOn, -rng.between(0, 20)) : rng.chance(0.8) ? addDays(endsOn, rng.between(10, 140)) : null;
      continue;
    }

    for (const [index, action] of actions.entries()) {
      if (action.nextOn > day) continue;
      recorder.record(actor, day, { type: 'ChangeActionStatus', actionId: action.actionId, status: action.next, changedOn: day });
      if (action.next === 'started') actions[index] = { ...action, nextOn: addDays(day, rng.between(14, 120)), next: rng.chance(0.8) ? 'completed' : 'abandoned' };
      else actions.splice(index, 1);
      break;
    }

    if (employmentEnd !== null && employmentEnd.on <= day) {
      recorder.record(actor, day, { type: 'EndEmploymentContract', contractId: employmentEnd.contractId, endedOn: day, reason: employmentEnd.reason });
      // What comes next: a job that lasts, another contract, an action; or nothing for a while (R8).
      if (employmentEnd.reason === 'hired_permanent') exitPlan = { on: addDays(day, rng.between(0, 20)), category: 'emploi_durable', reason: 'cdi' };
      else nextStepAfterEmployment = addDays(day, rng.chance(0.7) ? rng.between(3, 28) : rng.between(35, 120));
      employmentEnd = null;
      continue;
    }
    if (nextStepAfterEmployment !== null && nextStepAfterEmployment <= day) {
      nextStepAfterEmployment = null;
      const roll = rng.next();
      if (roll < 0.35) exitPlan = { on: day, category: rng.pick(['emploi_durable', 'emploi_transition'] as const), reason: rng.pick(['cdd_6_months_or_more', 'cdd_under_6_months', 'interim', 'other_siae_hire'] as const) };
      else if (roll < 0.7) prescribe(recorder, rng, actor, day, actions, territory);
      else employmentEnd = startEmployment(recorder, rng, actor, day, facts, organismes);
      continue;
    }

    // An ordinary stretch: a contact or an appointment, and now and then something more.
    if (rng.chance(0.62)) {
      const note = rng.chance(0.25) ? facts.sealer.seal(rng.pick(NOTES)) : null;
      recorder.record(actor, day, { type: 'RecordContact', contactId: rng.uuid(), channel: rng.pick(['phone', 'phone', 'in_person', 'email', 'sms', 'video'] as const), contactedOn: day, partnerId: referent.partnerId, note });
    } else {
      recorder.record(actor, day, { type: 'RecordAppointment', appointmentId: rng.uuid(), kind: rng.chance(0.9) ? 'accompaniment' : 'other', scheduledOn: day, outcome: rng.weighted([['seen', 74], ['no_show', 16], ['excused', 7], ['cancelled', 3]] as const), partnerId: referent.partnerId });
    }
    if (exitPlan !== null || employmentEnd !== null || nextStepAfterEmployment !== null) continue;
    const roll = rng.next();
    const hasJob = openEmploymentContract(recorder.current) !== null;
    if (roll < 0.045 && !hasJob && currentType !== 'social') {
      employmentEnd = startEmployment(recorder, rng, actor, day, facts, organismes);
      if (employmentEnd && (employmentEnd.kind === 'CDI_EBE' || employmentEnd.kind === 'CDI')) {
        // A CDI (in an EBE or elsewhere) is a durable exit after the trial period.
        exitPlan = { on: addDays(day, rng.between(60, 180)), category: 'emploi_durable', reason: 'cdi' };
        employmentEnd = null;
      }
    } else if (roll < 0.08) {
      prescribe(recorder, rng, actor, day, actions, territory);
    } else if (roll < 0.095 && pendingReorientation === null) {
      recorder.record(actor, day, { type: 'RequestReorientation', requestedBy: actor.userId!, reason: rng.pick(['situation_changed', 'barriers_lifted', 'new_barriers', 'no_progress', 'beneficiary_request'] as const), requestedOn: day, proposedParcoursType: null });
      pendingReorientation = { decideOn: addDays(day, rng.chance(0.8) ? rng.between(5, 28) : rng.between(32, 75)), accept: rng.chance(0.7) };
    } else if (roll < 0.105) {
      suspension = suspend(recorder, rng, orientationManager, day);
    } else if (roll < 0.135) {
      exitPlan = { on: addDays(day, rng.between(0, 15)), ...otherExit(rng, ageOn(identity.birthDate, day)) };
    }
  }
}

function chooseOrganisme(rng: SeededRandom, type: ParcoursType, young: boolean, organismes: (typeof ORGANISMES)[DtsTerritory]): string {
  if (young && type !== 'social' && rng.chance(0.8)) return organismes.jeunes;
  if (type === 'emploi') return rng.chance(0.1) ? 'cap-emploi' : organismes.emploi;
  if (type === 'socio_professionnel') return rng.chance(0.12) ? organismes.aci : rng.pick(organismes.socio);
  return rng.pick(organismes.social);
}

function pickReferent(rng: SeededRandom, organisme: string): Caseworker {
  return rng.pick(referentsOf(organisme));
}

function contractKind(rng: SeededRandom, day: string, organisme: string): EngagementContractKind {
  if (organisme.startsWith('ml-')) return rng.chance(0.7) ? 'CEJ' : 'PACEA';
  if (regimeOfDate(day) === 'plein_emploi') return 'CE';
  return organisme.startsWith('ft-') || organisme === 'cap-emploi' ? 'PPAE' : 'CER';
}

/** The weekly activity of a contrat d'engagement: 15 hours or more, lowered or waived with a reason, or (R11) lowered without one. */
function activityHours(rng: SeededRandom): { weeklyActivityHours: number; activityHoursAdjustment: { kind: 'reduced' | 'exempted'; reason: 'health' | 'disability' | 'single_parent_without_childcare' | 'caregiver' | 'employed_part_time' | 'in_training' } | null } {
  const roll = rng.next();
  if (roll < 0.78) return { weeklyActivityHours: rng.between(15, 20), activityHoursAdjustment: null };
  if (roll < 0.9) return { weeklyActivityHours: rng.between(4, 12), activityHoursAdjustment: { kind: 'reduced', reason: rng.pick(['health', 'single_parent_without_childcare', 'caregiver', 'employed_part_time', 'in_training'] as const) } };
  if (roll < 0.95) return { weeklyActivityHours: 0, activityHoursAdjustment: { kind: 'exempted', reason: rng.pick(['health', 'disability'] as const) } };
  return { weeklyActivityHours: rng.between(5, 12), activityHoursAdjustment: null };
}

function prescribe(recorder: Recorder, rng: SeededRandom, actor: CommandActor, day: string, actions: Array<{ actionId: string; nextOn: string; next: 'started' | 'completed' | 'abandoned' }>, territory: DtsTerritory): void {
  const kind = rng.weighted<ActionKind>([
    ['training', 30],
    ['immersion_pmsmp', 20],
    ['mobility_aid', 15],
    ['digital', 12],
    ['health', 8],
    ['housing', 7],
    ['childcare', 5],
    ['other', 3],
  ]);
  const provider = kind === 'mobility_aid' ? 'asso-mobilite' : kind === 'digital' ? 'asso-numerique' : kind === 'health' && territory === AMBERT ? 'asso-sante' : null;
  const actionId = rng.uuid();
  recorder.record(actor, day, { type: 'PrescribeAction', actionId, kind, prescribedOn: day, providerPartnerId: provider ? partnerOf(provider) : null });
  const roll = rng.next();
  actions.push({ actionId, nextOn: addDays(day, rng.between(7, 45)), next: roll < 0.8 ? 'started' : roll < 0.9 ? 'completed' : 'abandoned' });
}

/** A job: PEC at a public employer, CDDI in an SIAE, a CDI in the EBE of Thiers, or the ordinary market. */
function startEmployment(
  recorder: Recorder,
  rng: SeededRandom,
  actor: CommandActor,
  day: string,
  facts: Facts,
  organismes: (typeof ORGANISMES)[DtsTerritory],
): { contractId: string; on: string; reason: EmploymentContractEndReason; kind: EmploymentContractKind; months: number } | null {
  const choices: Array<readonly [[EmploymentContractKind, StructureKind | null, string], number]> = [
    [['PEC', null, rng.pick([organismes.commune, ...organismes.employers.filter((key) => key.startsWith('ch-') || key.startsWith('ehpad-'))])], 22],
    [['CDDI', 'ACI', organismes.aci], 22],
    [['CDDI', 'EI', organismes.ei], 9],
    [['CDDI', 'ETTI', 'etti-auvergne'], 5],
    [['CDDI', 'AI', organismes.ai], 5],
    [['CDD', null, rng.pick(organismes.employers)], 14],
    [['INTERIM', null, organismes.interim], 9],
    [['CDI', null, rng.pick(organismes.employers)], 4],
  ];
  // The EBE hires long-term job seekers of its own territory (Thiers).
  if (facts.territory === THIERS) choices.push([['CDI_EBE', 'EBE', 'ebe-thiers'], 12]);
  const [kind, structureKind, employer] = rng.weighted(choices);
  const contractId = rng.uuid();
  const months = kind === 'PEC' ? rng.between(9, 12) : kind === 'CDDI' ? rng.between(4, 18) : kind === 'CDD' ? rng.between(2, 9) : kind === 'INTERIM' ? rng.between(1, 4) : 0;
  const plannedEndOn = months ? addDays(day, months * 30) : null;
  const employerPartnerId = partnerOf(employer);
  // An SIAE or the EBE joins the follow-up group: its conseiller(ère) follows the person at work.
  if (structureKind !== null) recorder.record(actor, day, { type: 'JoinFollowUpGroup', partner: { partnerId: employerPartnerId, active: true }, joinedOn: day });
  const started = recorder.record(actor, day, {
    type: 'StartEmploymentContract',
    contractId,
    kind,
    employerPartnerId,
    employerSiret: null,
    structureKind,
    weeklyHours: kind === 'PEC' ? rng.pick([20, 26, 26, 30, 35]) : kind === 'CDI_EBE' ? rng.pick([24, 28, 35]) : rng.pick([20, 24, 26, 30, 35, 35]),
    startsOn: day,
    plannedEndOn,
    beneficiaryUnder26AtStart: isUnder26On(facts.identity.birthDate, day),
  });
  if (!started) return null;
  if (plannedEndOn === null) return { contractId, on: '9999-12-31', reason: 'other', kind, months };
  const roll = rng.next();
  if (roll < 0.68) return { contractId, on: plannedEndOn, reason: 'term_reached', kind, months };
  if (roll < 0.8) return { contractId, on: addDays(day, rng.between(20, months * 30 - 1)), reason: 'hired_permanent', kind, months };
  return { contractId, on: addDays(day, rng.between(10, months * 30 - 1)), reason: rng.pick(['early_termination', 'resignation', 'trial_period_not_confirmed'] as const), kind, months };
}

function suspend(recorder: Recorder, rng: SeededRandom, orientationManager: CommandActor, day: string): { resumeOn: string; reason: 'remobilised' | 'term_reached' } {
  const reason = rng.pick(['engagement_contract_obligations_breached', 'appointment_missed', 'engagement_contract_refused'] as const);
  if (day >= SUSPENSION_REMOBILISATION_FROM) {
    const latest = latestSanctionEnd(day);
    const plannedEndOn = addDays(day, Math.min(rng.between(30, 120), daysBetween(day, latest)));
    recorder.record(orientationManager, day, { type: 'SuspendParcours', reason, suspendedOn: day, withheldShare: rng.pick([0.3, 0.5, 1]), plannedEndOn });
    return rng.chance(0.6) ? { resumeOn: addDays(day, rng.between(10, Math.max(11, daysBetween(day, plannedEndOn) - 1))), reason: 'remobilised' } : { resumeOn: plannedEndOn, reason: 'term_reached' };
  }
  recorder.record(orientationManager, day, { type: 'SuspendParcours', reason, suspendedOn: day });
  return { resumeOn: addDays(day, rng.between(30, 100)), reason: 'remobilised' };
}

function otherExit(rng: SeededRandom, age: number): { category: ExitCategory; reason: ExitReason } {
  const roll = rng.next();
  if (roll < 0.35) return { category: 'autre', reason: 'rsa_rights_closed' };
  if (roll < 0.5) return { category: 'autre', reason: 'moved_out_of_territory' };
  if (roll < 0.62) return { category: 'autre', reason: 'no_longer_reachable' };
  if (roll < 0.75) return { category: 'sortie_positive', reason: 'qualifying_training' };
  if (roll < 0.82 && age >= 60) return { category: 'autre', reason: 'retirement' };
  if (roll < 0.9) return { category: 'emploi_durable', reason: rng.pick(['cdi', 'cdd_6_months_or_more', 'business_creation'] as const) };
  return { category: 'emploi_transition', reason: rng.pick(['cdd_under_6_months', 'interim'] as const) };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
