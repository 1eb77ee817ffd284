import { ParcoursNotFoundError, ParcoursRuleError } from './errors.js';

describe('ParcoursRuleError', () => {
  it('carries a stable code next to a message for people', () => {
    const error = new ParcoursRuleError('no_active_referent', 'the parcours has no référent to release');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ParcoursRuleError', code: 'no_active_referent', message: 'the parcours has no référent to release' });
  });
});

describe('ParcoursNotFoundError', () => {
  it('names the missing parcours under the parcours_not_found code', () => {
    const error = new ParcoursNotFoundError('3f6c2a9e-8d41-4b7a-9e0c-5a1d7b2c4e86');
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ParcoursRuleError);
    expect(error).toMatchObject({ name: 'ParcoursNotFoundError', code: 'parcours_not_found', parcoursId: '3f6c2a9e-8d41-4b7a-9e0c-5a1d7b2c4e86' });
    expect(error.message).toContain('3f6c2a9e-8d41-4b7a-9e0c-5a1d7b2c4e86');
  });
});
