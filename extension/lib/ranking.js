/**
 * How a typed query ranks the profiles, shared by the popup and the omnibox keyword so both
 * list the same profiles in the same order: fuzzy.js's match score, plus a fixed bonus for
 * favourites and recently used profiles.
 */
import { rankProfiles } from './fuzzy.js';

export const FAVOURITE_BONUS = 25;
export const RECENT_BONUS = 10;

/** The bonus function for rankProfiles: favourites and recently used profiles come first. */
export function rankingBoost(favourites = [], recent = []) {
  const favouriteSet = new Set(Array.isArray(favourites) ? favourites : []);
  const recentSet = new Set(Array.isArray(recent) ? recent : []);
  return (profile) => (favouriteSet.has(profile.name) ? FAVOURITE_BONUS : 0)
    + (recentSet.has(profile.name) ? RECENT_BONUS : 0);
}

/** rankProfiles over an index (fuzzy.buildIndex) with the favourite/recent bonus. */
export function rankForQuery(index, query, { favourites = [], recent = [], limit = Infinity } = {}) {
  return rankProfiles(index, query, { limit, boost: rankingBoost(favourites, recent) });
}
