/**
 * The options page's region picker: the regions botocore knows, from the host's `regions`
 * action (PROTOCOL.md, "regions"). A host without that action (an older one) offers none, and
 * the region field still takes any region name typed.
 */
import { isRegion } from './rules.js';

/**
 * Asks the host through `request(action, params)` and returns [{name, description}] of every
 * entry whose name is a region name; [] when the host lacks the action.
 */
export async function knownRegions(request) {
  let result;
  try {
    result = await request('regions', {});
  } catch (error) {
    if (error?.code === 'unknown_action') return [];
    throw error;
  }
  const regions = Array.isArray(result?.regions) ? result.regions : [];
  return regions
    .filter((region) => isRegion(region?.name))
    .map((region) => ({
      name: region.name,
      description: typeof region.description === 'string' ? region.description : '',
    }));
}
