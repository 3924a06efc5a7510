/**
 * MFA sessions in the popup (PROTOCOL.md, "mfa_sessions"): the host lists the live MFA
 * sessions and the profiles each covers; a covered profile's MFA badge says until when no
 * code is needed ("MFA until 18:40"), in the browser's local time.
 */

/** The host's `mfa_sessions` result as a Map of profile name -> Date the session ends. */
export function sessionsByProfile(result) {
  const byProfile = new Map();
  const sessions = Array.isArray(result?.sessions) ? result.sessions : [];
  for (const session of sessions) {
    const ends = new Date(typeof session?.expires_at === 'string' ? session.expires_at : NaN);
    if (Number.isNaN(ends.getTime()) || !Array.isArray(session.profiles)) continue;
    for (const name of session.profiles) {
      if (typeof name !== 'string') continue;
      const known = byProfile.get(name);
      if (!known || known < ends) byProfile.set(name, ends);
    }
  }
  return byProfile;
}

/** "18:40": hours and minutes of `date` on a 24-hour clock, local time. */
export function clockTime(date) {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * The MFA badge of a profile as [text, title], or null for a profile without MFA: "MFA" when
 * a code will be asked for, "MFA until 18:40" while a session covers it.
 */
export function mfaBadge(profile, sessions, now = new Date()) {
  if (!profile?.mfa) return null;
  const ends = sessions instanceof Map ? sessions.get(profile.name) : undefined;
  if (ends && ends > now) {
    const time = clockTime(ends);
    return [`MFA until ${time}`, `MFA active until ${time}: no code needed until then`];
  }
  return ['MFA', 'Needs an MFA code'];
}
