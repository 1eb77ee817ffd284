import { createHash } from 'node:crypto';
import type { PartnerKind, Role } from '../access/roles.js';

/**
 * The Thiers experimentation consortium of the demo (issue 18): the organisations of the SPIE of
 * the Direction territoriale des solidarités de Thiers and the people in them. The institutions
 * are the real ones of the territory; the associations, SIAE, employers and every person are made
 * up for the demo (any likeness to a real structure or person is chance).
 */

export const THIERS = 'cc-thiers-dore-et-montagne';
export const AMBERT = 'cc-ambert-livradois-forez';
export const BILLOM = 'cc-billom-communaute';
export const ENTRE_DORE = 'cc-entre-dore-et-allier';
export const DTS_TERRITORIES = [THIERS, AMBERT, BILLOM, ENTRE_DORE] as const;
export type DtsTerritory = (typeof DTS_TERRITORIES)[number];

export interface DemoMember {
  userId: string;
  displayName: string;
  roles: Role[];
}

export interface DemoOrganisation {
  /** Stable short name, also the seed of its id. */
  key: string;
  name: string;
  kind: PartnerKind;
  territories: string[];
  siret: string | null;
  members: DemoMember[];
}

/** The organisation's id: the same on every load, so that links and bookmarks survive a `--reset`. */
export function demoPartnerId(key: string): string {
  const hex = createHash('sha256').update(`spie-parcours demo partner ${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// Staff names: made up, French, stable.
const FIRST = ['Camille', 'Nathalie', 'Sophie', 'Julien', 'Karim', 'Isabelle', 'Laurent', 'Émilie', 'Thomas', 'Sandrine', 'Mathieu', 'Claire', 'Nicolas', 'Aurélie', 'Stéphane', 'Céline', 'Yannick', 'Hélène', 'Samir', 'Valérie', 'Damien', 'Marion', 'Fabrice', 'Agnès', 'Cédric', 'Laetitia', 'Olivier', 'Pauline', 'Rachid', 'Élodie'];
const LAST = ['Roux', 'Fournier', 'Chabrier', 'Vialle', 'Bonnefoy', 'Mercier', 'Faure', 'Girard', 'Pradier', 'Dumas', 'Chassaing', 'Rochon', 'Morel', 'Chalard', 'Vidal', 'Barrière', 'Perrin', 'Chauvet', 'Tixier', 'Moulin', 'Ollier', 'Brunel', 'Cognet', 'Dauphin', 'Gaillard', 'Sauvadet', 'Mallet', 'Bayle', 'Courtial', 'Rigaud'];
let staffCounter = 0;
function staffName(): string {
  const index = staffCounter;
  staffCounter += 1;
  return `${FIRST[index % FIRST.length]} ${LAST[(index * 7 + 3) % LAST.length]}`;
}

function member(userId: string, roles: Role[], displayName = staffName()): DemoMember {
  return { userId, displayName, roles };
}

/** `count` référents of an organisation: `referent.<key>`, `referent.<key>-2`… */
function referents(key: string, count: number): DemoMember[] {
  return Array.from({ length: count }, (_, index) => member(index === 0 ? `referent.${key}` : `referent.${key}-${index + 1}`, ['referent']));
}

function admin(key: string): DemoMember {
  return member(`admin.${key}`, ['partner_admin']);
}

function organisation(key: string, name: string, kind: PartnerKind, territories: readonly string[], members: DemoMember[]): DemoOrganisation {
  return { key, name, kind, territories: [...territories], siret: null, members };
}

/** Every organisation of the demo with its members, in registration order (the Département first). */
export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [
  organisation('cd63', 'Conseil départemental du Puy-de-Dôme — DTS de Thiers', 'departement', DTS_TERRITORIES, [
    member('admin.plateforme', ['platform_admin', 'partner_admin'], 'Bernard Chomette'),
    member('coordinatrice.thiers', ['coordinator'], 'Marie Dubost'),
    member('orientation.thiers', ['orientation_manager'], 'Luc Besson-Tardif'),
    member('orientation.ambert', ['orientation_manager'], 'Anne Chevalerias'),
    member('referente.cd63-thiers', ['referent'], 'Fatima Benali'),
    ...referents('cd63', 5),
    member('auditrice.cd63', ['auditor'], 'Geneviève Pouzadoux'),
    member('dpo.cd63', ['dpo'], 'Henri Malmenaide'),
    admin('cd63'),
  ]),
  organisation('ddets63', 'DDETS du Puy-de-Dôme (État)', 'etat', DTS_TERRITORIES, [member('auditeur.ddets', ['auditor'], 'Pierre Lafarge'), admin('ddets63')]),
  organisation('epci-thiers', 'Communauté de communes Thiers Dore et Montagne', 'epci', [THIERS], [admin('epci-thiers')]),
  organisation('epci-ambert', 'Communauté de communes Ambert Livradois Forez', 'epci', [AMBERT], [admin('epci-ambert')]),
  organisation('epci-billom', 'Billom Communauté', 'epci', [BILLOM], [admin('epci-billom')]),
  organisation('epci-entre-dore', 'Communauté de communes Entre Dore et Allier', 'epci', [ENTRE_DORE], [admin('epci-entre-dore')]),
  organisation('caf63', "CAF du Puy-de-Dôme", 'caf', DTS_TERRITORIES, [...referents('caf63', 1), admin('caf63')]),
  // The MSA pays the RSA of farm households as the CAF does for the others: the same kind, hence the same feed.
  organisation('msa', 'MSA Auvergne', 'caf', DTS_TERRITORIES, [...referents('msa', 1), admin('msa')]),
  organisation('ft-thiers', 'France Travail — agence de Thiers', 'france_travail', [THIERS, ENTRE_DORE], [
    member('referent.ft-thiers', ['referent'], 'Sébastien Gidon'),
    ...referents('ft-thiers', 4).slice(1),
    member('orientation.ft-thiers', ['orientation_manager']),
    admin('ft-thiers'),
  ]),
  organisation('ft-ambert', "France Travail — agence d'Ambert", 'france_travail', [AMBERT], [...referents('ft-ambert', 3), admin('ft-ambert')]),
  organisation('ft-cournon', "France Travail — agence de Cournon-d'Auvergne", 'france_travail', [BILLOM], [...referents('ft-cournon', 2), admin('ft-cournon')]),
  organisation('ml-thiers', 'Mission locale Thiers-Ambert', 'mission_locale', [THIERS, AMBERT, ENTRE_DORE], [
    member('referente.ml-thiers', ['referent'], 'Inès Marchadier'),
    ...referents('ml-thiers', 3),
    member('admin.ml-thiers', ['partner_admin'], 'Jérôme Tournadre'),
  ]),
  organisation('ml-clermont', 'Mission locale Clermont Métropole et Volcans', 'mission_locale', [BILLOM], [...referents('ml-clermont', 2), admin('ml-clermont')]),
  organisation('cap-emploi', 'Cap emploi 63', 'cap_emploi', DTS_TERRITORIES, [...referents('cap-emploi', 2), admin('cap-emploi')]),
  organisation('ccas-thiers', 'CCAS de Thiers', 'commune', [THIERS], [...referents('ccas-thiers', 2), admin('ccas-thiers')]),
  organisation('ccas-ambert', "CCAS d'Ambert", 'commune', [AMBERT], [...referents('ccas-ambert', 1), admin('ccas-ambert')]),
  organisation('ccas-billom', 'CCAS de Billom', 'commune', [BILLOM], [...referents('ccas-billom', 1), admin('ccas-billom')]),
  organisation('ccas-lezoux', 'CCAS de Lezoux', 'commune', [ENTRE_DORE], [...referents('ccas-lezoux', 1), admin('ccas-lezoux')]),
  organisation('ccas-courpiere', 'CCAS de Courpière', 'commune', [THIERS], [...referents('ccas-courpiere', 1), admin('ccas-courpiere')]),
  organisation('asso-mobilite', 'Mobilité Solidaire Livradois-Forez (association)', 'association', [AMBERT, THIERS], [...referents('asso-mobilite', 1), admin('asso-mobilite')]),
  organisation('asso-passerelle', 'Passerelle Insertion Thiers (association)', 'association', [THIERS, ENTRE_DORE], [...referents('asso-passerelle', 3), admin('asso-passerelle')]),
  organisation('asso-familles', 'Familles Rurales du Billomois (association)', 'association', [BILLOM], [...referents('asso-familles', 1), admin('asso-familles')]),
  organisation('asso-numerique', 'Espace numérique Dore et Allier (association)', 'association', [ENTRE_DORE, THIERS], [...referents('asso-numerique', 1), admin('asso-numerique')]),
  organisation('asso-sante', 'Accueil Santé Précarité Livradois (association)', 'association', [AMBERT], [...referents('asso-sante', 2), admin('asso-sante')]),
  organisation('centre-social-billom', 'Centre social du Billomois', 'association', [BILLOM], [...referents('centre-social-billom', 1), admin('centre-social-billom')]),
  organisation('aci-jardins', 'ACI Les Jardins de la Durolle', 'siae_aci', [THIERS], [member('referente.aci-jardins', ['referent'], 'Chantal Bourdier'), admin('aci-jardins')]),
  organisation('aci-ressourcerie', 'ACI Ressourcerie du Livradois', 'siae_aci', [AMBERT], [...referents('aci-ressourcerie', 1), admin('aci-ressourcerie')]),
  organisation('aci-patrimoine', 'ACI Chantier Patrimoine du Billomois', 'siae_aci', [BILLOM, ENTRE_DORE], [...referents('aci-patrimoine', 1), admin('aci-patrimoine')]),
  organisation('ei-coutellerie', 'EI Coutellerie Solidaire de Thiers', 'siae_ei', [THIERS], [...referents('ei-coutellerie', 1), admin('ei-coutellerie')]),
  organisation('ei-batiment', 'EI Bâtiment Dore Allier', 'siae_ei', [ENTRE_DORE, THIERS], [...referents('ei-batiment', 1), admin('ei-batiment')]),
  organisation('etti-auvergne', 'ETTI Tremplin Intérim Auvergne', 'siae_etti', DTS_TERRITORIES, [...referents('etti-auvergne', 1), admin('etti-auvergne')]),
  organisation('ai-dore', 'AI Services Dore et Allier', 'siae_ai', [ENTRE_DORE, THIERS], [...referents('ai-dore', 1), admin('ai-dore')]),
  organisation('ai-livradois', 'AI Livradois-Forez Services', 'siae_ai', [AMBERT], [...referents('ai-livradois', 1), admin('ai-livradois')]),
  organisation('ebe-thiers', "EBE de Thiers — entreprise à but d'emploi (Territoires zéro chômeur)", 'ebe', [THIERS], [member('referente.ebe-thiers', ['referent'], 'Sylvie Gardette'), admin('ebe-thiers')]),
  organisation('commune-thiers', 'Ville de Thiers', 'commune', [THIERS], [admin('commune-thiers')]),
  organisation('commune-ambert', "Ville d'Ambert", 'commune', [AMBERT], [admin('commune-ambert')]),
  organisation('ch-thiers', 'Centre hospitalier de Thiers', 'employer', [THIERS], [admin('ch-thiers')]),
  organisation('ehpad-ambert', "EHPAD Les Tilleuls d'Ambert", 'employer', [AMBERT], [admin('ehpad-ambert')]),
  organisation('coutellerie-durolle', 'Coutellerie de la Durolle', 'employer', [THIERS], [admin('coutellerie-durolle')]),
  organisation('plasturgie-dore', 'Plasturgie Dore Industrie', 'employer', [ENTRE_DORE], [admin('plasturgie-dore')]),
  organisation('transports-livradois', 'Transports du Livradois', 'employer', [AMBERT], [admin('transports-livradois')]),
  organisation('scierie-billom', 'Scierie du Billomois', 'employer', [BILLOM], [admin('scierie-billom')]),
  organisation('supermarche-lezoux', 'Supermarché coopératif de Lezoux', 'employer', [ENTRE_DORE], [admin('supermarche-lezoux')]),
  organisation('interim-thiers', 'Intérim Thiers Emploi', 'interim', [THIERS, ENTRE_DORE], [admin('interim-thiers')]),
  organisation('interim-ambert', 'Ambert Intérim', 'interim', [AMBERT], [admin('interim-ambert')]),
];

export function demoOrganisation(key: string): DemoOrganisation {
  const found = DEMO_ORGANISATIONS.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no demo organisation ${key}`);
  return found;
}

/** The members of `key` who hold `role`. */
export function membersWith(key: string, role: Role): DemoMember[] {
  return demoOrganisation(key).members.filter((candidate) => candidate.roles.includes(role));
}
