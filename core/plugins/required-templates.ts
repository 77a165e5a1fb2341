import { consentTemplates } from '../consent/templates.ts';
import { StartupError } from '../errors.ts';
import type { RequiredTemplate, TemplateEngine } from '../templates/index.ts';
import type { PluginRegistry } from './registry.ts';

/** What the core adds to every template's data (see messages/render.ts). */
export const coreSampleData = {
  recipient: { firstName: 'Alex', lastName: 'Rivera' },
  practice: { name: 'Riverside Clinic', phone: '+12025550100' },
};

/**
 * Every template the enabled triggers need, on every channel they send through, and the
 * consent answers (opt-in requests, STOP and HELP replies) of the enabled channels.
 */
export function requiredTemplates(plugins: PluginRegistry): RequiredTemplate[] {
  const required: RequiredTemplate[] = [];
  for (const [trigger, { plugin }] of plugins.triggers) {
    for (const [kind, needs] of Object.entries(plugin.templates)) {
      const channels = (needs.channels ?? plugins.channelIds)
        .filter((channel) => plugins.channels.has(channel));
      for (const channel of channels) {
        required.push({
          trigger, kind, channel, sampleData: { ...needs.sampleData, ...coreSampleData },
        });
      }
    }
  }
  return [...required, ...consentTemplates(plugins, coreSampleData)];
}

/**
 * Renders every required template in every language with sample data, so that a missing
 * template or variable stops the start instead of a patient's reminder.
 */
export function checkTemplates(templates: TemplateEngine, plugins: PluginRegistry): void {
  const problems = templates.check(requiredTemplates(plugins));
  if (problems.length === 0) return;

  throw new StartupError('Templates are missing or broken:', problems.map((problem) => {
    const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : '';
    return `${where}${problem.message}`;
  }));
}
