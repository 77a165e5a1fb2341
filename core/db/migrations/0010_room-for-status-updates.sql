-- A message's row is rewritten at each status change and a callback delivery's once it is
-- attempted. Room left on each page lets the new version stay on the page (a HOT update), so
-- none of the table's indexes gains an entry for it; a full page moves it, and every index of
-- the table gets one. The setting applies to pages written from now on.
ALTER TABLE "messages" SET (fillfactor = 80);--> statement-breakpoint
ALTER TABLE "callback_deliveries" SET (fillfactor = 80);
