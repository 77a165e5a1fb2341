/** Placeholder: replaced by the PostgreSQL set-up for the suite. */
export default function setup(): void {}
