import { parseAdministrator, parsePreviousAdministrator } from '../../../lambda/accepter/properties';
import { ValidationError } from '../../../lambda/shared/errors';

const MEMBER = '111111111111';
const ADMIN = '999999999999';

describe('parseAdministrator', () => {
  test('reads a 12-digit administrator', () => {
    expect(parseAdministrator({ AdministratorAccountId: ADMIN }, MEMBER)).toBe(ADMIN);
  });

  test('reads any 12-digit administrator when the member account is unknown', () => {
    expect(parseAdministrator({ AdministratorAccountId: MEMBER }, undefined)).toBe(MEMBER);
  });

  test.each([
    [{ AdministratorAccountId: '123' }, 'invalid administrator account id "123": expected 12 digits'],
    [{ AdministratorAccountId: ' 999999999999' }, 'invalid administrator account id " 999999999999": expected 12 digits'],
    [{ AdministratorAccountId: 999999999999 }, 'invalid administrator account id 999999999999: expected a string of 12 digits, got a number'],
    [{}, 'invalid administrator account id undefined: expected 12 digits'],
    [undefined, 'invalid administrator account id undefined: expected 12 digits'],
    [{ AdministratorAccountId: MEMBER }, `administrator account id "${MEMBER}" is the member account itself: expected another account, an account cannot be its own administrator`],
  ])('fails when the properties are %j', (properties, message) => {
    expect(() => parseAdministrator(properties, MEMBER)).toThrow(new ValidationError([message]));
  });
});

describe('parsePreviousAdministrator', () => {
  test.each<[unknown, string | undefined]>([
    [{ AdministratorAccountId: ADMIN }, ADMIN],
    [{ AdministratorAccountId: '123' }, undefined],
    [{ AdministratorAccountId: MEMBER }, undefined],
    [{ AdministratorAccountId: null }, undefined],
    [{}, undefined],
    [undefined, undefined],
    ['not an object', undefined],
  ])('reads %j as %s without failing', (properties, expected) => {
    expect(parsePreviousAdministrator(properties, MEMBER)).toBe(expected);
  });
});
