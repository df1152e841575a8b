import { Migration } from "@mikro-orm/migrations";

/**
 * Invoices remember where the hosted checkout sends the payer once paid (issue 6). Generated from
 * the entities; the generator's attempts to drop hand-made indexes removed.
 */
export class Migration20261121104005 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoice" add column "redirect_url" text null;`);
    // Invoices made through a payment link take the link's redirect, as the link page always did.
    this.addSql(
      `update "invoice" i set "redirect_url" = l."redirect_url" from "payment_link" l where i."payment_link_id" = l."id" and l."redirect_url" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoice" drop column "redirect_url";`);
  }
}
