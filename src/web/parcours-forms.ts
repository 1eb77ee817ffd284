import type { Type } from '@nestjs/common';
import { APPOINTMENT_KINDS, APPOINTMENT_OUTCOMES, CONTACT_CHANNELS, ENGAGEMENT_CONTRACT_KINDS, EXIT_CATEGORIES, EXIT_REASONS } from '../parcours/domain/events.js';
import type { ParcoursController } from '../parcours/http/parcours.controller.js';
import { ExitParcoursDto, RecordAppointmentDto, RecordContactDto, SignEngagementContractDto } from '../parcours/http/parcours.dto.js';

export interface FormField {
  /** The API body's field (a form field of the same name). */
  name: string;
  label: string;
  kind: 'select' | 'date' | 'number' | 'textarea';
  options?: readonly (readonly [string, string])[];
  hint?: string;
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
  method: 'contact' | 'appointment' | 'signEngagementContract' | 'exit';
  apiPath: string;
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
};

export const COMMAND_FORMS: readonly CommandForm[] = [CONTACT_FORM, APPOINTMENT_FORM, CONTRACT_FORM, EXIT_FORM];

/** The API body from a submitted form: the fields named, empty ones left out, numbers as numbers. */
export function bodyOf(form: CommandForm, submitted: Readonly<Record<string, string>>, partnerId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of form.fields) {
    const value = submitted[field.name];
    if (value === undefined || value === '') continue;
    body[field.name] = field.kind === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  }
  if (form.idField) body[form.idField] = submitted[form.idField];
  if (form.partnerField) body[form.partnerField] = partnerId;
  return body;
}

export type ParcoursCommandMethod = CommandForm['method'] & keyof ParcoursController;
