import type { Type } from '@nestjs/common';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  APPOINTMENT_KINDS,
  APPOINTMENT_OUTCOMES,
  CONTACT_CHANNELS,
  EMPLOYMENT_CONTRACT_END_REASONS,
  EMPLOYMENT_CONTRACT_KINDS,
  ENGAGEMENT_CONTRACT_KINDS,
  EXIT_CATEGORIES,
  EXIT_REASONS,
  PARCOURS_TYPES,
  REORIENTATION_REASONS,
  REORIENTATION_REJECTION_REASONS,
  STRUCTURE_KINDS,
} from '../parcours/domain/events.js';
import type { ParcoursController } from '../parcours/http/parcours.controller.js';
import {
  ChangeActionStatusDto,
  DecideReorientationDto,
  EndEmploymentContractDto,
  ExitParcoursDto,
  PrescribeActionDto,
  RecordAppointmentDto,
  RecordContactDto,
  RequestReorientationDto,
  SignEngagementContractDto,
  StartEmploymentContractDto,
} from '../parcours/http/parcours.dto.js';
import type { ParcoursView } from '../parcours/read-models/parcours-details/parcours-details.query.js';
import { frenchDate } from './layout.js';

export type Options = readonly (readonly [string, string])[];

/** What a form's choices may depend on: the parcours as read, the caller's organisation, the directory (when a form needs it). */
export interface FormContext {
  view: ParcoursView;
  partnerId: string;
  /** The active organisations, [id, name], read only for a form that asks (`needsOrganisations`). */
  organisations: Options;
}

export interface FormField {
  /** The API body's field (a form field of the same name). */
  name: string;
  label: string;
  kind: 'select' | 'date' | 'number' | 'textarea' | 'text';
  options?: Options | ((context: FormContext) => Options);
  hint?: string;
  /** The id the API takes in its path (the contract to end, the action), not in the body. */
  inPath?: boolean;
  /** `true`/`false` sent as a JSON boolean. */
  boolean?: boolean;
}

/**
 * An everyday command of the parcours page: the API's DTO checks it, the API's controller method
 * runs it, with the version read as If-Match. The form holds the fields a person fills; the id
 * chosen by the caller (a fresh uuid in each form: also the Idempotency-Key, so a double submit
 * records once) and the caller's organisation are added here.
 */
export interface CommandForm {
  slug: string;
  title: string;
  button: string;
  done: string;
  dto: Type<object>;
  method:
    | 'contact'
    | 'appointment'
    | 'signEngagementContract'
    | 'startEmploymentContract'
    | 'endEmploymentContract'
    | 'prescribeAction'
    | 'changeActionStatus'
    | 'requestReorientation'
    | 'decideReorientation'
    | 'exit';
  /** The API's path under /v1/parcours/{id}/ (with the `inPath` field's value where it says `{id}`). */
  apiPath: string;
  /** Whether the form has something to act on in the parcours as it is (an open contract to end…); shown only then. */
  appliesTo?: (view: ParcoursView) => boolean;
  /** The form offers a choice of organisation: the page reads the directory. */
  needsOrganisations?: boolean;
  /** The id field the caller chooses, if the command has one. */
  idField?: string;
  /** The body gets the caller's organisation under this name. */
  partnerField?: string;
  fields: readonly FormField[];
  /** Values before anything is typed (today's date for dates). */
  defaults: Readonly<Record<string, string>>;
}

const labelled = <T extends string>(values: readonly T[], labels: Record<T, string>) => values.map((value) => [value, labels[value]] as const);

export const CONTACT_FORM: CommandForm = {
  slug: 'contacts',
  title: 'Enregistrer un contact',
  button: 'Enregistrer le contact',
  done: 'Le contact est enregistré.',
  dto: RecordContactDto,
  method: 'contact',
  apiPath: 'contacts',
  idField: 'contactId',
  partnerField: 'partnerId',
  fields: [
    { name: 'channel', label: 'Canal', kind: 'select', options: labelled(CONTACT_CHANNELS, { in_person: 'Entretien en présence', phone: 'Téléphone', email: 'Courriel', sms: 'SMS', letter: 'Courrier', video: 'Visioconférence' }) },
    { name: 'contactedOn', label: 'Date du contact', kind: 'date' },
    { name: 'note', label: 'Note (facultative)', kind: 'textarea', hint: 'Donnée personnelle chiffrée, jamais partagée avec les partenaires.' },
  ],
  defaults: { channel: 'in_person' },
};

export const APPOINTMENT_FORM: CommandForm = {
  slug: 'rendez-vous',
  title: 'Enregistrer un rendez-vous',
  button: 'Enregistrer le rendez-vous',
  done: 'Le rendez-vous est enregistré.',
  dto: RecordAppointmentDto,
  method: 'appointment',
  apiPath: 'appointments',
  idField: 'appointmentId',
  partnerField: 'partnerId',
  fields: [
    { name: 'kind', label: 'Type', kind: 'select', options: labelled(APPOINTMENT_KINDS, { orientation: "Rendez-vous d'orientation", accompaniment: "Rendez-vous d'accompagnement", other: 'Autre' }) },
    { name: 'scheduledOn', label: 'Date', kind: 'date' },
    { name: 'outcome', label: 'Issue', kind: 'select', options: labelled(APPOINTMENT_OUTCOMES, { seen: 'Honoré', no_show: 'Absence', excused: 'Absence excusée', cancelled: 'Annulé' }) },
  ],
  defaults: { kind: 'accompaniment', outcome: 'seen' },
};

export const CONTRACT_FORM: CommandForm = {
  slug: 'contrats',
  title: "Signer un contrat d'engagement",
  button: 'Enregistrer le contrat',
  done: "Le contrat d'engagement est enregistré.",
  dto: SignEngagementContractDto,
  method: 'signEngagementContract',
  apiPath: 'engagement-contracts',
  idField: 'contractId',
  fields: [
    { name: 'kind', label: 'Contrat', kind: 'select', options: labelled(ENGAGEMENT_CONTRACT_KINDS, { CE: "Contrat d'engagement (CE)", CER: "Contrat d'engagements réciproques (CER)", PPAE: "Projet personnalisé d'accès à l'emploi (PPAE)", CEJ: "Contrat d'engagement jeune (CEJ)", PACEA: 'PACEA' }) },
    { name: 'signedOn', label: 'Signé le', kind: 'date' },
    { name: 'startsOn', label: 'Début', kind: 'date' },
    { name: 'endsOn', label: 'Fin', kind: 'date' },
    { name: 'weeklyActivityHours', label: "Heures d'activité par semaine", kind: 'number', hint: 'De 0 à 35.' },
  ],
  defaults: { kind: 'CE', weeklyActivityHours: '15' },
};

export const EXIT_FORM: CommandForm = {
  slug: 'sortie',
  title: 'Enregistrer la sortie du parcours',
  button: 'Enregistrer la sortie',
  done: 'La sortie est enregistrée.',
  dto: ExitParcoursDto,
  method: 'exit',
  apiPath: 'exit',
  fields: [
    { name: 'category', label: 'Catégorie', kind: 'select', options: labelled(EXIT_CATEGORIES, { emploi_durable: 'Emploi durable', emploi_transition: 'Emploi de transition', sortie_positive: 'Sortie positive', autre: 'Autre' }) },
    {
      name: 'reason',
      label: 'Motif',
      kind: 'select',
      options: labelled(EXIT_REASONS, {
        cdi: 'CDI',
        cdd_6_months_or_more: 'CDD de 6 mois ou plus',
        cdd_under_6_months: 'CDD de moins de 6 mois',
        interim: 'Intérim',
        subsidised_contract: 'Contrat aidé',
        business_creation: "Création d'entreprise",
        civil_service: 'Service civique',
        qualifying_training: 'Formation qualifiante',
        other_siae_hire: 'Embauche dans une autre SIAE',
        rsa_rights_closed: 'Fin des droits au RSA',
        moved_out_of_territory: 'Départ du territoire',
        retirement: 'Retraite',
        no_longer_reachable: 'Plus joignable',
        other: 'Autre',
      }),
    },
    { name: 'exitedOn', label: 'Date de sortie', kind: 'date' },
  ],
  defaults: { category: 'emploi_durable', reason: 'cdi' },
  appliesTo: (view) => view.status !== 'exited',
};

const EMPLOYMENT_CONTRACT_LABELS: Record<(typeof EMPLOYMENT_CONTRACT_KINDS)[number], string> = {
  PEC: 'Parcours emploi compétences (PEC)',
  CDDI: "CDD d'insertion (CDDI) en SIAE",
  CDI_EBE: "CDI en entreprise à but d'emploi (EBE)",
  CDI: 'CDI',
  CDD: 'CDD',
  INTERIM: 'Mission d’intérim',
  OTHER: 'Autre contrat de travail',
};

const ACTION_LABELS: Record<(typeof ACTION_KINDS)[number], string> = {
  training: 'Formation',
  immersion_pmsmp: 'Immersion en milieu professionnel (PMSMP)',
  mobility_aid: 'Aide à la mobilité',
  childcare: "Garde d'enfants",
  health: 'Santé',
  housing: 'Logement',
  digital: 'Inclusion numérique',
  other: 'Autre action',
};

const ACTION_STATUS_LABELS: Record<string, string> = { prescribed: 'prescrite', started: 'commencée', completed: 'terminée', abandoned: 'abandonnée', cancelled: 'annulée' };

const PARCOURS_TYPE_LABELS: Record<(typeof PARCOURS_TYPES)[number], string> = { emploi: 'Emploi', socio_professionnel: 'Socio-professionnel', social: 'Social' };

const openEmploymentContracts = (view: ParcoursView) => view.employmentContracts.filter((contract) => contract.ended === null);
/** Actions whose status may still change (a completed, abandoned or cancelled one is over). */
const actionsUnderWay = (view: ParcoursView) => view.actions.filter((action) => action.status === 'prescribed' || action.status === 'started');

export const EMPLOYMENT_FORM: CommandForm = {
  slug: 'contrats-de-travail',
  title: 'Enregistrer un contrat de travail',
  button: 'Enregistrer le contrat de travail',
  done: 'Le contrat de travail est enregistré.',
  dto: StartEmploymentContractDto,
  method: 'startEmploymentContract',
  apiPath: 'employment-contracts',
  idField: 'contractId',
  fields: [
    { name: 'kind', label: 'Contrat', kind: 'select', options: labelled(EMPLOYMENT_CONTRACT_KINDS, EMPLOYMENT_CONTRACT_LABELS) },
    {
      name: 'employerPartnerId',
      label: 'Employeur',
      kind: 'select',
      options: ({ partnerId }) => [
        [partnerId, 'Mon organisation'],
        ['', 'Un autre employeur (son SIRET ci-dessous)'],
      ],
    },
    { name: 'employerSiret', label: "SIRET de l'employeur", kind: 'text', hint: '14 chiffres, quand l’employeur n’est pas mon organisation.' },
    {
      name: 'structureKind',
      label: 'Structure',
      kind: 'select',
      options: [
        ['', 'Employeur ordinaire'],
        ...labelled(STRUCTURE_KINDS, {
          ACI: "Atelier et chantier d'insertion (ACI)",
          EI: "Entreprise d'insertion (EI)",
          ETTI: "Entreprise de travail temporaire d'insertion (ETTI)",
          AI: 'Association intermédiaire (AI)',
          EBE: "Entreprise à but d'emploi (EBE)",
          OTHER: 'Autre structure',
        }),
      ],
      hint: 'Une SIAE pour un CDDI ; une EBE pour un CDI en EBE.',
    },
    { name: 'weeklyHours', label: 'Heures par semaine', kind: 'number', hint: 'De 1 à 48.' },
    { name: 'startsOn', label: 'Début', kind: 'date' },
    { name: 'plannedEndOn', label: 'Fin prévue', kind: 'date', hint: 'Vide pour un CDI.' },
  ],
  defaults: { kind: 'PEC', weeklyHours: '26', plannedEndOn: '' },
  appliesTo: (view) => view.status !== 'exited' && openEmploymentContracts(view).length === 0,
};

export const EMPLOYMENT_END_FORM: CommandForm = {
  slug: 'fin-de-contrat-de-travail',
  title: "Enregistrer la fin d'un contrat de travail",
  button: 'Enregistrer la fin du contrat',
  done: 'La fin du contrat de travail est enregistrée.',
  dto: EndEmploymentContractDto,
  method: 'endEmploymentContract',
  apiPath: 'employment-contracts/{id}/end',
  fields: [
    {
      name: 'contractId',
      label: 'Contrat',
      kind: 'select',
      inPath: true,
      options: ({ view }) =>
        openEmploymentContracts(view).map((contract) => [contract.contractId, `${EMPLOYMENT_CONTRACT_LABELS[contract.kind] ?? contract.kind} depuis le ${frenchDate(contract.startsOn)}`] as const),
    },
    { name: 'endedOn', label: 'Fin', kind: 'date' },
    {
      name: 'reason',
      label: 'Motif',
      kind: 'select',
      options: labelled(EMPLOYMENT_CONTRACT_END_REASONS, {
        term_reached: 'Terme du contrat',
        early_termination: 'Rupture anticipée',
        hired_permanent: 'Embauche en CDI',
        resignation: 'Démission',
        dismissal: 'Licenciement',
        trial_period_not_confirmed: "Période d'essai non concluante",
        other: 'Autre',
      }),
    },
  ],
  defaults: { reason: 'term_reached' },
  appliesTo: (view) => openEmploymentContracts(view).length > 0,
};

export const ACTION_FORM: CommandForm = {
  slug: 'actions',
  title: 'Prescrire une action',
  button: "Enregistrer l'action",
  done: "L'action est enregistrée.",
  dto: PrescribeActionDto,
  method: 'prescribeAction',
  apiPath: 'actions',
  idField: 'actionId',
  fields: [
    { name: 'kind', label: 'Action', kind: 'select', options: labelled(ACTION_KINDS, ACTION_LABELS) },
    { name: 'prescribedOn', label: 'Prescrite le', kind: 'date' },
    {
      name: 'providerPartnerId',
      label: 'Prestataire',
      kind: 'select',
      options: ({ partnerId }) => [
        ['', 'Hors consortium ou sans prestataire'],
        [partnerId, 'Mon organisation'],
      ],
    },
  ],
  defaults: { kind: 'training', providerPartnerId: '' },
  appliesTo: (view) => view.status !== 'exited',
};

export const ACTION_STATUS_FORM: CommandForm = {
  slug: 'statut-action',
  title: "Changer le statut d'une action",
  button: 'Enregistrer le statut',
  done: "Le statut de l'action est enregistré.",
  dto: ChangeActionStatusDto,
  method: 'changeActionStatus',
  apiPath: 'actions/{id}/status',
  fields: [
    {
      name: 'actionId',
      label: 'Action',
      kind: 'select',
      inPath: true,
      options: ({ view }) =>
        actionsUnderWay(view).map((action) => [action.actionId, `${ACTION_LABELS[action.kind] ?? action.kind}, ${ACTION_STATUS_LABELS[action.status]} le ${frenchDate(action.statusChangedOn)}`] as const),
    },
    { name: 'status', label: 'Nouveau statut', kind: 'select', options: labelled(ACTION_STATUSES, { started: 'Commencée', completed: 'Terminée', abandoned: 'Abandonnée', cancelled: 'Annulée' }) },
    { name: 'changedOn', label: 'Le', kind: 'date' },
  ],
  defaults: { status: 'started' },
  appliesTo: (view) => actionsUnderWay(view).length > 0,
};

export const REORIENTATION_REQUEST_FORM: CommandForm = {
  slug: 'demande-de-reorientation',
  title: 'Demander une réorientation',
  button: 'Envoyer la demande',
  done: 'La demande de réorientation est enregistrée.',
  dto: RequestReorientationDto,
  method: 'requestReorientation',
  apiPath: 'reorientation-request',
  fields: [
    {
      name: 'reason',
      label: 'Motif',
      kind: 'select',
      options: labelled(REORIENTATION_REASONS, {
        situation_changed: 'Changement de situation',
        barriers_lifted: 'Freins levés',
        new_barriers: 'Nouveaux freins',
        beneficiary_request: 'Demande de la personne',
        periodic_review: 'Réexamen périodique',
        no_progress: 'Absence de progression',
        other: 'Autre',
      }),
    },
    { name: 'requestedOn', label: 'Demandée le', kind: 'date' },
    { name: 'proposedParcoursType', label: 'Parcours proposé', kind: 'select', options: [['', 'Pas de proposition'], ...labelled(PARCOURS_TYPES, PARCOURS_TYPE_LABELS)] },
  ],
  defaults: { reason: 'situation_changed', proposedParcoursType: '' },
  appliesTo: (view) => view.status !== 'exited' && view.parcoursType !== null && view.pendingReorientation === null,
};

export const REORIENTATION_DECISION_FORM: CommandForm = {
  slug: 'decision-de-reorientation',
  title: 'Décider de la réorientation demandée',
  button: 'Enregistrer la décision',
  done: 'La décision de réorientation est enregistrée.',
  dto: DecideReorientationDto,
  method: 'decideReorientation',
  apiPath: 'reorientation-decision',
  needsOrganisations: true,
  fields: [
    {
      name: 'accepted',
      label: 'Décision',
      kind: 'select',
      boolean: true,
      options: [
        ['true', 'Réorientation acceptée'],
        ['false', 'Réorientation refusée'],
      ],
    },
    { name: 'decidedOn', label: 'Décidée le', kind: 'date' },
    { name: 'parcoursType', label: 'Nouveau parcours (si acceptée)', kind: 'select', options: [['', '—'], ...labelled(PARCOURS_TYPES, PARCOURS_TYPE_LABELS)] },
    { name: 'organismeReferentId', label: 'Nouvel organisme référent (si acceptée)', kind: 'select', options: ({ organisations }) => [['', '—'], ...organisations] },
    {
      name: 'rejectionReason',
      label: 'Motif du refus (si refusée)',
      kind: 'select',
      options: [['', '—'], ...labelled(REORIENTATION_REJECTION_REASONS, { current_orientation_suitable: "L'orientation actuelle convient", request_withdrawn: 'Demande retirée', other: 'Autre' })],
    },
  ],
  defaults: { accepted: 'true', parcoursType: '', organismeReferentId: '', rejectionReason: '' },
  appliesTo: (view) => view.pendingReorientation !== null,
};

export const COMMAND_FORMS: readonly CommandForm[] = [
  CONTACT_FORM,
  APPOINTMENT_FORM,
  CONTRACT_FORM,
  EMPLOYMENT_FORM,
  EMPLOYMENT_END_FORM,
  ACTION_FORM,
  ACTION_STATUS_FORM,
  REORIENTATION_REQUEST_FORM,
  REORIENTATION_DECISION_FORM,
  EXIT_FORM,
];

/** The choices of a select field for this parcours and caller. */
export function optionsOf(field: FormField, context: FormContext): Options {
  return typeof field.options === 'function' ? field.options(context) : (field.options ?? []);
}

/** The API body from a submitted form: the fields named, empty ones left out, numbers as numbers. */
export function bodyOf(form: CommandForm, submitted: Readonly<Record<string, string>>, partnerId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of form.fields) {
    const value = submitted[field.name];
    if (value === undefined || value === '' || field.inPath) continue;
    if (field.boolean && (value === 'true' || value === 'false')) body[field.name] = value === 'true';
    else body[field.name] = field.kind === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  }
  if (form.idField) body[form.idField] = submitted[form.idField];
  if (form.partnerField) body[form.partnerField] = partnerId;
  return body;
}

/** The value of the form's `inPath` field, if it has one. */
export function pathIdOf(form: CommandForm, submitted: Readonly<Record<string, string>>): { field: string; value: string } | undefined {
  const field = form.fields.find((candidate) => candidate.inPath);
  return field && { field: field.name, value: submitted[field.name] ?? '' };
}

export type ParcoursCommandMethod = CommandForm['method'] & keyof ParcoursController;
