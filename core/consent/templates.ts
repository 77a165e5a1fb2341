import type { PluginRegistry } from '../plugins/registry.ts';
import type { RequiredTemplate } from '../templates/index.ts';
import { keywordChannels } from './keywords.ts';
import { consentTrigger, type ConsentKind } from './messages.ts';

const sampleLink = 'https://hub.example.org/consent/opt-in?token=sample';

const sampleData: Record<ConsentKind, Record<string, unknown>> = {
  'opt-in-request': { link: sampleLink, reminder: false },
  'opted-out': {},
  'opted-in': {},
  help: { helpText: 'For help, call us at (202) 555-0100.' },
};

/**
 * The core's consent templates (`templates/consent/`), checked at start with the triggers':
 * the opt-in request on every channel that needs an opt-in, the answers to keywords on the
 * channels that read keywords. `core` is what the core adds to every template's data.
 */
export function consentTemplates(
  plugins: PluginRegistry,
  core: Record<string, unknown>,
): RequiredTemplate[] {
  const needOptIn = plugins.channelIds
    .filter((id) => plugins.channel(id).plugin.capabilities.needsOptIn);
  const keywords = plugins.channelIds.filter((id) => keywordChannels.has(id));

  const required = (kind: ConsentKind, channels: string[]) => channels.map((channel) => ({
    trigger: consentTrigger, kind, channel, sampleData: { ...sampleData[kind], ...core },
  }));
  return [
    ...required('opt-in-request', needOptIn),
    ...required('opted-out', keywords),
    ...required('opted-in', keywords),
    ...required('help', keywords),
  ];
}
