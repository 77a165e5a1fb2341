import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // The kernel's tables, and those of each part of the core that keeps its own.
  schema: ['./core/db/schema.ts', './core/*/tables.ts'],
  out: './core/db/migrations',
});
