CREATE TABLE "sender_rate_limits" (
	"sender" text PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
