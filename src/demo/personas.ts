import type { Role } from '../access/roles.js';
import { DEMO_ORGANISATIONS, demoPartnerId } from './consortium.js';

/**
 * The people one can sign in as in the demo (`npm run demo`): real members of the demo's
 * organisations, one at least for every role, each with what they would do in the SPIE of Thiers.
 * The local sign-in page of demo mode lists them; `cli tokens mint --sub <userId>` mints their token.
 */
export interface DemoPersona {
  userId: string;
  displayName: string;
  /** The role the persona is there to show (a member may hold others, e.g. the platform administrator). */
  role: Role;
  roles: readonly Role[];
  partnerId: string;
  organisation: string;
  /** What this person does, in French, for the sign-in page. */
  description: string;
}

const DESCRIPTIONS: ReadonlyArray<readonly [userId: string, role: Role, description: string]> = [
  ['coordinatrice.thiers', 'coordinator', 'Coordinatrice du SPIE à la DTS de Thiers : voit tous les parcours des quatre EPCI, les tableaux de bord, les ruptures de parcours et le rapport CAOM.'],
  ['orientation.thiers', 'orientation_manager', "Chargé d'orientation du Département : ouvre les parcours, pose le diagnostic, décide les orientations et les réorientations, les suspensions."],
  ['referente.cd63-thiers', 'referent', 'Travailleuse sociale du Département, référente unique de parcours sociaux et socioprofessionnels (CER, puis contrat d’engagement).'],
  ['referent.ft-thiers', 'referent', "Conseiller France Travail à Thiers, référent des parcours emploi (PPAE, puis contrat d'engagement) ; suit les contrats PEC."],
  ['referente.ml-thiers', 'referent', 'Conseillère de la Mission locale Thiers-Ambert, référente des moins de 26 ans (CEJ, PACEA).'],
  ['referente.aci-jardins', 'referent', "Conseillère en insertion professionnelle d'un atelier et chantier d'insertion : suit les salariés en CDDI."],
  ['referente.ebe-thiers', 'referent', "Chargée d'accompagnement de l'EBE de Thiers (Territoires zéro chômeur) : CDI en entreprise à but d'emploi."],
  ['auditeur.ddets', 'auditor', "Auditeur de la DDETS (État) : contrôle la continuité des parcours, rejoue l'historique, vérifie les chaînes d'empreintes ; données pseudonymisées."],
  ['auditrice.cd63', 'auditor', 'Contrôleuse de gestion du Département : indicateurs, CAOM et ruptures, sans accès aux identités.'],
  ['dpo.cd63', 'dpo', 'Délégué à la protection des données du Département : droits des personnes (accès, rectification, limitation, effacement), journal des accès, conservation.'],
  ['admin.ml-thiers', 'partner_admin', 'Administrateur de la Mission locale : gère ses collaborateurs, leurs rôles et les clés d’API de sa structure.'],
  ['admin.plateforme', 'platform_admin', 'Administrateur de la plateforme : inscrit les organisations du consortium, leurs territoires, et nomme coordinateurs, auditeurs et DPO.'],
];

export const DEMO_PERSONAS: readonly DemoPersona[] = Object.freeze(
  DESCRIPTIONS.map(([userId, role, description]) => {
    const organisation = DEMO_ORGANISATIONS.find((candidate) => candidate.members.some((member) => member.userId === userId));
    const member = organisation?.members.find((candidate) => candidate.userId === userId);
    if (!organisation || !member || !member.roles.includes(role)) throw new Error(`demo persona ${userId} is not a ${role} of the demo consortium`);
    return Object.freeze({ userId, displayName: member.displayName, role, roles: Object.freeze([...member.roles]), partnerId: demoPartnerId(organisation.key), organisation: organisation.name, description });
  }),
);
