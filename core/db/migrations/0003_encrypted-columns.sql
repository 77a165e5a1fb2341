CREATE TABLE "encryption_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"first_used_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attachments" ALTER COLUMN "data" SET DATA TYPE text USING encode("data", 'base64');--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "data" SET DATA TYPE text USING "data"::text;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "data" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "content" SET DATA TYPE text USING "content"::text;--> statement-breakpoint
ALTER TABLE "subjects" ALTER COLUMN "state" SET DATA TYPE text USING "state"::text;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "phone_hash" text;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "email_hash" text;--> statement-breakpoint
ALTER TABLE "recipients" ADD COLUMN "fax_hash" text;--> statement-breakpoint
CREATE INDEX "recipients_phone_hash" ON "recipients" USING btree ("account_id","phone_hash");--> statement-breakpoint
CREATE INDEX "recipients_email_hash" ON "recipients" USING btree ("account_id","email_hash");--> statement-breakpoint
CREATE INDEX "recipients_fax_hash" ON "recipients" USING btree ("account_id","fax_hash");