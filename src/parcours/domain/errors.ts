/**
 * Rule violations of the parcours decider. Codes are a stable contract (clients switch on them and
 * the HTTP edge maps them to problem details); messages are for people and may change.
 * Domain errors stay free of HTTP: the edge decides what status each code means.
 */
export type ParcoursRuleErrorCode =
  | 'parcours_already_opened'
  | 'parcours_exited'
  | 'parcours_not_exited'
  | 'parcours_not_open'
  | 'parcours_not_suspended'
  | 'personal_data_erased'
  | 'parcours_archived'
  | 'processing_restricted'
  | 'invalid_rectification'
  | 'processing_already_restricted'
  | 'invalid_date'
  | 'date_in_future'
  | 'date_before_entry'
  | 'birth_date_after_entry'
  | 'invalid_period'
  | 'invalid_territory'
  | 'invalid_rights'
  | 'partner_inactive'
  | 'partner_not_following'
  | 'already_oriented'
  | 'not_oriented'
  | 'reorientation_already_requested'
  | 'no_reorientation_requested'
  | 'referent_role_missing'
  | 'referent_partner_not_in_follow_up_group'
  | 'no_active_referent'
  | 'referent_partner_must_stay'
  | 'organisme_referent_must_stay'
  | 'invalid_weekly_hours'
  | 'engagement_contract_already_open'
  | 'engagement_contract_not_found'
  | 'employment_contract_already_open'
  | 'employment_contract_not_found'
  | 'invalid_employer'
  | 'invalid_structure_kind'
  | 'planned_end_required'
  | 'planned_end_not_allowed'
  | 'action_not_found'
  | 'invalid_action_transition'
  | 'id_already_used'
  | 'contract_kind_not_in_regime'
  | 'invalid_activity_hours_adjustment'
  | 'sanction_not_in_force'
  | 'invalid_withheld_share'
  | 'already_registered_with_france_travail';

export class ParcoursRuleError extends Error {
  /** The family the HTTP edge answers by (http/problem.ts maps codes, never classes). */
  readonly rule = 'parcours';

  constructor(readonly code: ParcoursRuleErrorCode, message: string) {
    super(message);
    this.name = 'ParcoursRuleError';
  }
}

/**
 * A command other than OpenParcours on a stream with no ParcoursOpened. A class of its own because
 * the edge answers it like any unknown resource (and like a parcours the caller may not see).
 */
export class ParcoursNotFoundError extends Error {
  readonly code = 'parcours_not_found';

  constructor(readonly parcoursId: string) {
    super(`parcours ${parcoursId} does not exist`);
    this.name = 'ParcoursNotFoundError';
  }
}
