import { Migration } from "@mikro-orm/migrations";

/**
 * Greenfield invoices paid but not confirmed by their monitoring expiration become Invalid, once,
 * with an `InvoiceInvalid` webhook (issue 7): when that happened. Generated from the entities.
 */
export class Migration20261121115000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoice" add column "greenfield_invalid_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoice" drop column "greenfield_invalid_at";`);
  }
}
