/**
 * The value rules of roleport as the extension applies them: regions, MFA codes, console
 * session lengths, profile, role and account names. They mirror host/roleport/rules.py, the
 * host's single source, so the extension never refuses what the host accepts or sends what
 * it refuses; tests/rules_cases.json is the one table both are tested against.
 *
 * Sources (the same as the host's):
 * - Region names: the shape of every region in botocore's partition data, for example
 *   eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1.
 * - MFA codes: AWS STS AssumeRole, TokenCode: "a sequence of six numeric digits".
 * - Console session length: the AWS sign-in federation endpoint's SessionDuration, 900 to
 *   43200 seconds (IAM User Guide, "Enable custom identity broker access to the AWS console").
 * - Discovered roles' cache age: whole seconds from a minute to a week (roleport's own bounds:
 *   each refresh costs one ListAccounts plus one ListAccountRoles per account).
 * - Role names: the IAM RoleName pattern [\w+=,.@-]{1,64}; account ids are 12 digits (AWS
 *   General Reference, "AWS account identifiers").
 */

/** The pattern of a region name, spelled exactly as rules.py's REGION_PATTERN. */
export const REGION_PATTERN = '[a-z]{2,4}(?:-[a-z0-9]+)+-[0-9]{1,2}';
// Anchored around a group: the whole string must match, as Python's fullmatch demands.
const REGION = new RegExp(`^(?:${REGION_PATTERN})$`);

/** Shaped like an AWS region name (eu-west-1, us-gov-west-1, eusc-de-east-1). */
export function isRegion(value) {
  return typeof value === 'string' && REGION.test(value);
}

/**
 * What a person typed or pasted (" EU-WEST-1 "), as a region is spelled: every region name in
 * botocore's partition data is lower case, so case carries no meaning.
 */
export function normalizeRegion(text) {
  return String(text ?? '').trim().toLowerCase();
}

// Without the m flag, $ matches only at the very end: "123456\n" is refused, as by fullmatch.
const MFA_CODE = /^[0-9]{6}$/;

/** Exactly six ASCII digits, as the protocol carries an MFA code. */
export function isMfaCode(value) {
  return typeof value === 'string' && MFA_CODE.test(value);
}

/** What a person typed or pasted ("123 456", " 123456\n"), without the spaces. */
export function normalizeMfaCode(text) {
  return String(text ?? '').replace(/\s+/g, '');
}

export const MIN_CONSOLE_DURATION = 900;
export const MAX_CONSOLE_DURATION = 43200;

/** Whole seconds within the federation endpoint's SessionDuration range. */
export function isConsoleDuration(value) {
  return Number.isInteger(value)
    && value >= MIN_CONSOLE_DURATION && value <= MAX_CONSOLE_DURATION;
}

export const MIN_SSO_DISCOVERY_MAX_AGE = 60;
export const MAX_SSO_DISCOVERY_MAX_AGE = 604800;
export const DEFAULT_SSO_DISCOVERY_MAX_AGE = 3600;

/** Whole seconds from a minute to a week: how old discovered roles may get before a refresh. */
export function isSsoDiscoveryMaxAge(value) {
  return Number.isInteger(value)
    && value >= MIN_SSO_DISCOVERY_MAX_AGE && value <= MAX_SSO_DISCOVERY_MAX_AGE;
}

export const MAX_PROFILE_NAME = 256;
// eslint-disable-next-line no-control-regex -- control characters are what this rule is about
const CONTROL = /[\x00-\x1f\x7f]/;

/** Why a profile name cannot be one (a sentence), or null when it can. */
export function profileNameProblem(value) {
  if (typeof value !== 'string' || !value.trim()) return 'the profile name is empty';
  // Counted in characters (code points), as Python's len() counts them.
  if ([...value].length > MAX_PROFILE_NAME) {
    return `the profile name is longer than ${MAX_PROFILE_NAME} characters`;
  }
  if (CONTROL.test(value)) return 'the profile name contains control characters';
  return null;
}

const ACCOUNT_ID = /^[0-9]{12}$/;
// Without the u flag \w is ASCII only, as Python's re.ASCII makes it.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** A 12-digit AWS account id. */
export function isAccountId(value) {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** An IAM role name: 1 to 64 of letters, digits and + = , . @ _ -. */
export function isRoleName(value) {
  return typeof value === 'string' && ROLE_NAME.test(value);
}
