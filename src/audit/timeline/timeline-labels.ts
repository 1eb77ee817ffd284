/**
 * The French words of the auditor's timeline: what each event is called and says (`describe`),
 * the vocabularies of the domain's unions, the names of rules and roles. Records keyed by the
 * domain unions: a value added to the catalogue without its label fails to compile. The lanes and
 * markers are timeline.ts'.
 */
import { type RuleId } from '../../continuity/policy.js';
import { isRole, type Role } from '../../access/roles.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import {
  type ActionKind,
  type ActivityHoursAdjustmentReason,
  type EngagementContractSignedData,
  type ResumptionReason,
  type ActionStatus,
  type AgeBand,
  type AppointmentKind,
  type AppointmentOutcome,
  type BarrierKind,
  type BarrierLevel,
  type ContactChannel,
  type EmploymentContractEndReason,
  type EmploymentContractKind,
  type EngagementContractEndReason,
  type EngagementContractKind,
  type ErasureLegalGround,
  type ExitCategory,
  type ExitReason,
  type HouseholdRole,
  type OrientationReason,
  type ParcoursEvent,
  type ParcoursSource,
  type ParcoursType,
  type QualificationLevel,
  type RecentActivity,
  type ReferentReleaseReason,
  type ReopenReason,
  type ReorientationReason,
  type ReorientationRejectionReason,
  type StructureKind,
  type SuspensionReason,
  type IdentityField,
  type RsaRights,
  type ProcessingRestrictionGround,
  type ProcessingRight,
} from '../../parcours/domain/events.js';

import { frenchDate, frenchNumber } from '../../kernel/french.js';

/** What labels need beyond one event: organisation names, and facts stated by earlier events. */
export class LabelContext {
  private readonly engagementKinds = new Map<string, EngagementContractKind>();
  private readonly employmentKinds = new Map<string, EmploymentContractKind>();
  private readonly actionKinds = new Map<string, ActionKind>();
  private readonly referentOrdinals = new Map<string, number>();

  constructor(readonly names: ReadonlyMap<string, string>) {}

  /** Called in business order before any label is written, so that ordinals follow the history. */
  learn(event: ParcoursEvent): void {
    if (event.type === 'EngagementContractSigned') this.engagementKinds.set(event.data.contractId, event.data.kind);
    else if (event.type === 'EmploymentContractStarted') this.employmentKinds.set(event.data.contractId, event.data.kind);
    else if (event.type === 'ActionPrescribed') this.actionKinds.set(event.data.actionId, event.data.kind);
    else if (event.type === 'ReferentAssigned' && !this.referentOrdinals.has(event.data.referentUserId)) {
      this.referentOrdinals.set(event.data.referentUserId, this.referentOrdinals.size + 1);
    }
  }

  partner(partnerId: string): string {
    return this.names.get(partnerId) ?? partnerId;
  }

  referentOrdinal(referentUserId: string): number {
    return this.referentOrdinals.get(referentUserId) ?? 0;
  }

  referent(referentUserId: string, partnerId: string): string {
    const ordinal = this.referentOrdinals.get(referentUserId);
    return `${ordinal === undefined ? 'référent' : `référent n° ${ordinal}`}, ${this.partner(partnerId)}`;
  }

  engagementKind(contractId: string): string {
    return this.engagementKinds.get(contractId) ?? 'contrat';
  }

  employmentKind(contractId: string): string {
    const kind = this.employmentKinds.get(contractId);
    return kind === undefined ? 'contrat' : EMPLOYMENT_KIND_LABELS[kind];
  }

  actionKind(actionId: string): string {
    const kind = this.actionKinds.get(actionId);
    return kind === undefined ? 'action' : ACTION_KIND_LABELS[kind];
  }
}

export interface Description {
  title: string;
  detail: string;
}

export function describeEvent(event: ParcoursEvent, context: LabelContext): Description {
  switch (event.type) {
    case 'ParcoursOpened': {
      const { householdRole, rsaSocle, ageBandAtEntry, source, territory } = event.data;
      return {
        title: 'Entrée dans le parcours',
        detail: [
          HOUSEHOLD_ROLE_LABELS[householdRole],
          rsaSocle ? 'bénéficiaire du RSA socle' : 'hors RSA socle',
          AGE_BAND_LABELS[ageBandAtEntry],
          `adressé par ${SOURCE_LABELS[source]}`,
          `territoire ${TERRITORY_NAMES.get(territory) ?? territory}`,
        ].join(', '),
      };
    }
    case 'DiagnosticRecorded': {
      const { barriers, recentActivity, qualificationLevel } = event.data;
      const strong = barriersAt(barriers, 'strong');
      const medium = barriersAt(barriers, 'medium');
      const found: string[] = [];
      if (strong.length > 0) found.push(`freins forts (${strong.join(', ')})`);
      if (medium.length > 0) found.push(`freins moyens (${medium.join(', ')})`);
      const barriersText = found.length === 0 ? 'aucun frein' : found.join(', ');
      return { title: 'Diagnostic', detail: `${barriersText} ; ${RECENT_ACTIVITY_LABELS[recentActivity]} ; ${QUALIFICATION_LABELS[qualificationLevel]}` };
    }
    case 'OrientationDecided': {
      const { parcoursType, organismeReferentId, reason, notifiedOn } = event.data;
      const notified = notifiedOn === null ? 'non encore notifiée' : `notifiée le ${frenchDate(notifiedOn)}`;
      return {
        title: 'Orientation décidée',
        detail: `parcours ${PARCOURS_TYPE_LABELS[parcoursType]}, organisme référent ${context.partner(organismeReferentId)}, ${notified} (${ORIENTATION_REASON_LABELS[reason]})`,
      };
    }
    case 'ReorientationRequested': {
      const { reason, proposedParcoursType } = event.data;
      const towards = proposedParcoursType === null ? '' : `, vers un parcours ${PARCOURS_TYPE_LABELS[proposedParcoursType]}`;
      return { title: 'Réorientation demandée', detail: `${REORIENTATION_REASON_LABELS[reason]}${towards}` };
    }
    case 'ReorientationDecided':
      return event.data.accepted
        ? {
            title: 'Réorientation acceptée',
            detail: `parcours ${PARCOURS_TYPE_LABELS[event.data.parcoursType]}, organisme référent ${context.partner(event.data.organismeReferentId)}`,
          }
        : { title: 'Réorientation refusée', detail: REJECTION_REASON_LABELS[event.data.rejectionReason] };
    case 'ReferentAssigned':
      return { title: 'Référent désigné', detail: context.referent(event.data.referentUserId, event.data.partnerId) };
    case 'ReferentReleased':
      return {
        title: 'Référent libéré',
        detail: `${context.referent(event.data.referentUserId, event.data.partnerId)} (${RELEASE_REASON_LABELS[event.data.reason]})`,
      };
    case 'FollowUpMemberJoined':
      return { title: 'Entrée dans le groupe de suivi', detail: context.partner(event.data.partnerId) };
    case 'FollowUpMemberLeft':
      return { title: 'Sortie du groupe de suivi', detail: context.partner(event.data.partnerId) };
    case 'AppointmentRecorded': {
      const { kind, outcome, partnerId } = event.data;
      return { title: 'Rendez-vous', detail: `${APPOINTMENT_KIND_LABELS[kind]}, ${APPOINTMENT_OUTCOME_LABELS[outcome]}, ${context.partner(partnerId)}` };
    }
    case 'ContactRecorded':
      return { title: 'Contact', detail: `${CONTACT_CHANNEL_LABELS[event.data.channel]}, ${context.partner(event.data.partnerId)}` };
    case 'EngagementContractSigned': {
      const { kind, startsOn, endsOn, weeklyActivityHours } = event.data;
      return {
        title: "Contrat d'engagement signé",
        detail: `${ENGAGEMENT_KIND_LABELS[kind]}, du ${frenchDate(startsOn)} au ${frenchDate(endsOn)}, ${frenchNumber(weeklyActivityHours)} h d'activité par semaine${adjustmentLabel(event.data.activityHoursAdjustment)}`,
      };
    }
    case 'EngagementContractEnded':
      return {
        title: "Contrat d'engagement terminé",
        detail: `${context.engagementKind(event.data.contractId)} (${ENGAGEMENT_END_REASON_LABELS[event.data.reason]})`,
      };
    case 'ActionPrescribed': {
      const { kind, providerPartnerId } = event.data;
      return {
        title: 'Action prescrite',
        detail: providerPartnerId === null ? ACTION_KIND_LABELS[kind] : `${ACTION_KIND_LABELS[kind]}, ${context.partner(providerPartnerId)}`,
      };
    }
    case 'ActionStatusChanged':
      return { title: 'Action mise à jour', detail: `${context.actionKind(event.data.actionId)}, ${ACTION_STATUS_LABELS[event.data.status]}` };
    case 'EmploymentContractStarted': {
      const { kind, structureKind, employerPartnerId, employerSiret, weeklyHours, startsOn, plannedEndOn } = event.data;
      const structure = structureKind === null || kind === 'CDI_EBE' ? '' : ` en ${STRUCTURE_KIND_LABELS[structureKind]}`;
      const employer = employerPartnerId !== null ? context.partner(employerPartnerId) : `employeur SIRET ${employerSiret ?? 'non renseigné'}`;
      const term = plannedEndOn === null ? `depuis le ${frenchDate(startsOn)}, sans terme prévu` : `du ${frenchDate(startsOn)} au ${frenchDate(plannedEndOn)} (prévu)`;
      return {
        title: 'Contrat de travail commencé',
        detail: `${EMPLOYMENT_KIND_LABELS[kind]}${structure}, ${employer}, ${frenchNumber(weeklyHours)} h par semaine, ${term}`,
      };
    }
    case 'EmploymentContractEnded':
      return {
        title: 'Contrat de travail terminé',
        detail: `${context.employmentKind(event.data.contractId)} (${EMPLOYMENT_END_REASON_LABELS[event.data.reason]})`,
      };
    case 'ParcoursSuspended': {
      const share = event.data.withheldShare;
      const withheld = share === null ? '' : `, ${frenchNumber(Math.round(share * 1000) / 10)} % de l'allocation suspendue`;
      const until = event.data.plannedEndOn === null ? '' : `, jusqu'au ${frenchDate(event.data.plannedEndOn)}`;
      return { title: 'Suspension-remobilisation', detail: `${SUSPENSION_REASON_LABELS[event.data.reason]}${withheld}${until}` };
    }
    case 'ParcoursResumed':
      return { title: 'Reprise du parcours', detail: event.data.reason === null ? '' : RESUMPTION_REASON_LABELS[event.data.reason] };
    case 'ParcoursExited':
      return {
        title: 'Sortie du parcours',
        detail: `${EXIT_CATEGORY_LABELS[event.data.category]} (${EXIT_REASON_LABELS[event.data.reason]})`,
      };
    case 'ParcoursReopened':
      return { title: 'Réouverture du parcours', detail: REOPEN_REASON_LABELS[event.data.reason] };
    case 'PersonalDataErased':
      return { title: 'Effacement des données personnelles', detail: ERASURE_GROUND_LABELS[event.data.legalGround] };
    case 'IdentityRectified':
      // Which fields, never their values: the timeline is read by auditors, not the DPO.
      return { title: "Rectification de l'identité", detail: event.data.fields.map((field) => IDENTITY_FIELD_LABELS[field]).join(', ') };
    case 'ParcoursArchived':
      return { title: 'Archivage intermédiaire', detail: `sans activité depuis le ${frenchDate(event.data.lastActivityOn)}` };
    case 'ProcessingRestricted':
      return { title: PROCESSING_RIGHT_LABELS[event.data.right], detail: RESTRICTION_GROUND_LABELS[event.data.ground] };
    case 'ProcessingRestrictionLifted':
      return { title: `Levée : ${PROCESSING_RIGHT_LABELS[event.data.right].toLowerCase()}`, detail: '' };
    case 'FranceTravailRegistered':
      return { title: 'Inscription à France Travail', detail: '' };
    case 'RsaRightsRecorded':
      return { title: 'Droits au RSA', detail: `${RSA_RIGHTS_LABELS[event.data.rights]} (flux ${event.data.source === 'msa' ? 'MSA' : 'CAF'})` };
    default:
      return assertNever(event);
  }
}

function barriersAt(barriers: Readonly<Record<BarrierKind, BarrierLevel>>, level: BarrierLevel): string[] {
  return (Object.keys(BARRIER_LABELS) as BarrierKind[]).filter((kind) => barriers[kind] === level).map((kind) => BARRIER_LABELS[kind]);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// French formats and vocabularies. Records keyed by the domain unions: a value added to the
// catalogue without its label fails to compile.


export const ROLE_LABELS: Record<Role, string> = {
  referent: 'Référent',
  orientation_manager: "Chargé d'orientation",
  coordinator: 'Coordinateur SPIE',
  auditor: 'Auditeur',
  dpo: 'Délégué à la protection des données',
  partner_admin: 'Administrateur du partenaire',
  platform_admin: 'Administrateur de la plateforme',
};

/** The French name of a role; a role outside the list (old token, typo in data) is shown as stored. */
export function roleLabel(role: string | null): string {
  if (role === null) return '';
  return isRole(role) ? ROLE_LABELS[role] : role;
}

const ADJUSTMENT_REASON_LABELS: Record<ActivityHoursAdjustmentReason, string> = {
  health: 'santé',
  disability: 'handicap',
  single_parent_without_childcare: 'parent isolé sans solution de garde',
  caregiver: 'aidant',
  employed_part_time: 'emploi à temps partiel',
  in_training: 'en formation',
  other: 'autre motif',
};

const RESUMPTION_REASON_LABELS: Record<ResumptionReason, string> = {
  remobilised: 'remobilisation',
  term_reached: 'fin de la période de sanction',
  other: 'autre motif',
};

function adjustmentLabel(adjustment: EngagementContractSignedData['activityHoursAdjustment']): string {
  if (adjustment === null) return '';
  return ` (${adjustment.kind === 'exempted' ? 'dispense' : 'durée réduite'} : ${ADJUSTMENT_REASON_LABELS[adjustment.reason]})`;
}

export const RULE_TITLES: Record<RuleId, string> = {
  R1: "Entrée sans décision d'orientation",
  R2: "Orientation sans contrat d'engagement",
  R3: "Orientation sans premier rendez-vous d'accompagnement",
  R4: 'Parcours ouvert sans référent',
  R5: "Contrat d'engagement échu, non renouvelé",
  R6: 'Parcours social sans réexamen',
  R7: 'Demande de réorientation sans décision',
  R8: 'Fin de contrat de travail sans suite',
  R9: "Aucun contact pendant l'accompagnement",
  R10: 'Passation de référent interrompue',
  R11: "Contrat d'engagement sans heures d'activité",
};

const TERRITORY_NAMES = new Map(TERRITORIES.map((territory) => [territory.code, territory.name]));

export const PARCOURS_TYPE_LABELS: Record<ParcoursType, string> = {
  emploi: 'emploi',
  socio_professionnel: 'socio-professionnel',
  social: 'social',
};

const HOUSEHOLD_ROLE_LABELS: Record<HouseholdRole, string> = { demandeur: 'demandeur', conjoint: 'conjoint' };

const AGE_BAND_LABELS: Record<AgeBand, string> = {
  under_26: 'moins de 26 ans',
  '26_to_49': '26 à 49 ans',
  '50_and_over': '50 ans et plus',
};

const SOURCE_LABELS: Record<ParcoursSource, string> = {
  caf: 'la CAF',
  msa: 'la MSA',
  france_travail: 'France Travail',
  departement: 'le Département',
  other: 'un autre organisme',
};

const BARRIER_LABELS: Record<BarrierKind, string> = {
  mobility: 'mobilité',
  family: 'famille',
  health: 'santé',
  literacy: 'savoirs de base',
  housing: 'logement',
  finances: 'finances',
  administrative: 'démarches administratives',
  digital: 'numérique',
  language: 'langue',
};

const RECENT_ACTIVITY_LABELS: Record<RecentActivity, string> = {
  employed: 'en emploi',
  job_seeker_under_12_months: "demandeur d'emploi depuis moins de 12 mois",
  job_seeker_12_to_24_months: "demandeur d'emploi depuis 12 à 24 mois",
  job_seeker_24_months_and_over: "demandeur d'emploi depuis 24 mois ou plus",
  in_training: 'en formation',
  inactive: 'inactif',
  never_worked: "n'a jamais travaillé",
};

const QUALIFICATION_LABELS: Record<QualificationLevel, string> = {
  infra_3: 'sans diplôme (infra niveau 3)',
  '3': 'CAP-BEP (niveau 3)',
  '4': 'baccalauréat (niveau 4)',
  '5': 'bac + 2 (niveau 5)',
  '6_plus': 'bac + 3 ou plus (niveau 6 et plus)',
};

const ORIENTATION_REASON_LABELS: Record<OrientationReason, string> = {
  diagnostic_outcome: 'selon le diagnostic',
  beneficiary_choice: 'au choix du bénéficiaire',
  default_orientation: 'orientation par défaut (France Travail)',
  multidisciplinary_team: 'après équipe pluridisciplinaire',
  other: 'autre motif',
};

const REORIENTATION_REASON_LABELS: Record<ReorientationReason, string> = {
  situation_changed: 'changement de situation',
  barriers_lifted: 'freins levés',
  new_barriers: 'nouveaux freins',
  beneficiary_request: 'demande du bénéficiaire',
  periodic_review: 'réexamen périodique',
  no_progress: 'absence de progression',
  other: 'autre motif',
};

const REJECTION_REASON_LABELS: Record<ReorientationRejectionReason, string> = {
  current_orientation_suitable: 'orientation actuelle adaptée',
  request_withdrawn: 'demande retirée',
  other: 'autre motif',
};

const RELEASE_REASON_LABELS: Record<ReferentReleaseReason, string> = {
  handover: 'passation',
  parcours_exited: 'sortie du parcours',
  referent_unavailable: 'référent indisponible',
  referent_left_organisation: "référent parti de l'organisation",
  beneficiary_request: 'demande du bénéficiaire',
  reorientation: 'réorientation',
  other: 'autre motif',
};

const APPOINTMENT_KIND_LABELS: Record<AppointmentKind, string> = {
  orientation: 'orientation',
  accompaniment: 'accompagnement',
  other: 'autre objet',
};

const APPOINTMENT_OUTCOME_LABELS: Record<AppointmentOutcome, string> = {
  seen: 'honoré',
  no_show: 'absence non excusée',
  excused: 'absence excusée',
  cancelled: 'annulé',
};

const CONTACT_CHANNEL_LABELS: Record<ContactChannel, string> = {
  in_person: 'en présentiel',
  phone: 'par téléphone',
  email: 'par courriel',
  sms: 'par SMS',
  letter: 'par courrier',
  video: 'en visioconférence',
};

const ENGAGEMENT_KIND_LABELS: Record<EngagementContractKind, string> = {
  CE: "CE (contrat d'engagement)",
  CER: "CER (contrat d'engagement réciproque)",
  PPAE: "PPAE (projet personnalisé d'accès à l'emploi)",
  CEJ: "CEJ (contrat d'engagement jeune)",
  PACEA: 'PACEA',
};

const ENGAGEMENT_END_REASON_LABELS: Record<EngagementContractEndReason, string> = {
  term_reached: 'terme atteint',
  replaced: 'remplacé',
  beneficiary_withdrawal: 'retrait du bénéficiaire',
  obligations_breached: 'manquement aux engagements',
  reorientation: 'réorientation',
  parcours_exited: 'sortie du parcours',
  other: 'autre motif',
};

const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  training: 'formation',
  immersion_pmsmp: 'immersion (PMSMP)',
  mobility_aid: 'aide à la mobilité',
  childcare: "garde d'enfants",
  health: 'santé',
  housing: 'logement',
  digital: 'inclusion numérique',
  other: 'autre action',
};

const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  started: 'commencée',
  completed: 'terminée',
  abandoned: 'abandonnée',
  cancelled: 'annulée',
};

export const EMPLOYMENT_KIND_LABELS: Record<EmploymentContractKind, string> = {
  PEC: 'PEC',
  CDDI: 'CDDI',
  CDI_EBE: 'CDI en EBE',
  CDI: 'CDI',
  CDD: 'CDD',
  INTERIM: 'Intérim',
  OTHER: 'Autre contrat',
};

const STRUCTURE_KIND_LABELS: Record<StructureKind, string> = {
  ACI: 'ACI',
  EI: 'EI',
  ETTI: 'ETTI',
  AI: 'AI',
  EBE: 'EBE',
  OTHER: 'autre structure',
};

const EMPLOYMENT_END_REASON_LABELS: Record<EmploymentContractEndReason, string> = {
  term_reached: 'terme atteint',
  early_termination: 'rupture anticipée',
  hired_permanent: 'embauche en CDI',
  resignation: 'démission',
  dismissal: 'licenciement',
  trial_period_not_confirmed: "période d'essai non concluante",
  other: 'autre motif',
};

export const SUSPENSION_REASON_LABELS: Record<SuspensionReason, string> = {
  engagement_contract_refused: "refus du contrat d'engagement",
  engagement_contract_obligations_breached: "manquement aux engagements du contrat",
  appointment_missed: 'rendez-vous manqué',
  other: 'autre motif',
};

export const EXIT_CATEGORY_LABELS: Record<ExitCategory, string> = {
  emploi_durable: 'emploi durable',
  emploi_transition: 'emploi de transition',
  sortie_positive: 'sortie positive',
  autre: 'autre sortie',
};

const EXIT_REASON_LABELS: Record<ExitReason, string> = {
  cdi: 'CDI',
  cdd_6_months_or_more: 'CDD de 6 mois ou plus',
  cdd_under_6_months: 'CDD de moins de 6 mois',
  interim: 'intérim',
  subsidised_contract: 'contrat aidé',
  business_creation: "création d'entreprise",
  civil_service: 'service civique',
  qualifying_training: 'formation qualifiante',
  other_siae_hire: 'embauche dans une autre SIAE',
  rsa_rights_closed: 'fin des droits au RSA',
  moved_out_of_territory: 'départ du territoire',
  retirement: 'retraite',
  no_longer_reachable: 'injoignable',
  other: 'autre motif',
};

const REOPEN_REASON_LABELS: Record<ReopenReason, string> = {
  rsa_rights_reopened: 'réouverture des droits au RSA',
  employment_ended: "fin de l'emploi",
  exit_recorded_in_error: 'sortie enregistrée par erreur',
  beneficiary_request: 'demande du bénéficiaire',
  other: 'autre motif',
};

const RSA_RIGHTS_LABELS: Record<RsaRights, string> = {
  socle: 'RSA socle',
  socle_majore: 'RSA socle majoré',
  non_socle: 'sans RSA socle',
};

const IDENTITY_FIELD_LABELS: Record<IdentityField, string> = {
  firstName: 'prénom',
  lastName: 'nom',
  birthDate: 'date de naissance',
  nir: 'NIR',
  allocataire: "numéro d'allocataire CAF/MSA",
  address: 'adresse',
  phone: 'téléphone',
  email: 'courriel',
};

const PROCESSING_RIGHT_LABELS: Record<ProcessingRight, string> = {
  restriction: 'Limitation du traitement',
  opposition: 'Opposition au traitement',
};

const RESTRICTION_GROUND_LABELS: Record<ProcessingRestrictionGround, string> = {
  accuracy_contested: 'exactitude des données contestée',
  unlawful_processing_erasure_opposed: "traitement illicite, effacement refusé par la personne",
  needed_for_legal_claims: "données nécessaires à l'exercice de droits en justice",
  objection_pending: "opposition en cours d'examen",
  particular_situation: 'situation particulière de la personne',
  other: 'autre motif',
};

const ERASURE_GROUND_LABELS: Record<ErasureLegalGround, string> = {
  retention_period_elapsed: 'durée de conservation écoulée',
  erasure_request_granted: "demande d'effacement accordée",
  recorded_in_error: 'enregistrement erroné',
  other: 'autre fondement',
};
