import type { HubConfig } from '../config/schema.ts';
import { StartupError } from '../errors.ts';
import type { ChannelPlugin, Pricing } from '../plugins/channel.ts';
import type { PluginRegistry } from '../plugins/registry.ts';

type PriceKey = 'perSegment' | 'perMinute' | 'perPage';

/** Which price setting goes with the unit a channel bills by. */
function priceKey(pricing: Pricing): PriceKey | undefined {
  switch (pricing) {
    case 'segment': return 'perSegment';
    case 'minute': return 'perMinute';
    case 'page': return 'perPage';
    case 'free': return undefined;
  }
}

/** The price of one billable unit of a channel, in minor units; 0 when it is free. */
export function unitPrice(prices: HubConfig['prices'], plugin: ChannelPlugin): number {
  const key = priceKey(plugin.capabilities.pricing);
  return key ? prices[plugin.id]?.[key] ?? 0 : 0;
}

/**
 * A price in a unit the channel does not bill by would silently charge nothing, so it stops
 * the start. Prices of channels that are not enabled are kept for when they are.
 */
export function checkPrices(prices: HubConfig['prices'], plugins: PluginRegistry): void {
  const problems: string[] = [];
  for (const [id, price] of Object.entries(prices)) {
    const channel = plugins.channels.get(id);
    if (!channel) continue;

    const expected = priceKey(channel.plugin.capabilities.pricing);
    for (const [key, value] of Object.entries(price)) {
      if (value === undefined || key === expected) continue;
      const bills = expected ? `by ${expected}` : 'nothing: it is free';
      problems.push(`prices.${id}.${key}: the ${id} channel bills ${bills}`);
    }
  }
  if (problems.length) throw new StartupError('Prices do not fit the channels:', problems);
}
