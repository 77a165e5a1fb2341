export { parseTemplateName, type TemplateName } from './catalog.ts';
export { TemplateEngine } from './engine.ts';
export { formatProblem, TemplateRenderError } from './errors.ts';
export type {
  RenderedContent,
  RenderInput,
  RequiredTemplate,
  TemplateEngineOptions,
  TemplateListing,
  TemplateProblem,
  TemplateRef,
} from './types.ts';
