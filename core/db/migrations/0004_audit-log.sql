CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"account_id" text NOT NULL,
	"target_account_id" text NOT NULL,
	"key_id" text NOT NULL,
	"action" text NOT NULL,
	"subject" text,
	"route" text NOT NULL,
	"status" integer NOT NULL,
	"request_id" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_account" ON "audit_log" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_account_subject" ON "audit_log" USING btree ("account_id","subject" text_pattern_ops);